package update

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/manbang/manbang/operator/update/manifest"
)

// writeChunk is how much writeSlot copies at a time.
var writeChunk = 1 << 20

// writeSlot copies the verified download to the slot's partition, syncs,
// and reads it back to check the hash.
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
	back, err := os.Open(dev)
	if err != nil {
		return fmt.Errorf("update: read back slot: %w", err)
	}
	defer back.Close()
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

func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EFBIG)
}
