package m3u

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Writer writes an extended M3U playlist.
type Writer struct {
	w   *bufio.Writer
	err error
}

// NewWriter returns a writer of a playlist to w. Call Flush at the end.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriter(w)} }

// attrOrder is the order in which well-known attributes are written;
// others follow in alphabetical order.
var attrOrder = []string{"tvg-id", "tvg-name", "tvg-logo", "tvg-chno", "group-title",
	"catchup", "catchup-source", "catchup-days", "url-tvg", "x-tvg-url"}

// WriteHeader writes the #EXTM3U line with attrs, such as url-tvg.
func (w *Writer) WriteHeader(attrs map[string]string) error {
	w.printf("#EXTM3U")
	w.attrs(attrs)
	w.printf("\n")
	return w.err
}

// Write writes an entry. Values are made to fit on one line: quotes in
// attribute values become apostrophes and line breaks spaces.
func (w *Writer) Write(e Entry) error {
	url := strings.TrimSpace(e.URL)
	if url == "" || strings.HasPrefix(url, "#") || strings.IndexFunc(url, isControl) >= 0 {
		return fmt.Errorf("m3u: entry %q: bad URL %q", e.Name, url)
	}
	d := "-1"
	if e.Duration >= 0 {
		d = strconv.FormatFloat(e.Duration, 'f', -1, 64)
	}
	w.printf("#EXTINF:" + d)
	w.attrs(e.Attrs)
	w.printf("," + oneLine(e.Name) + "\n")
	if g := oneLine(e.Group); g != "" {
		w.printf("#EXTGRP:" + g + "\n")
	}
	for _, o := range e.Options {
		if o = oneLine(o); o != "" {
			w.printf("#EXTVLCOPT:" + o + "\n")
		}
	}
	w.printf(url + "\n")
	return w.err
}

// Flush writes what is buffered.
func (w *Writer) Flush() error {
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.err
}

func (w *Writer) attrs(attrs map[string]string) {
	clean := make(map[string]string, len(attrs))
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		k2 := strings.ToLower(strings.Map(keyRune, k))
		if _, dup := clean[k2]; k2 != "" && !dup {
			clean[k2] = attrs[k]
		}
	}
	keys := slices.Sorted(maps.Keys(clean))
	slices.SortStableFunc(keys, func(a, b string) int { return rank(a) - rank(b) })
	for _, k := range keys {
		v := strings.ReplaceAll(oneLine(clean[k]), `"`, "'")
		w.printf(" " + k + `="` + v + `"`)
	}
}

// rank is a key's place in attrOrder, or after it.
func rank(k string) int {
	if i := slices.Index(attrOrder, strings.ToLower(k)); i >= 0 {
		return i
	}
	return len(attrOrder)
}

// keyRune keeps the runes an attribute name may have.
func keyRune(r rune) rune {
	if r == '-' || r == '_' || r == '.' || r == ':' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
		return r
	}
	return -1
}

func (w *Writer) printf(s string) {
	if w.err == nil {
		_, w.err = w.w.WriteString(s)
	}
}

// oneLine replaces line breaks and tabs with spaces and trims s.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' || r == 0 {
			return ' '
		}
		return r
	}, s))
}
