package rig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// MakeFAT makes image, a FAT file system of sizeMiB with the volume
// label label (ASCII, at most 11 characters), as mkfs.vfat makes it, and
// copies files into it with mtools' mcopy: files maps a path inside the
// image ("Films/가족 여행.mp4") to the local file to copy there; the
// folders on the way are made, and names get their long (UTF-16) names.
// A file name that is not UTF-8 ("\xbb\xe7.JPG", 사 in CP949) is written
// as those bytes in a short 8.3 name alone, as an old Korean or Russian
// system wrote names in its code page: it must fit 8.3 (8 bytes, a dot,
// 3 bytes, no lower-case ASCII).
func MakeFAT(ctx context.Context, image string, sizeMiB int, label string, files map[string]string) error {
	for _, tool := range []string{"mkfs.vfat", "mmd", "mcopy"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("make a FAT image: %s is not installed (make deps: dosfstools, mtools): %w", tool, err)
		}
	}
	if err := os.WriteFile(image, nil, 0o644); err != nil {
		return fmt.Errorf("make a FAT image: %w", err)
	}
	if err := os.Truncate(image, int64(sizeMiB)<<20); err != nil {
		return fmt.Errorf("make a FAT image: %w", err)
	}
	if err := run(ctx, "mkfs.vfat", "-n", label, image); err != nil {
		return fmt.Errorf("make a FAT image: %w", err)
	}
	dests := make([]string, 0, len(files))
	for d := range files {
		dests = append(dests, d)
	}
	sort.Strings(dests)
	made := map[string]bool{".": true, "/": true}
	for _, d := range dests {
		d = strings.TrimPrefix(path.Clean("/"+d), "/")
		var dirs []string
		for dir := path.Dir(d); !made[dir]; dir = path.Dir(dir) {
			dirs = append([]string{dir}, dirs...)
		}
		for _, dir := range dirs {
			if err := run(ctx, "mmd", "-i", image, "::/"+dir); err != nil {
				return fmt.Errorf("make a FAT image: folder %s: %w", dir, err)
			}
			made[dir] = true
		}
	}
	var raw [][2][]byte // placeholder short names and the bytes for them
	for i, d := range dests {
		dest := strings.TrimPrefix(path.Clean("/"+d), "/")
		if base := path.Base(dest); !utf8.ValidString(base) {
			name, ext, _ := strings.Cut(base, ".")
			if len(name) == 0 || len(name) > 8 || len(ext) > 3 || strings.ContainsAny(base, "abcdefghijklmnopqrstuvwxyz") {
				return fmt.Errorf("make a FAT image: %q is no 8.3 name", base)
			}
			want := []byte(fmt.Sprintf("%-8s%-3s", name, ext))
			ph := fmt.Sprintf("RG%06d", i)
			raw = append(raw, [2][]byte{[]byte(fmt.Sprintf("%-8s%-3s", ph, ext)), want})
			dest = path.Join(path.Dir(dest), ph+"."+ext)
		}
		if err := run(ctx, "mcopy", "-i", image, files[d], "::/"+dest); err != nil {
			return fmt.Errorf("make a FAT image: copy %s: %w", dest, err)
		}
	}
	if len(raw) > 0 {
		b, err := os.ReadFile(image)
		if err != nil {
			return fmt.Errorf("make a FAT image: %w", err)
		}
		for _, r := range raw {
			if bytes.Count(b, r[0]) != 1 {
				return fmt.Errorf("make a FAT image: the entry %q is not found once", r[0])
			}
			copy(b[bytes.Index(b, r[0]):], r[1])
		}
		if err := os.WriteFile(image, b, 0o644); err != nil {
			return fmt.Errorf("make a FAT image: %w", err)
		}
	}
	return nil
}

// MountFAT mounts the FAT image read-only at dir through FUSE with
// fusefat (this machine's kernel has no vfat module), as the device
// image mounts a stick: read-only, nosuid, nodev. It returns once the
// file system is mounted; unmount unmounts it and waits for fusefat to
// end.
func MountFAT(ctx context.Context, image, dir string) (unmount func() error, err error) {
	for _, tool := range []string{"fusefat", "fusermount"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("mount %s: %s is not installed (make deps: fusefat): %w", image, tool, err)
		}
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return nil, fmt.Errorf("mount %s: this machine has no FUSE device: %w", image, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	// fusefat prints the file system's geometry on stdout: kept for the
	// error, not shown.
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "fusefat", "-f", "-o", "ro,nosuid,nodev", image, abs)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("mount %s: %w", image, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); ; {
		if mounted(abs) {
			break
		}
		select {
		case err := <-exited:
			return nil, fmt.Errorf("mount %s at %s: fusefat ended (%v): %s", image, abs, err, strings.TrimSpace(out.String()))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			return nil, fmt.Errorf("mount %s at %s: not mounted after 20 s: %s", image, abs, strings.TrimSpace(out.String()))
		}
	}
	return func() error {
		if out, err := exec.Command("fusermount", "-u", abs).CombinedOutput(); err != nil {
			return fmt.Errorf("unmount %s: %v: %s", abs, err, strings.TrimSpace(string(out)))
		}
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		return nil
	}, nil
}

// mounted says whether dir is a mount point in this process's table.
func mounted(dir string) bool {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	esc := strings.NewReplacer(`\`, `\134`, " ", `\040`, "\t", `\011`, "\n", `\012`).Replace(dir)
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == esc {
			return true
		}
	}
	return false
}

// run runs a tool, its output in the error.
func run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(string(out)))
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
