package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/manbang/manbang/operator/update/bmap"
)

// The shared fixture: a signed 8 MiB sparse image with a block map.
var fix struct {
	dir, img, pub, wrongPub string
	data                    []byte // the image's content
}

const imgSize = 8 << 20

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "manbang-flash-test")
	if err != nil {
		panic(err)
	}
	code := 1
	if err := makeFixture(dir); err != nil {
		fmt.Fprintln(os.Stderr, "fixture:", err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func makeFixture(dir string) error {
	fix.dir = dir
	if err := run(context.Background(), []string{"keygen", filepath.Join(dir, "keys")}, nil, io.Discard, io.Discard); err != nil {
		return err
	}
	if err := run(context.Background(), []string{"keygen", filepath.Join(dir, "other")}, nil, io.Discard, io.Discard); err != nil {
		return err
	}
	fix.pub = filepath.Join(dir, "keys", "image-signing.pub")
	fix.wrongPub = filepath.Join(dir, "other", "image-signing.pub")
	fix.img = filepath.Join(dir, "box-1.0.img")
	f, err := os.Create(fix.img)
	if err != nil {
		return err
	}
	defer f.Close()
	f.Truncate(imgSize)
	for _, off := range []int64{0, 1 << 20, 3<<20 + 4096, 5 << 20} {
		chunk := make([]byte, 300<<10)
		rand.Read(chunk)
		f.WriteAt(chunk, off)
	}
	b, err := bmap.Create(f, 4096)
	if err != nil {
		return err
	}
	os.WriteFile(fix.img+".bmap", b, 0o644)
	upd := filepath.Join(dir, "box-1.0.root.ext4")
	os.WriteFile(upd, []byte("root filesystem"), 0o644)
	fix.data, _ = os.ReadFile(fix.img)
	return run(context.Background(), []string{"sign", "--key", filepath.Join(dir, "keys", "image-signing.key"),
		"--version", "1.0.0", "--model", "box", "--image", fix.img, "--bmap", fix.img + ".bmap", "--update", upd,
		"--part", "root_a:1048576:3145728", "--part", "data:4194304:4194304"}, nil, io.Discard, io.Discard)
}

// copyFixture copies the image and its files into a new directory, so a
// test can damage them.
func copyFixture(t *testing.T) string {
	dir := t.TempDir()
	for _, name := range []string{"box-1.0.img", "box-1.0.img.bmap", "box-1.0.manifest.json", "box-1.0.manifest.json.sig"} {
		b, err := os.ReadFile(filepath.Join(fix.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	return filepath.Join(dir, "box-1.0.img")
}

func flash(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, io.Discard)
	return out.String(), err
}

func TestVerify(t *testing.T) {
	out, err := flash("verify", "--key", fix.pub, fix.img)
	if err != nil || !strings.HasPrefix(out, "OK manbang 1.0.0 for box") {
		t.Fatalf("verify = %q, %v", out, err)
	}
	tests := []struct {
		name   string
		damage func(img string)
		key    string
		want   string
	}{
		{"one byte of the image", func(img string) { flipByte(img, 5<<20+77) }, fix.pub, "does not match the signed manifest"},
		{"one byte of the manifest", func(img string) { flipByte(manifestPath(img), 30) }, fix.pub, "bad signature"},
		{"one byte of the block map", func(img string) { flipByte(img+".bmap", 2000) }, fix.pub, "block map"},
		{"truncated image", func(img string) { os.Truncate(img, imgSize-4096) }, fix.pub, "truncated"},
		{"missing signature", func(img string) { os.Remove(manifestPath(img) + ".sig") }, fix.pub, "signature"},
		{"wrong key", func(string) {}, fix.wrongPub, "bad signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := copyFixture(t)
			tt.damage(img)
			_, err := flash("verify", "--key", tt.key, img)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("verify: %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := flash("verify", fix.img); err == nil || !strings.Contains(err.Error(), "--key") {
		t.Fatalf("verify without a key: %v", err)
	}
}

func TestBuiltInKey(t *testing.T) {
	b, _ := os.ReadFile(fix.pub)
	old := publicKey
	publicKey = strings.TrimSpace(strings.TrimPrefix(string(b), "manbang-ed25519-public "))
	defer func() { publicKey = old }()
	if _, err := flash("verify", fix.img); err != nil {
		t.Fatal(err)
	}
}

func flipByte(path string, off int64) {
	f, _ := os.OpenFile(path, os.O_RDWR, 0)
	defer f.Close()
	b := make([]byte, 1)
	f.ReadAt(b, off)
	b[0] ^= 0x40
	f.WriteAt(b, off)
}

// standIn makes a regular file standing in for a device of size bytes,
// filled with a pattern that the mapped blocks must replace.
func standIn(t *testing.T, size int64) string {
	path := filepath.Join(t.TempDir(), "sdx")
	os.WriteFile(path, bytes.Repeat([]byte{0x5A}, int(size)), 0o644)
	return path
}

// checkWritten compares the mapped blocks of the device with the image.
func checkWritten(t *testing.T, dev string) {
	t.Helper()
	got, err := os.ReadFile(dev)
	if err != nil {
		t.Fatal(err)
	}
	bb, _ := os.ReadFile(fix.img + ".bmap")
	m, _ := bmap.Parse(bb)
	for _, r := range m.Ranges {
		off, n := r.Offset(m), r.Len(m)
		if !bytes.Equal(got[off:off+n], fix.data[off:off+n]) {
			t.Fatalf("blocks %d-%d differ", r.First, r.Last)
		}
	}
	// An unmapped block was not written: only the bmap's blocks are.
	if m.MappedBytes() < m.ImageSize && bytes.Equal(got[:imgSize], fix.data) {
		t.Fatal("unmapped blocks were written")
	}
}

func TestWriteStandIn(t *testing.T) {
	dev := standIn(t, imgSize+1<<20)
	out, err := flash("write", "--key", fix.pub, "--yes", fix.img, dev)
	if err != nil || !strings.Contains(out, "written to") {
		t.Fatalf("write = %q, %v", out, err)
	}
	checkWritten(t, dev)
}

func TestWriteRefuses(t *testing.T) {
	small := standIn(t, imgSize-4096)
	if _, err := flash("write", "--key", fix.pub, "--yes", fix.img, small); err == nil || !strings.Contains(err.Error(), "needs") {
		t.Fatalf("write to a small device: %v", err)
	}
	dev := standIn(t, imgSize)
	if _, err := flash("write", "--key", fix.pub, fix.img, dev); err == nil || !strings.Contains(err.Error(), "not confirmed") {
		t.Fatalf("write without confirmation: %v", err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"write", "--key", fix.pub, fix.img, dev}, strings.NewReader("yes\n"), &out, io.Discard); err != nil {
		t.Fatalf("write confirmed with yes: %v", err)
	}
	if _, err := flash("write", "--key", fix.pub, "--yes", fix.img, filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Fatal("write to a missing device succeeded")
	}
	if _, err := flash("write", "--key", fix.pub, "--yes", fix.img, t.TempDir()); err == nil {
		t.Fatal("write to a directory succeeded")
	}
	img := copyFixture(t)
	flipByte(img, 1<<20+5)
	if _, err := flash("write", "--key", fix.pub, "--yes", img, dev); err == nil {
		t.Fatal("write of a damaged image succeeded")
	}
}

// vanishing is a device that fails with ENODEV after n bytes.
type vanishing struct {
	*os.File
	left int64
}

func (v *vanishing) WriteAt(p []byte, off int64) (int, error) {
	if int64(len(p)) > v.left {
		return 0, &os.PathError{Op: "write", Path: v.Name(), Err: syscall.ENODEV}
	}
	v.left -= int64(len(p))
	return v.File.WriteAt(p, off)
}

func TestDeviceVanishes(t *testing.T) {
	old := openDevice
	defer func() { openDevice = old }()
	openDevice = func(tg target) (device, error) {
		f, err := os.OpenFile(tg.path, os.O_RDWR, 0)
		return &vanishing{File: f, left: 400 << 10}, err
	}
	_, err := flash("write", "--key", fix.pub, "--yes", fix.img, standIn(t, imgSize))
	if err == nil || !strings.Contains(err.Error(), "vanished") || !errors.Is(err, syscall.ENODEV) {
		t.Fatalf("write to a vanishing device: %v", err)
	}
}

func TestSafetyChecks(t *testing.T) {
	// A fake sysfs: disk 8:0 with partitions 8:1 and 8:2, disk 8:16 with
	// 8:17, and dm-0 (253:0) over 8:2.
	sys := t.TempDir()
	mk := func(path, dev string, partition bool) {
		d := filepath.Join(sys, "devices", path)
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "dev"), []byte(dev+"\n"), 0o644)
		if partition {
			os.WriteFile(filepath.Join(d, "partition"), []byte("1\n"), 0o644)
		}
		os.MkdirAll(filepath.Join(sys, "dev/block"), 0o755)
		os.Symlink(d, filepath.Join(sys, "dev/block", dev))
	}
	mk("sda", "8:0", false)
	mk("sda/sda1", "8:1", true)
	mk("sda/sda2", "8:2", true)
	mk("sdb", "8:16", false)
	mk("sdb/sdb1", "8:17", true)
	mk("sdc", "8:32", false)
	mk("dm-0", "253:0", false)
	os.MkdirAll(filepath.Join(sys, "devices/dm-0/slaves"), 0o755)
	os.Symlink(filepath.Join(sys, "devices/sda/sda2"), filepath.Join(sys, "devices/dm-0/slaves/sda2"))
	info := filepath.Join(t.TempDir(), "mountinfo")
	os.WriteFile(info, []byte(
		"22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/root rw\n"+
			"23 22 8:1 / /boot rw shared:2 - vfat /dev/sda1 rw\n"+
			"24 22 8:17 / /media/my\\040card rw shared:3 - vfat /dev/sdb1 rw\n"+
			"25 22 0:5 / /proc rw - proc proc rw\n"), 0o644)
	s := system{mountinfo: info, sysfs: sys}
	tests := []struct {
		dev  devNum
		want error
	}{
		{devNum{8, 0}, errHostDisk},   // holds / (through dm-0) and /boot
		{devNum{8, 2}, errHostDisk},   // under /
		{devNum{8, 16}, errMounted},   // a partition of it is mounted
		{devNum{8, 17}, errMounted},   // mounted itself
		{devNum{8, 32}, nil},          // free
		{devNum{253, 0}, errHostDisk}, // the root device itself
	}
	for _, tt := range tests {
		err := s.checkTarget("/dev/x", tt.dev)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("checkTarget(%v) = %v, want %v", tt.dev, err, tt.want)
		}
	}
	if err := s.checkTarget("/dev/sdb", devNum{8, 16}); err == nil || !strings.Contains(err.Error(), "/media/my card") {
		t.Errorf("mount point not unescaped: %v", err)
	}
}

// TestWriteLoopDevice writes through a real block device when the machine
// allows loop devices.
func TestWriteLoopDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("loop devices need root")
	}
	if _, err := exec.LookPath("losetup"); err != nil {
		t.Skip("no losetup")
	}
	backing := standIn(t, imgSize+1<<20)
	out, err := exec.Command("losetup", "--find", "--show", backing).Output()
	if err != nil {
		t.Skipf("losetup: %v (no loop devices here)", err)
	}
	loop := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("losetup", "-d", loop).Run() })
	if _, err := flash("write", "--key", fix.pub, "--yes", fix.img, loop); err != nil {
		t.Fatalf("write to %s: %v", loop, err)
	}
	checkWritten(t, backing)
}

func FuzzParseMountinfo(f *testing.F) {
	f.Add([]byte("22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/root rw\n"))
	f.Add([]byte("1 2 x:y a b c d - e f g\n24 22 8:17 / /media/a\\040b\\ rw - vfat /dev/sdb1 rw"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseMountinfo(b)
	})
}
