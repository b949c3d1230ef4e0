package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// devNum is a block device's major:minor.
type devNum struct{ major, minor uint32 }

func (d devNum) String() string { return fmt.Sprintf("%d:%d", d.major, d.minor) }

// mount is one line of /proc/self/mountinfo.
type mount struct {
	dev    devNum
	target string
	source string
}

// parseMountinfo reads the mount table format of proc(5); lines it cannot
// read are skipped.
func parseMountinfo(b []byte) []mount {
	var out []mount
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 {
			continue
		}
		maj, min, ok := strings.Cut(f[2], ":")
		a, err1 := strconv.ParseUint(maj, 10, 32)
		b, err2 := strconv.ParseUint(min, 10, 32)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		m := mount{dev: devNum{uint32(a), uint32(b)}, target: unescapeOctal(f[4])}
		for i := 6; i < len(f)-1; i++ {
			if f[i] == "-" && i+2 < len(f) {
				m.source = unescapeOctal(f[i+2])
				break
			}
		}
		out = append(out, m)
	}
	return out
}

// unescapeOctal undoes mountinfo's \040-style escapes.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// system is where the safety checks look; tests point it at fakes.
type system struct {
	mountinfo string // path of the mount table
	sysfs     string // root of sysfs, normally /sys
}

var host = system{mountinfo: "/proc/self/mountinfo", sysfs: "/sys"}

// disks returns the whole disks under the block device d: the disk of a
// partition, the members of a device-mapper or md device.
func (s system) disks(d devNum, depth int) map[devNum]bool {
	out := map[devNum]bool{}
	dir := filepath.Join(s.sysfs, "dev/block", d.String())
	if depth > 8 {
		return out
	}
	if slaves, _ := os.ReadDir(filepath.Join(dir, "slaves")); len(slaves) > 0 {
		for _, sl := range slaves {
			if n, ok := readDev(filepath.Join(dir, "slaves", sl.Name(), "dev")); ok {
				for k := range s.disks(n, depth+1) {
					out[k] = true
				}
			}
		}
		return out
	}
	if _, err := os.Stat(filepath.Join(dir, "partition")); err == nil {
		real, err := filepath.EvalSymlinks(dir)
		if n, ok := readDev(filepath.Join(real, "..", "dev")); err == nil && ok {
			out[n] = true
			return out
		}
	}
	out[d] = true
	return out
}

func readDev(path string) (devNum, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return devNum{}, false
	}
	maj, min, ok := strings.Cut(strings.TrimSpace(string(b)), ":")
	a, err1 := strconv.ParseUint(maj, 10, 32)
	c, err2 := strconv.ParseUint(min, 10, 32)
	return devNum{uint32(a), uint32(c)}, ok && err1 == nil && err2 == nil
}

// Errors of the safety checks.
var (
	errHostDisk = errors.New("is the disk this computer runs from")
	errMounted  = errors.New("is mounted")
)

// checkTarget refuses a block device that holds a mounted file system or
// the host's own root or boot file system.
func (s system) checkTarget(path string, d devNum) error {
	info, err := os.ReadFile(s.mountinfo)
	if err != nil {
		return fmt.Errorf("read the mount table: %w", err)
	}
	target := s.disks(d, 0)
	overlaps := func(m mount) bool {
		for k := range s.disks(m.dev, 0) {
			if target[k] {
				return true
			}
		}
		return false
	}
	mounts := parseMountinfo(info)
	for _, m := range mounts {
		switch m.target {
		case "/", "/boot", "/boot/efi", "/usr", "/var":
			if overlaps(m) {
				return fmt.Errorf("%s %w (%s is mounted on %s); refusing", path, errHostDisk, m.source, m.target)
			}
		}
	}
	for _, m := range mounts {
		if overlaps(m) {
			return fmt.Errorf("%s %w: %s on %s; unmount it first (umount %s)", path, errMounted, m.source, m.target, m.target)
		}
	}
	return nil
}

// target is what write writes to: a block device or a regular file that
// stands in for one (tests, images of images).
type target struct {
	path  string
	size  int64
	block bool
}

// inspect checks the target and returns its size. A regular file must
// exist already; its size is the stand-in device's size.
func (s system) inspect(path string) (target, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return target{}, fmt.Errorf("device %s: %w", path, err)
	}
	t := target{path: path}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFBLK:
		t.block = true
		d := devNum{unix.Major(uint64(st.Rdev)), unix.Minor(uint64(st.Rdev))}
		if err := s.checkTarget(path, d); err != nil {
			return target{}, err
		}
		f, err := os.Open(path)
		if err != nil {
			return target{}, fmt.Errorf("device %s: %w", path, err)
		}
		defer f.Close()
		size, err := f.Seek(0, 2)
		if err != nil {
			return target{}, fmt.Errorf("device %s: size: %w", path, err)
		}
		t.size = size
	case unix.S_IFREG:
		t.size = st.Size
	default:
		return target{}, fmt.Errorf("%s is neither a block device nor a file", path)
	}
	return t, nil
}
