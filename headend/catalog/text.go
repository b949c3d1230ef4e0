package catalog

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/manbang/manbang/operator"
)

// parseText decodes a stored Text; nil for an empty one. Texts are
// stored as textJSON writes them; the usual form, strings without
// escapes, is read directly, and anything else by encoding/json.
func parseText(s string) operator.Text {
	if s == "" || s == "{}" {
		return nil
	}
	if t, ok := parsePlainText(s); ok {
		return t
	}
	var t operator.Text
	if json.Unmarshal([]byte(s), &t) != nil {
		return nil
	}
	return t
}

// parsePlainText decodes a JSON object of strings written without white
// space or escapes, such as {"en":"Night Train","ko":"밤 기차"}, and
// reports false for anything else (which encoding/json then decodes or
// refuses). Where it reports true its answer is encoding/json's.
func parsePlainText(s string) (operator.Text, bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' || strings.IndexByte(s, '\\') >= 0 {
		return nil, false
	}
	t := make(operator.Text, 3)
	rest := s[1 : len(s)-1]
	for {
		k, r, ok := plainString(rest)
		if !ok || r == "" || r[0] != ':' {
			return nil, false
		}
		v, r, ok := plainString(r[1:])
		if !ok {
			return nil, false
		}
		t[k] = v
		if r == "" {
			return t, true
		}
		if r[0] != ',' {
			return nil, false
		}
		rest = r[1:]
	}
}

// plainString reads a JSON string without escapes or control characters
// in valid UTF-8 at the start of s, and returns it and what follows.
func plainString(s string) (v, rest string, ok bool) {
	if s == "" || s[0] != '"' {
		return "", "", false
	}
	i := strings.IndexByte(s[1:], '"')
	if i < 0 {
		return "", "", false
	}
	v = s[1 : 1+i]
	for j := 0; j < len(v); j++ {
		if v[j] < 0x20 {
			return "", "", false
		}
	}
	if !utf8.ValidString(v) {
		return "", "", false
	}
	return v, s[2+i:], true
}

// textJSON is the stored form of a Text: encoding/json's, keys sorted.
// Texts whose strings need no escaping (most) are written directly.
func textJSON(t operator.Text) string {
	if len(t) == 0 {
		return "{}"
	}
	var keys [8]string
	ks := keys[:0]
	n := 2
	for k, v := range t {
		if !plainJSON(k) || !plainJSON(v) {
			b, _ := json.Marshal(t) // a map of strings always encodes
			return string(b)
		}
		ks = append(ks, k)
		n += len(k) + len(v) + 6
	}
	slices.Sort(ks)
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('{')
	for i, k := range ks {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(k)
		b.WriteString(`":"`)
		b.WriteString(t[k])
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// plainJSON reports whether encoding/json writes s as it is between
// quotes: valid UTF-8 without control characters, quotes, backslashes,
// <, >, & (escaped for HTML) or U+2028 and U+2029.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9):
			return false
		}
	}
	return utf8.ValidString(s)
}
