// Package mounts watches the kernel's mount table for the viewer's media:
// the USB sticks and SD cards mounted under the box's media roots. It
// reads /proc/self/mountinfo, which poll(2) wakes on every mount and
// unmount, so a stick shows up as soon as it is mounted, with no polling
// loop. On the device image the image itself mounts media read-only
// (docs/IMAGE.md); this package only watches.
package mounts

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// An Entry is one line of a mountinfo table (proc_pid_mountinfo(5)).
type Entry struct {
	MountPoint string   // unescaped
	Options    []string // the mount's own options: "ro", "nosuid"...
	FSType     string   // "vfat", "fuse.fusefat", "ext4"...
	Source     string   // "/dev/sda1", "fusefat", "tmpfs"...
	SuperOpts  []string // the file system's options
}

// ReadOnly says whether the mount or its file system is read-only.
func (e Entry) ReadOnly() bool {
	for _, opts := range [][]string{e.Options, e.SuperOpts} {
		for _, o := range opts {
			if o == "ro" {
				return true
			}
		}
	}
	return false
}

// errLine is a line of a mountinfo table that is not well formed.
var errLine = errors.New("malformed mountinfo line")

// maxTable bounds the mount table read: a box has tens of mounts; a
// table past this size is not read further.
const maxTable = 1 << 20

// Parse parses a mountinfo table. A malformed line is skipped and
// reported in the error (joined, for each), the rest still returned.
func Parse(table []byte) ([]Entry, error) {
	var out []Entry
	var errs []error
	for n := 1; len(table) > 0; n++ {
		line := table
		if i := bytes.IndexByte(table, '\n'); i >= 0 {
			line, table = table[:i], table[i+1:]
		} else {
			table = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		e, err := parseLine(string(line))
		if err != nil {
			if len(errs) < 8 {
				errs = append(errs, fmt.Errorf("line %d: %w", n, err))
			}
			continue
		}
		out = append(out, e)
	}
	return out, errors.Join(errs...)
}

// parseLine parses "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3
// /dev/root rw,errors=continue".
func parseLine(line string) (Entry, error) {
	f := strings.Fields(line)
	sep := -1
	for i := 6; i < len(f); i++ {
		if f[i] == "-" {
			sep = i
			break
		}
	}
	if sep < 0 || len(f) < sep+3 {
		return Entry{}, errLine
	}
	mp, err := unescape(f[4])
	if err != nil {
		return Entry{}, err
	}
	src, err := unescape(f[sep+2])
	if err != nil {
		return Entry{}, err
	}
	e := Entry{MountPoint: mp, Options: strings.Split(f[5], ","), FSType: f[sep+1], Source: src}
	if len(f) > sep+3 {
		e.SuperOpts = strings.Split(f[sep+3], ",")
	}
	if !strings.HasPrefix(e.MountPoint, "/") {
		return Entry{}, fmt.Errorf("%w: mount point %q is not absolute", errLine, e.MountPoint)
	}
	return e, nil
}

// unescape undoes the kernel's octal escapes of space, tab, newline and
// backslash (\040, \011, \012, \134) in a mountinfo field.
func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+4 > len(s) {
			return "", fmt.Errorf("%w: a cut escape in %q", errLine, s)
		}
		v := 0
		for _, c := range s[i+1 : i+4] {
			if c < '0' || c > '7' {
				return "", fmt.Errorf("%w: a bad escape in %q", errLine, s)
			}
			v = v*8 + int(c-'0')
		}
		if v > 0xff {
			return "", fmt.Errorf("%w: a bad escape in %q", errLine, s)
		}
		b.WriteByte(byte(v))
		i += 3
	}
	return b.String(), nil
}
