package player

import "strings"

// iso639 maps ISO 639-1 two-letter codes to the ISO 639-2/T three-letter
// codes of the languages an IPTV operator is likely to carry. Streams say
// either (PMT descriptors use 639-2, HLS playlists mostly 639-1).
var iso639 = map[string]string{
	"ar": "ara", "bg": "bul", "cs": "ces", "da": "dan", "de": "deu", "el": "ell",
	"en": "eng", "es": "spa", "et": "est", "fa": "fas", "fi": "fin", "fr": "fra",
	"he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun", "hy": "hye", "id": "ind",
	"it": "ita", "ja": "jpn", "ka": "kat", "kk": "kaz", "ko": "kor", "ky": "kir",
	"lt": "lit", "lv": "lav", "mn": "mon", "nl": "nld", "no": "nor", "pl": "pol",
	"pt": "por", "ro": "ron", "ru": "rus", "sk": "slk", "sl": "slv", "sr": "srp",
	"sv": "swe", "tg": "tgk", "th": "tha", "tk": "tuk", "tr": "tur", "uk": "ukr",
	"uz": "uzb", "vi": "vie", "zh": "zho",
}

// bibliographic maps the ISO 639-2/B codes that differ from 639-2/T.
var bibliographic = map[string]string{
	"arm": "hye", "chi": "zho", "cze": "ces", "dut": "nld", "fre": "fra",
	"geo": "kat", "ger": "deu", "gre": "ell", "per": "fas", "rum": "ron",
	"slo": "slk",
}

// normLanguage reduces a language tag to its ISO 639-2/T code where it can:
// "ko", "kor", "KOR", "ko-KR" all become "kor". Unknown tags come back
// lower-cased, without region.
func normLanguage(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if t, ok := iso639[tag]; ok {
		return t
	}
	if t, ok := bibliographic[tag]; ok {
		return t
	}
	return tag
}

// sameLanguage reports whether two language tags name the same language,
// whatever their form (ISO 639-1, 639-2/T or /B, or a BCP 47 tag).
func sameLanguage(a, b string) bool {
	a, b = normLanguage(a), normLanguage(b)
	return a != "" && a == b
}
