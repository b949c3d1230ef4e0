// Package keymap reads key maps: text files that say which button of which
// input source is which Manbang key. The box's defaults are embedded
// (assets/keymaps); files in extra directories (/etc/manbang/keymaps) add
// remotes or override the defaults without a rebuild.
//
// The format, one mapping a line:
//
//	# comment
//	source  name  key
//
// source is evdev, lirc, cec or keyboard; name is what that source calls
// the button (KEY_OK, 0x160, myremote:POWER, select, KP0); key is a Manbang
// key name (remote.ParseKey) or "-" to unmap the name. A later line for the
// same source and name wins. A bad line is reported with its file and line
// number and ignored; it never stops the others.
package keymap

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/manbang/manbang/assets/keymaps"
	"github.com/manbang/manbang/remote"
)

// The input sources a key map can name.
const (
	Evdev    = "evdev"
	LIRC     = "lirc"
	CEC      = "cec"
	Keyboard = "keyboard"
)

var sources = []string{Evdev, LIRC, CEC, Keyboard}

// Entry is one mapping line.
type Entry struct {
	Source string
	Name   string
	Key    remote.Key // KeyNone: unmap Name
	File   string
	Line   int
}

// LineError is a bad line of a key map file.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Map is a set of key map entries in the order they were read.
type Map struct {
	entries []Entry
}

// Parse reads one key map file; file names it in errors. It returns the
// good lines and an error for each bad one.
func Parse(file string, r io.Reader) ([]Entry, []error) {
	var (
		out  []Entry
		errs []error
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64<<10)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		bad := func(format string, args ...any) {
			errs = append(errs, &LineError{File: file, Line: line, Err: fmt.Errorf(format, args...)})
		}
		if len(f) != 3 {
			bad("want \"source name key\", got %d fields", len(f))
			continue
		}
		src := strings.ToLower(f[0])
		if !slices.Contains(sources, src) {
			bad("unknown source %q (want one of %s)", f[0], strings.Join(sources, ", "))
			continue
		}
		key := remote.KeyNone
		if f[2] != "-" {
			k, err := remote.ParseKey(f[2])
			if err != nil {
				bad("%v", err)
				continue
			}
			key = k
		}
		out = append(out, Entry{Source: src, Name: f[1], Key: key, File: file, Line: line})
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, &LineError{File: file, Line: line + 1, Err: err})
	}
	return out, errs
}

// Default returns the key maps built into the box.
func Default() (*Map, []error) {
	m := &Map{}
	errs := m.addFS(keymaps.FS, "builtin:")
	return m, errs
}

// Load returns the built-in key maps followed by the *.map files of each
// directory in dirs, in order, each directory's files by name. A missing
// directory is skipped: most boxes have no extra maps.
func Load(dirs []string) (*Map, []error) {
	m, errs := Default()
	for _, dir := range dirs {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		errs = append(errs, m.addFS(os.DirFS(dir), dir+string(filepath.Separator))...)
	}
	return m, errs
}

// addFS adds the *.map files at the root of fsys; prefix makes their names.
func (m *Map) addFS(fsys fs.FS, prefix string) []error {
	names, err := fs.Glob(fsys, "*.map")
	if err != nil {
		return []error{fmt.Errorf("key maps %s: %w", prefix, err)}
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("key map %s%s: %w", prefix, name, err))
			continue
		}
		es, perrs := Parse(prefix+name, strings.NewReader(string(b)))
		m.entries = append(m.entries, es...)
		errs = append(errs, perrs...)
	}
	return errs
}

// Add appends entries, as if read after everything before.
func (m *Map) Add(entries ...Entry) { m.entries = append(m.entries, entries...) }

// Entries returns source's entries in the order read.
func (m *Map) Entries(source string) []Entry {
	if m == nil {
		return nil
	}
	var out []Entry
	for _, e := range m.entries {
		if e.Source == source {
			out = append(out, e)
		}
	}
	return out
}

// Resolve turns entries into a lookup table with parse, the source's own
// reading of a button name. A later entry overrides an earlier one for the
// same button, and an unmapping entry removes it. A name parse rejects is
// reported at its line and skipped.
func Resolve[T comparable](entries []Entry, parse func(name string) (T, error)) (map[T]remote.Key, []error) {
	out := map[T]remote.Key{}
	var errs []error
	for _, e := range entries {
		code, err := parse(e.Name)
		if err != nil {
			errs = append(errs, &LineError{File: e.File, Line: e.Line, Err: err})
			continue
		}
		if e.Key == remote.KeyNone {
			delete(out, code)
			continue
		}
		out[code] = e.Key
	}
	return out, errs
}
