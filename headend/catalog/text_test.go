package catalog

import (
	"encoding/json"
	"maps"
	"testing"
	"unicode/utf8"

	"github.com/manbang/manbang/operator"
)

func TestParseText(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want operator.Text
	}{
		{"", nil},
		{"{}", nil},
		{`{"en":"Night Train"}`, operator.Text{"en": "Night Train"}},
		{`{"en":"Night Train","ko":"밤 기차","ru":"Ночной поезд"}`, operator.Text{"en": "Night Train", "ko": "밤 기차", "ru": "Ночной поезд"}},
		{`{"en":"a \"quoted\" word"}`, operator.Text{"en": `a "quoted" word`}},
		{`{"en":"tab\there"}`, operator.Text{"en": "tab\there"}},
		{`{ "en" : "spaced" }`, operator.Text{"en": "spaced"}},
		{`{"en":"x","en":"y"}`, operator.Text{"en": "y"}},
		{`{"en":""}`, operator.Text{"en": ""}},
		{`{"en":1}`, nil},
		{`{"en":"x",}`, nil},
		{`not json`, nil},
		{`{"en":"x"`, nil},
	} {
		if got := parseText(tt.in); !maps.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("parseText(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

// FuzzParsePlainText checks that the direct reading of stored texts
// agrees with encoding/json wherever it answers.
func FuzzParsePlainText(f *testing.F) {
	for _, s := range []string{`{"en":"Night Train","ko":"밤 기차"}`, `{"a":"b"}`, `{"a":"\u0001"}`, "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}", `{"a":"b",}`, `{}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parsePlainText(s)
		if !ok {
			return
		}
		var want operator.Text
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatalf("parsePlainText(%q) = %v, but encoding/json refuses it: %v", s, got, err)
		}
		if !maps.Equal(got, want) {
			t.Fatalf("parsePlainText(%q) = %v, encoding/json %v", s, got, want)
		}
	})
}

// FuzzTextJSON checks that the direct writing of texts is
// encoding/json's.
func FuzzTextJSON(f *testing.F) {
	for _, s := range [][2]string{{"en", "Night Train"}, {"ko", "밤 기차"}, {"en", "a <b> & \"c\""}, {"x", "\u2028"}, {"", "\xff"}, {"en", "tab\t"}} {
		f.Add(s[0], s[1], "ru", "Ночной поезд")
	}
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		text := operator.Text{k1: v1, k2: v2}
		want, err := json.Marshal(text)
		if err != nil {
			t.Skip()
		}
		if got := textJSON(text); got != string(want) {
			t.Fatalf("textJSON(%q) = %s, encoding/json %s", text, got, want)
		}
		// Invalid UTF-8 comes back as U+FFFD, as from encoding/json; each
		// string is checked alone ("\xdf" and "\xaa" are each invalid, but
		// not "\xdf\xaa").
		valid := utf8.ValidString(k1) && utf8.ValidString(v1) && utf8.ValidString(k2) && utf8.ValidString(v2)
		if back := parseText(string(want)); valid && !maps.Equal(back, text) {
			t.Fatalf("parseText(%s) = %q, want %q", want, back, text)
		}
	})
}
