//go:build !linux || !cgo

package live

// startPaced returns no sender: without cgo on Linux there is no paced
// thread, and channels pace from their goroutines.
func startPaced(*channel) (slotSender, string, error) { return nil, "", nil }
