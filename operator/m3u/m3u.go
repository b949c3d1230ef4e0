// Package m3u reads and writes extended M3U playlists of IPTV channels, as
// Kodi's IPTV Simple Client, VLC and mpv read them:
//
//	#EXTM3U url-tvg="http://example.com/epg.xml"
//	#EXTINF:-1 tvg-id="kbs1" tvg-name="KBS 1" tvg-logo="http://..." group-title="News" tvg-chno="9",KBS 1TV
//	rtp://@239.255.42.1:5000
//
// The Reader reads a playlist as a stream, one entry at a time, and skips
// broken lines (recording why) rather than giving up on the playlist.
package m3u

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of the Reader.
const (
	MaxLine     = 16 << 10 // longer lines are skipped
	MaxAttrs    = 64       // further attributes of a line are dropped
	MaxProblems = 20       // problems kept by Reader.Problems; the rest are only counted
)

// ErrNotM3U is returned by Reader.Next when the input does not look like a
// playlist at all (HTML, JSON, binary).
var ErrNotM3U = errors.New("m3u: not an M3U playlist")

// Entry is one stream of a playlist.
type Entry struct {
	// Name is what the viewer reads: the text after the comma of #EXTINF.
	Name string
	// Duration is the #EXTINF duration in seconds; -1 for live streams.
	Duration float64
	// Attrs are the attributes of #EXTINF, keys in lower case: tvg-id,
	// tvg-name, tvg-logo, tvg-chno, group-title, catchup, catchup-source,
	// catchup-days...
	Attrs map[string]string
	// Group is the group of an #EXTGRP line; the group-title attribute is
	// more common.
	Group string
	// Options are the #EXTVLCOPT lines, such as "http-user-agent=...".
	Options []string
	// URL is the stream.
	URL string
}

// Attr returns the attribute key (in lower case), or "".
func (e Entry) Attr(key string) string { return e.Attrs[key] }

// Reader reads the entries of a playlist.
type Reader struct {
	br       *bufio.Reader
	line     int
	started  bool
	header   map[string]string
	problems []string
	skipped  int
}

// NewReader returns a reader of the playlist r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), header: map[string]string{}}
}

// Header returns the attributes of the #EXTM3U line, such as url-tvg (the
// programme guide) or catchup; it is complete once Next has returned.
func (r *Reader) Header() map[string]string { return r.header }

// Problems describes the first MaxProblems lines that were skipped, as
// "line N: what".
func (r *Reader) Problems() []string { return r.problems }

// Skipped returns the number of broken lines or entries skipped so far.
func (r *Reader) Skipped() int { return r.skipped }

func (r *Reader) problem(format string, args ...any) {
	r.skipped++
	if len(r.problems) < MaxProblems {
		r.problems = append(r.problems, fmt.Sprintf("line %d: ", r.line)+fmt.Sprintf(format, args...))
	}
}

// readLine returns the next line without its end, or io.EOF. Lines
// longer than MaxLine are skipped.
func (r *Reader) readLine() (string, error) {
	for {
		b, err := r.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull || (err == nil && len(b) > MaxLine) {
			r.line++
			for err == bufio.ErrBufferFull {
				_, err = r.br.ReadSlice('\n')
			}
			r.problem("longer than %d bytes", MaxLine)
			if err != nil && err != io.EOF {
				return "", err
			}
			continue
		}
		if err != nil && (err != io.EOF || len(b) == 0) {
			return "", err
		}
		r.line++
		if len(b) > MaxLine {
			r.problem("longer than %d bytes", MaxLine)
			continue
		}
		s := string(bytes.TrimRight(b, "\r\n"))
		if r.line == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\ufffd")
		}
		return s, nil
	}
}

// Next returns the next entry, or io.EOF after the last one. Other errors
// are ErrNotM3U or those of the underlying reader.
func (r *Reader) Next() (Entry, error) {
	var e Entry
	pending := false // an #EXTINF waits for its URL
	for {
		line, err := r.readLine()
		if err == io.EOF && pending {
			r.problem("#EXTINF %q without a URL", e.Name)
		}
		if err != nil {
			return Entry{}, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if !r.started {
			r.started = true
			if rest, ok := cutPrefixFold(line, "#EXTM3U"); ok {
				r.header, _ = parseAttrs(rest)
				continue
			}
			if line[0] == '<' || line[0] == '{' || line[0] == '[' || strings.ContainsRune(line, 0) {
				return Entry{}, ErrNotM3U
			}
		}
		switch {
		case hasPrefixFold(line, "#EXTINF:"):
			if pending {
				r.problem("#EXTINF %q without a URL", e.Name)
			}
			e, pending = parseExtinf(line[len("#EXTINF:"):]), true
			if len(e.Attrs) > MaxAttrs {
				r.problem("more than %d attributes", MaxAttrs)
				r.skipped-- // the entry is kept
				for _, k := range slices.Sorted(maps.Keys(e.Attrs))[MaxAttrs:] {
					delete(e.Attrs, k)
				}
			}
		case hasPrefixFold(line, "#EXTGRP:"):
			e.Group = strings.TrimSpace(line[len("#EXTGRP:"):])
		case hasPrefixFold(line, "#EXTVLCOPT:"):
			e.Options = append(e.Options, strings.TrimSpace(line[len("#EXTVLCOPT:"):]))
		case line[0] == '#':
			// Comments and directives of other players.
		default:
			if !pending {
				e = Entry{Duration: -1}
			}
			if strings.IndexFunc(line, isControl) >= 0 || (strings.ContainsAny(line, " \"<>") && !strings.Contains(line, "://")) {
				r.problem("%q is not a URL", clip(line))
				e, pending = Entry{}, false
				continue
			}
			e.URL = line
			return e, nil
		}
	}
}

// parseExtinf parses what follows "#EXTINF:": a duration, attributes, a
// comma and the name.
func parseExtinf(s string) Entry {
	e := Entry{Duration: -1}
	end := strings.IndexAny(s, " \t,")
	if end < 0 {
		end = len(s)
	}
	if d, err := strconv.ParseFloat(s[:end], 64); err == nil && d >= -1 && d < 1e9 {
		e.Duration = d
	}
	var name string
	e.Attrs, name = parseAttrs(s[end:])
	e.Name = strings.TrimSpace(name)
	return e
}

// parseAttrs parses key="value" or key=value pairs up to a comma outside
// quotes, and returns them and what follows that comma.
func parseAttrs(s string) (map[string]string, string) {
	attrs := map[string]string{}
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return attrs, ""
		}
		if s[0] == ',' {
			return attrs, s[1:]
		}
		eq := strings.IndexAny(s, "= \t,")
		if eq <= 0 || s[eq] != '=' {
			// A word without a value: skip it.
			if eq < 0 {
				return attrs, ""
			}
			s = s[max(eq, 1):]
			continue
		}
		key := strings.ToLower(s[:eq])
		s = s[eq+1:]
		var val string
		if s != "" && (s[0] == '"' || s[0] == '\'') {
			q := s[0]
			end := strings.IndexByte(s[1:], q)
			if end < 0 {
				val, s = s[1:], ""
			} else {
				val, s = s[1:1+end], s[2+end:]
			}
		} else {
			end := strings.IndexAny(s, " \t,")
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
		}
		attrs[key] = strings.TrimSpace(val)
	}
}

// isControl reports whether r may not appear in a URL line.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if hasPrefixFold(s, prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// clip shortens s for a problem report.
func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	cut := 60
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
