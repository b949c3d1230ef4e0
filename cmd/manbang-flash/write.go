package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/manbang/manbang/operator/update/manifest"
)

// device is the open target; tests replace it to make it vanish.
type device interface {
	io.WriterAt
	io.ReaderAt
	Sync() error
	Close() error
}

// openDevice opens the target for writing; a block device is opened
// exclusively (the kernel refuses while it is mounted).
var openDevice = func(t target) (device, error) {
	flags := os.O_RDWR
	if t.block {
		flags |= unix.O_EXCL
	}
	f, err := os.OpenFile(t.path, flags, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", t.path, err)
	}
	return f, nil
}

func cmdWrite(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("write", flag.ContinueOnError)
	fs.SetOutput(stderr)
	key := fs.String("key", "", "public key `FILE` (default: the built-in key)")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("write: want IMAGE DEVICE")
	}
	pub, err := manifest.LoadPublicKey(*key, publicKey)
	if err != nil {
		return err
	}
	img, err := openImage(fs.Arg(0), pub, true, stderr)
	if err != nil {
		return err
	}
	t, err := host.inspect(fs.Arg(1))
	if err != nil {
		return err
	}
	m := img.manifest
	if t.size < m.Image.Size {
		return fmt.Errorf("%s holds %d MiB, the image needs %d MiB", t.path, t.size>>20, (m.Image.Size+1<<20-1)>>20)
	}
	if !*yes {
		fmt.Fprintf(stderr, "Write %s %s (%s) to %s (%d MiB)? Everything on %s will be lost. Type yes: ",
			m.Name, m.Version, m.Model, t.path, t.size>>20, t.path)
		line, _ := bufio.NewReader(stdin).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			return errors.New("not confirmed; nothing written")
		}
	}
	dev, err := openDevice(t)
	if err != nil {
		return err
	}
	defer dev.Close()
	if err := writeImage(ctx, img, dev, t, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "OK %s %s written to %s and verified\n", m.Name, m.Version, t.path)
	return nil
}

// writeImage copies the mapped blocks, syncs, drops the cache and reads
// every mapped block back against the block map's checksums.
func writeImage(ctx context.Context, img *image, dev device, t target, log io.Writer) error {
	src, err := os.Open(img.path)
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	defer src.Close()
	bm := img.bmap
	buf := make([]byte, 4<<20)
	p := newProgress(log, "write", bm.MappedBytes())
	for _, r := range bm.Ranges {
		h := sha256.New()
		off, end := r.Offset(bm), r.Offset(bm)+r.Len(bm)
		for off < end {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("interrupted at byte %d: %w; %s is not bootable, write again", off, err, t.path)
			}
			n, err := src.ReadAt(buf[:min(int64(len(buf)), end-off)], off)
			if err != nil && !(errors.Is(err, io.EOF) && int64(n) == end-off) {
				return fmt.Errorf("read image at byte %d: %w", off, err)
			}
			h.Write(buf[:n])
			if _, err := dev.WriteAt(buf[:n], off); err != nil {
				return deviceError(t, "write", off, err)
			}
			off += int64(n)
			p.add(int64(n))
		}
		if !bytes.Equal(h.Sum(nil), r.SHA256[:]) {
			return fmt.Errorf("image blocks %d-%d do not match the block map; the image changed while writing", r.First, r.Last)
		}
	}
	p.done()
	if err := dev.Sync(); err != nil {
		return deviceError(t, "sync", -1, err)
	}
	if f, ok := dev.(*os.File); ok {
		// Read back from the device, not from the page cache.
		unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	}
	p = newProgress(log, "readback", bm.MappedBytes())
	for _, r := range bm.Ranges {
		h := sha256.New()
		if _, err := io.Copy(io.MultiWriter(h, p), io.NewSectionReader(dev, r.Offset(bm), r.Len(bm))); err != nil {
			return deviceError(t, "read back", r.Offset(bm), err)
		}
		if !bytes.Equal(h.Sum(nil), r.SHA256[:]) {
			return fmt.Errorf("%s reads back wrong data in blocks %d-%d: the card or disk is failing; use another", t.path, r.First, r.Last)
		}
	}
	p.done()
	return nil
}

// deviceError explains a failed device operation; a device that vanished
// (unplugged card reader) is named as such.
func deviceError(t target, op string, off int64, err error) error {
	at := ""
	if off >= 0 {
		at = fmt.Sprintf(" at byte %d", off)
	}
	if errors.Is(err, syscall.ENODEV) || errors.Is(err, syscall.ENXIO) || errors.Is(err, syscall.EIO) || errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s %s failed%s: the device vanished or failed (%w); reconnect it and write again, it is not bootable now", t.path, op, at, err)
	}
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%s %s failed%s: the device is smaller than it said (%w)", t.path, op, at, err)
	}
	return fmt.Errorf("%s %s failed%s: %w", t.path, op, at, err)
}
