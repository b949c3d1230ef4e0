package i18n

import (
	"strings"
	"testing"
	"time"
)

// Every message must exist in every language, with the same format verbs.
func TestEveryLanguageHasEveryMessage(t *testing.T) {
	for key, e := range en {
		for _, lang := range Languages {
			s, ok := messages[lang][key]
			if !ok || s == "" {
				t.Errorf("%s: missing %q", lang, key)
				continue
			}
			if verbs(s) != verbs(e) {
				t.Errorf("%s: %q has other format verbs than English: %q vs %q", lang, key, s, e)
			}
		}
	}
	for _, lang := range Languages {
		if len(messages[lang]) != len(en) {
			t.Errorf("%s has %d messages, English %d", lang, len(messages[lang]), len(en))
		}
		for key := range messages[lang] {
			if _, ok := en[key]; !ok {
				t.Errorf("%s has %q, which English lacks", lang, key)
			}
		}
	}
}

// verbs lists the format verbs of s in order, "%%" left out.
func verbs(s string) string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(s) && strings.IndexByte("0123456789.+-# ", s[j]) >= 0 {
			j++
		}
		if j < len(s) && s[j] != '%' {
			out = append(out, s[i:j+1])
		}
		i = j
	}
	return strings.Join(out, " ")
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
	if got := T("ko", Watched, 40); got != "40% 시청" {
		t.Errorf("T with %%%% = %q", got)
	}
}

func TestDates(t *testing.T) {
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC) // a Monday
	cases := []struct {
		lang string
		t    time.Time
		want string
	}{
		{"en", now, "Today · Mon 23 Nov"},
		{"ko", now.Add(24 * time.Hour), "내일 · 11월 24일 (화)"},
		{"ru", now.Add(-24 * time.Hour), "Вчера · вс, 22 ноября"},
		{"en", now.Add(72 * time.Hour), "Thu 26 Nov"},
		{"ko", now.Add(-72 * time.Hour), "11월 20일 (금)"},
	}
	for _, c := range cases {
		if got := Day(c.lang, c.t, now); got != c.want {
			t.Errorf("Day(%s, %v) = %q, want %q", c.lang, c.t, got, c.want)
		}
	}
}

func TestNames(t *testing.T) {
	cases := []struct{ got, want string }{
		{Rating("en", "ALL"), "All ages"},
		{Rating("ko", "15"), "15세 이상"},
		{Rating("ru", "19"), "19+"},
		{Rating("en", ""), ""},
		{LanguageName("ru", "ko"), "корейский"},
		{LanguageName("ko", "en"), "영어"},
		{LanguageName("en", "xx"), "XX"},
		{NativeName("ru"), "Русский"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: %q, want %q", i, c.got, c.want)
		}
	}
}
