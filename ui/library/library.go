// Package library lists the folders of the viewer's own media (a USB
// stick, an SD card) as the browser shows them: what the box can play,
// by kind, with names decoded for the screen, sorted as the viewer asks.
// It reads directories only, never the files' contents, so that a folder
// of 10,000 files lists in a moment.
package library

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Kind is what an entry is to the viewer.
type Kind int

// Kinds of entries. All is no kind: the filter that keeps every entry.
const (
	All Kind = iota
	Folder
	Video
	Music
	Photo
)

// String names the kind for the state report.
func (k Kind) String() string {
	switch k {
	case Folder:
		return "folder"
	case Video:
		return "video"
	case Music:
		return "music"
	case Photo:
		return "photo"
	}
	return "all"
}

// Entry is one thing in a folder: a folder, or a file the box can play
// or show.
type Entry struct {
	// Name is the name as shown: decoded to UTF-8 if the medium's file
	// system gave other bytes (DecodeName).
	Name string
	// Path is the raw path, for opening: dir joined with the name's
	// bytes as the file system gave them.
	Path    string
	Kind    Kind
	Size    int64 // bytes; 0 for a folder
	ModTime time.Time
}

// extensions maps a file ending, lower case, to its kind: what the box's
// player and picture decoder open. The ending is a quick guess (the
// player reads containers by content); a file under another ending is
// not offered.
var extensions = map[string]Kind{}

func init() {
	for _, e := range strings.Fields(".mp4 .m4v .mov .mkv .webm .avi .mpg .mpeg .vob .dat .ts .m2ts .mts .flv .wmv .asf .rm .rmvb .3gp .ogv") {
		extensions[e] = Video
	}
	for _, e := range strings.Fields(".mp3 .aac .m4a .flac .wav .ogg .oga .opus .wma") {
		extensions[e] = Music
	}
	for _, e := range strings.Fields(".jpg .jpeg .png") {
		extensions[e] = Photo
	}
}

// KindOf returns the kind of a file by its name's ending, and false for a
// file the box does not play.
func KindOf(name string) (Kind, bool) {
	k, ok := extensions[strings.ToLower(filepath.Ext(name))]
	return k, ok
}

// hidden reports whether an entry is one the viewer never sees: hidden
// files (a leading dot, as macOS and Linux leave them: .Trashes,
// ._film.mp4) and the folders Windows keeps on every stick.
func hidden(name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	switch strings.ToLower(name) {
	case "system volume information", "$recycle.bin", "recycler", "found.000":
		return true
	}
	return false
}

// List returns the folders and playable files of dir, sorted by name
// (folders first). Hidden files, system folders and files the box cannot
// play are left out. An entry the file system lists but cannot describe
// (fusefat lists a short name in a code page but cannot look it up) is
// listed without size or date: opening it then says what is wrong. It
// fails only if dir itself cannot be read.
func List(dir string) ([]Entry, error) {
	des, err := os.ReadDir(dir)
	if err != nil && len(des) == 0 {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	out := make([]Entry, 0, len(des))
	for _, de := range des {
		name := de.Name()
		if hidden(name) {
			continue
		}
		kind := Folder
		switch t := de.Type(); {
		case t.IsDir():
		case t.IsRegular():
			var ok bool
			if kind, ok = KindOf(name); !ok {
				continue
			}
		default: // devices, sockets, symbolic links: not a viewer's files
			continue
		}
		e := Entry{Name: DecodeName(name), Path: filepath.Join(dir, name), Kind: kind}
		if info, err := de.Info(); err == nil {
			e.ModTime = info.ModTime()
			if kind != Folder {
				e.Size = info.Size()
			}
		}
		out = append(out, e)
	}
	Sort(out, ByName)
	return out, nil
}

// Order is how a folder is sorted.
type Order int

// Orders of a folder. Folders come first in every order.
const (
	ByName Order = iota // natural order: "Ep 2" before "Ep 10"
	ByDate              // newest first
	BySize              // largest first
)

// String names the order for the state report.
func (o Order) String() string {
	switch o {
	case ByDate:
		return "date"
	case BySize:
		return "size"
	}
	return "name"
}

// Sort sorts entries in order, folders first; ties go by name.
func Sort(es []Entry, o Order) {
	slices.SortStableFunc(es, func(a, b Entry) int {
		if fa, fb := a.Kind == Folder, b.Kind == Folder; fa != fb {
			if fa {
				return -1
			}
			return 1
		}
		var c int
		switch o {
		case ByDate:
			c = b.ModTime.Compare(a.ModTime)
		case BySize:
			c = cmp.Compare(b.Size, a.Size)
		}
		if c != 0 {
			return c
		}
		return Natural(a.Name, b.Name)
	})
}

// Filter returns the entries of kind k, and the folders (which lead to
// more); All keeps every entry.
func Filter(es []Entry, k Kind) []Entry {
	if k == All {
		return es
	}
	out := make([]Entry, 0, len(es))
	for _, e := range es {
		if e.Kind == k || e.Kind == Folder {
			out = append(out, e)
		}
	}
	return out
}

// Natural compares two names as a person sorts them: case folded (and
// Russian ё as е, as dictionaries sort it), and runs of digits by their
// value, so that "Ep 2" comes before "Ep 10".
func Natural(a, b string) int {
	ra, rb := foldRunes(a), foldRunes(b)
	i, j := 0, 0
	for i < len(ra) && j < len(rb) {
		if isDigit(ra[i]) && isDigit(rb[j]) {
			si, sj := i, j
			for i < len(ra) && isDigit(ra[i]) {
				i++
			}
			for j < len(rb) && isDigit(rb[j]) {
				j++
			}
			da := strings.TrimLeft(string(ra[si:i]), "0")
			db := strings.TrimLeft(string(rb[sj:j]), "0")
			if c := cmp.Compare(len(da), len(db)); c != 0 {
				return c
			}
			if c := strings.Compare(da, db); c != 0 {
				return c
			}
			continue
		}
		if c := cmp.Compare(ra[i], rb[j]); c != 0 {
			return c
		}
		i, j = i+1, j+1
	}
	if c := cmp.Compare(len(ra)-i, len(rb)-j); c != 0 {
		return c
	}
	return strings.Compare(a, b) // equal but for case or leading zeros: still one order
}

// foldRunes is s in lower case with ё as е, for comparing.
func foldRunes(s string) []rune {
	rs := []rune(strings.ToLower(s))
	for i, r := range rs {
		if r == 'ё' {
			rs[i] = 'е'
		}
	}
	return rs
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
