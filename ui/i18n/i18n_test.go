package i18n

import (
	"strings"
	"testing"
)

// Every message must exist in every language, with the same format verbs.
func TestEveryLanguageHasEveryMessage(t *testing.T) {
	for key, en := range messages["en"] {
		for _, lang := range Languages {
			s, ok := messages[lang][key]
			if !ok || s == "" {
				t.Errorf("%s: missing %q", lang, key)
				continue
			}
			if strings.Count(s, "%") != strings.Count(en, "%") {
				t.Errorf("%s: %q has other format verbs than English: %q vs %q", lang, key, s, en)
			}
		}
	}
	for _, lang := range Languages {
		if len(messages[lang]) != len(messages["en"]) {
			t.Errorf("%s has %d messages, English %d", lang, len(messages[lang]), len(messages["en"]))
		}
	}
}

func TestT(t *testing.T) {
	cases := []struct{ lang, key, want string }{
		{"ko", Paused, "일시정지"},
		{"ru", Paused, "Пауза"},
		{"xx", Paused, "Paused"},
	}
	for _, c := range cases {
		if got := T(c.lang, c.key); got != c.want {
			t.Errorf("T(%q, %q) = %q, want %q", c.lang, c.key, got, c.want)
		}
	}
	if got := T("en", RetryIn, 5); got != "Retrying in 5 s" {
		t.Errorf("T with args = %q", got)
	}
}
