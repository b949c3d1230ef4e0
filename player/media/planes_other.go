//go:build !linux

package media

// allocPlanes returns n bytes for a frame's planes, from the heap.
func allocPlanes(f *VideoFrame, n int) []byte { return make([]byte, n) }
