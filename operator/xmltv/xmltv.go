// Package xmltv reads and writes XMLTV programme guides
// (https://github.com/XMLTV/xmltv/blob/master/xmltv.dtd):
//
//	<tv>
//	  <channel id="kbs1"><display-name lang="ko">KBS 1TV</display-name></channel>
//	  <programme start="20261123200000 +0900" stop="20261123210000 +0900" channel="kbs1">
//	    <title lang="ko">뉴스 9</title>
//	  </programme>
//	</tv>
//
// The Reader reads a guide as a stream of channels and programmes, never
// holding more than one element, so that guides of hundreds of megabytes
// are read in bounded memory. Programmes with bad times or without a
// channel are skipped, and counted.
package xmltv

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Text is a string in a language (a display-name, a title...).
type Text struct {
	Lang  string // ISO 639-1, or "" if the guide does not say
	Value string
}

// Channel is a <channel> of a guide.
type Channel struct {
	ID    string
	Names []Text // display-name elements
	Icon  string // src of the first icon
	URL   string // the first url element
}

// Programme is a <programme> of a guide.
type Programme struct {
	Channel    string
	Start      time.Time
	Stop       time.Time // zero if the guide does not say
	Titles     []Text
	SubTitles  []Text
	Descs      []Text
	Categories []Text
	Icon       string // src of the first icon
	EpisodeNum string // the first episode-num, as written
	CatchupID  string // catchup-id attribute, used by some catch-up servers
}

// TimeLayout is the layout of XMLTV times that FormatTime writes.
const TimeLayout = "20060102150405 -0700"

// FormatTime returns t as an XMLTV time in t's zone, such as
// "20261123200000 +0900".
func FormatTime(t time.Time) string { return t.Format(TimeLayout) }

// ParseTime parses an XMLTV time: YYYYMMDDhhmmss, or a prefix of it down
// to YYYYMMDDhhmm, optionally followed by a zone offset "+0900",
// "+09:00", "-05" or "Z" (with or without a space). A time without an
// offset is UTC, as the DTD says.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	digits := 0
	for digits < len(s) && digits < 14 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits != 12 && digits != 14 {
		return time.Time{}, fmt.Errorf("xmltv: bad time %q", clip(s))
	}
	num := func(i, n int) int {
		v, _ := strconv.Atoi(s[i : i+n])
		return v
	}
	y, mo, d, h, mi := num(0, 4), num(4, 2), num(6, 2), num(8, 2), num(10, 2)
	sec := 0
	if digits == 14 {
		sec = num(12, 2)
	}
	loc := time.UTC
	if rest := strings.TrimSpace(s[digits:]); rest != "" {
		off, err := parseOffset(rest)
		if err != nil {
			return time.Time{}, fmt.Errorf("xmltv: bad time %q: %w", clip(s), err)
		}
		if off != 0 {
			loc = time.FixedZone("", off)
		}
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc)
	if y < 1900 || t.Year() != y || int(t.Month()) != mo || t.Day() != d || t.Hour() != h || t.Minute() != mi || t.Second() != sec {
		return time.Time{}, fmt.Errorf("xmltv: bad time %q: no such date", clip(s))
	}
	return t, nil
}

// parseOffset parses a zone offset in seconds east of UTC.
func parseOffset(s string) (int, error) {
	if s == "Z" || s == "UTC" || s == "GMT" {
		return 0, nil
	}
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("bad zone %q", s)
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	d := strings.Replace(s[1:], ":", "", 1)
	if (len(d) != 2 && len(d) != 4) || strings.Trim(d, "0123456789") != "" {
		return 0, fmt.Errorf("bad zone %q", s)
	}
	h, _ := strconv.Atoi(d[:2])
	m := 0
	if len(d) == 4 {
		m, _ = strconv.Atoi(d[2:])
	}
	if h > 14 || m > 59 {
		return 0, fmt.Errorf("bad zone %q", s)
	}
	return sign * (h*3600 + m*60), nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
