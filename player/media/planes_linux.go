package media

import (
	"runtime"
	"syscall"
)

// allocPlanes returns n bytes for a frame's planes, mapped outside the Go
// heap: decoded pictures are large and long-lived, and kept on the heap
// they would double the heap's goal (the garbage collector lets the heap
// grow by GOGC percent of what is live), costing tens of megabytes of
// resident memory at 1080p for nothing. The mapping is released when f
// becomes unreachable (a frame the pool drops); a plane must not be used
// after its frame's Release, as the pool documents. If the mapping fails,
// the planes come from the heap.
func allocPlanes(f *VideoFrame, n int) []byte {
	if n <= 0 {
		return nil
	}
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n)
	}
	runtime.AddCleanup(f, func(b []byte) { syscall.Munmap(b) }, b)
	return b
}
