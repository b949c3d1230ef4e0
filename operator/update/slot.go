package update

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/manbang/manbang/operator/update/manifest"
)

// writeChunk is how much writeSlot copies at a time.
var writeChunk = 1 << 20

// writeSlot copies the verified download to the slot's partition, syncs,
// and reads it back to check the hash.
//
// The read-back must come from the card, not from the page cache that
// still holds what was just written: a card that drops or corrupts writes
// would otherwise pass. After fsync the written pages are clean, so
// posix_fadvise(POSIX_FADV_DONTNEED) drops them, on the written and on the
// reading descriptor, and the reads that follow go to the device. It
// works on a block device (its cache is the device's mapping) as on a
// file standing in for one; O_DIRECT was not chosen because it needs
// buffers and offsets aligned to the device's logical block size and
// is refused by some file systems (tmpfs on older kernels) that tests
// keep their slots on.
func (a *Agent) writeSlot(ctx context.Context, src, dev string, f manifest.File) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dev, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("update: open slot: %w", err)
	}
	defer out.Close()
	buf := make([]byte, writeChunk)
	var off int64
	for off < f.Size {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("update: write slot: %w", err)
		}
		n, err := in.ReadAt(buf[:min(int64(len(buf)), f.Size-off)], off)
		if n > 0 {
			if _, werr := out.WriteAt(buf[:n], off); werr != nil {
				return fmt.Errorf("update: write slot %s at byte %d: %w", dev, off, werr)
			}
			off += int64(n)
			a.step("write-chunk")
		}
		if err != nil && !(errors.Is(err, io.EOF) && off == f.Size) {
			return fmt.Errorf("update: read download: %w", err)
		}
	}
	if err := out.Sync(); err != nil {
		return fmt.Errorf("update: sync slot %s: %w", dev, err)
	}
	a.step("synced")
	if err := dropCache(out); err != nil {
		return fmt.Errorf("update: slot %s: %w", dev, err)
	}
	back, err := os.Open(dev)
	if err != nil {
		return fmt.Errorf("update: read back slot: %w", err)
	}
	defer back.Close()
	if err := dropCache(back); err != nil {
		return fmt.Errorf("update: slot %s: %w", dev, err)
	}
	sum, err := hashFile(back, f.Size)
	if err != nil {
		return err
	}
	if sum != f.SHA256 {
		return fmt.Errorf("%w: slot %s reads back sha256 %s, want %s", ErrMismatch, dev, sum, f.SHA256)
	}
	return nil
}

// deviceSize is the size of a partition or of a file standing in for one.
func deviceSize(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("update: slot: %w", err)
	}
	defer f.Close()
	n, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, fmt.Errorf("update: slot size: %w", err)
	}
	return n, nil
}

// dropCache drops the clean cached pages of f, so that reads go to the
// device.
func dropCache(f *os.File) error {
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		return fmt.Errorf("drop the page cache before reading back: %w", err)
	}
	return nil
}

func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EFBIG)
}
