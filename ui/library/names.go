package library

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/korean"
)

// DecodeName returns a file name as the screen shows it. A FAT stick
// written by an old Korean or Russian system carries its names in the
// system's code page, and the kernel (or fusefat) hands those bytes on
// as they are: a name that is not valid UTF-8 is decoded as CP949 or as
// CP1251, whichever gives only Hangul or Cyrillic letters, Latin
// letters, digits, spaces and punctuation. When both do (pairs of
// CP1251 letters are often CP949 syllables), CP1251 wins only if it reads
// as Russian: letters of the Russian alphabet only, some lower case, and
// no capital after a small letter within a word; when neither does, the
// bytes that are not UTF-8 show as U+FFFD.
func DecodeName(raw string) string {
	if utf8.ValidString(raw) {
		return raw
	}
	ko, koOK := decodeAs(korean.EUCKR, raw, isHangul) // x/text's EUC-KR is CP949 (Unified Hangul Code)
	ru, ruOK := decodeAs(charmap.Windows1251, raw, isCyrillic)
	switch {
	case koOK && ruOK:
		if russianLike(ru) {
			return ru
		}
		return ko
	case koOK:
		return ko
	case ruOK:
		return ru
	}
	return strings.ToValidUTF8(raw, "\uFFFD")
}

// decodeAs decodes raw with enc and reports whether the result is a
// plausible name in the script letter says: no undecodable bytes, at
// least one letter of the script, and nothing but those letters, ASCII
// and punctuation.
func decodeAs(enc encoding.Encoding, raw string, letter func(rune) bool) (string, bool) {
	s, err := enc.NewDecoder().String(raw)
	if err != nil || !utf8.ValidString(s) {
		return "", false
	}
	script := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return "", false
		case letter(r):
			script = true
		case r < utf8.RuneSelf && unicode.IsPrint(r):
		case unicode.IsPunct(r) || unicode.IsSpace(r) && r >= ' ':
		case r == '№' || r == '«' || r == '»' || r == '–' || r == '—' || r == '·':
		default:
			return "", false
		}
	}
	return s, script
}

// isHangul reports whether r is a Hangul syllable or jamo.
func isHangul(r rune) bool {
	return unicode.Is(unicode.Hangul, r) && unicode.IsLetter(r)
}

// isCyrillic reports whether r is a Cyrillic letter.
func isCyrillic(r rune) bool {
	return unicode.Is(unicode.Cyrillic, r) && unicode.IsLetter(r)
}

// russianLike reports whether the Cyrillic of s reads as Russian words:
// only the letters of the Russian alphabet, some lower case, and no
// capital right after a small letter.
func russianLike(s string) bool {
	lower := false
	prevLower := false
	for _, r := range s {
		if !isCyrillic(r) {
			prevLower = unicode.IsLower(r)
			continue
		}
		if !(r >= 'А' && r <= 'я' || r == 'Ё' || r == 'ё') {
			return false
		}
		if unicode.IsUpper(r) && prevLower {
			return false
		}
		prevLower = unicode.IsLower(r)
		lower = lower || prevLower
	}
	return lower
}
