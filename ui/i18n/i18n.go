// Package i18n holds the words the UI shows, in Korean, English and Russian.
package i18n

import (
	"fmt"
	"strings"
	"time"
)

// Languages the UI speaks, in the order the settings offer them.
var Languages = []string{"ko", "en", "ru"}

// NativeName returns a UI language's name in that language, as the
// language setting shows it.
func NativeName(lang string) string {
	switch lang {
	case "ko":
		return "한국어"
	case "en":
		return "English"
	case "ru":
		return "Русский"
	}
	return lang
}

var messages = map[string]map[string]string{"ko": ko, "en": en, "ru": ru}

// T returns the message for key in lang (English where lang is unknown),
// formatted with args.
func T(lang, key string, args ...any) string {
	m, ok := messages[lang]
	if !ok {
		m = en
	}
	s, ok := m[key]
	if !ok {
		s = en[key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	_, ok := messages[lang]
	return ok
}

// Rating returns an age rating ("ALL", "12", "15", "19") as the viewer
// reads it.
func Rating(lang, r string) string {
	switch r {
	case "":
		return ""
	case "ALL":
		return T(lang, RatingAll)
	}
	return T(lang, RatingAge, r)
}

// LanguageName returns the name of a spoken language (ISO 639-1 code) in
// lang, or the code in capitals for languages the UI does not name.
func LanguageName(lang, code string) string {
	if names, ok := spoken[strings.ToLower(code)]; ok {
		if n, ok := names[lang]; ok {
			return n
		}
		return names["en"]
	}
	return strings.ToUpper(code)
}

var spoken = map[string]map[string]string{
	"ko": {"ko": "한국어", "en": "Korean", "ru": "корейский"},
	"en": {"ko": "영어", "en": "English", "ru": "английский"},
	"ru": {"ko": "러시아어", "en": "Russian", "ru": "русский"},
	"ja": {"ko": "일본어", "en": "Japanese", "ru": "японский"},
	"zh": {"ko": "중국어", "en": "Chinese", "ru": "китайский"},
	"fr": {"ko": "프랑스어", "en": "French", "ru": "французский"},
	"de": {"ko": "독일어", "en": "German", "ru": "немецкий"},
	"es": {"ko": "스페인어", "en": "Spanish", "ru": "испанский"},
}

var (
	weekdays = map[string][7]string{
		"ko": {"일", "월", "화", "수", "목", "금", "토"},
		"en": {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
		"ru": {"вс", "пн", "вт", "ср", "чт", "пт", "сб"},
	}
	months = map[string][12]string{
		"en": {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		"ru": {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
	}
)

// Day names the day of t as a programme guide does: today, tomorrow or
// yesterday relative to now, else the weekday and date.
func Day(lang string, t, now time.Time) string {
	y1, m1, d1 := t.Date()
	day := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	y0, m0, d0 := now.Date()
	today := time.Date(y0, m0, d0, 0, 0, 0, 0, time.UTC)
	switch int(day.Sub(today).Hours() / 24) {
	case 0:
		return T(lang, Today) + " · " + Date(lang, t)
	case 1:
		return T(lang, Tomorrow) + " · " + Date(lang, t)
	case -1:
		return T(lang, Yesterday) + " · " + Date(lang, t)
	}
	return Date(lang, t)
}

// Date formats t's day with its weekday, in the language's usual order.
func Date(lang string, t time.Time) string {
	wd := t.Weekday()
	switch lang {
	case "ko":
		return fmt.Sprintf("%d월 %d일 (%s)", int(t.Month()), t.Day(), weekdays["ko"][wd])
	case "ru":
		return fmt.Sprintf("%s, %d %s", weekdays["ru"][wd], t.Day(), months["ru"][t.Month()-1])
	}
	return fmt.Sprintf("%s %d %s", weekdays["en"][wd], t.Day(), months["en"][t.Month()-1])
}
