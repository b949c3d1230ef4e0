package textinput

import "testing"

func TestCompose(t *testing.T) {
	cases := []struct{ typed, want string }{
		{"ㄷㅏㅋㅠ", "다큐"},
		{"ㅎㅏㄴㄱㅡㄹ", "한글"},
		{"ㄷㅏㄹㄱ", "닭"},    // a double final
		{"ㄷㅏㄹㄱㅇㅣ", "닭이"}, // stays when a consonant follows
		{"ㄷㅏㄹㄱㅏ", "달가"},  // its second half moves before a vowel
		{"ㅇㅏㄴㅈㅏ", "안자"},  // a single final moves before a vowel
		{"ㄱㅗㅏ", "과"},     // vowels combine
		{"ㅇㅜㅓㄴ", "원"},
		{"ㅇㅡㅣㅅㅏ", "의사"},
		{"ㄱㄱ", "ㄱㄱ"}, // no double initial from two presses
		{"ㅏ", "ㅏ"},   // a lone vowel
		{"ㅏㅏ", "ㅏㅏ"},
		{"ㄲㅏㄸ", "까ㄸ"}, // ㄸ cannot be a final
		{"ㅂㅏㄸㅏ", "바따"},
		{"ㄱㅏㅄ", "값"},
		{"ㄱㅏㅄㅣ", "갑시"},
		{"news 뉴스", "news 뉴스"},
		{"ㄴㅠㅅㅡ 2024", "뉴스 2024"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Compose([]rune(c.typed)); got != c.want {
			t.Errorf("Compose(%q) = %q, want %q", c.typed, got, c.want)
		}
	}
}

// Every syllable of the table can be typed from its jamo.
func TestComposeEverySyllable(t *testing.T) {
	for ci, cho := range choseong {
		for vi, jung := range jungseong {
			for fi, jong := range jongseong {
				want := rune(syllableBase + (ci*jungCount+vi)*jongCount + fi)
				typed := append(typeJamo(cho), typeJamo(jung)...)
				if fi > 0 {
					typed = append(typed, typeJamo(jong)...)
				}
				if got := Compose(typed); got != string(want) {
					t.Fatalf("typing %q gave %q, want %q", string(typed), got, string(want))
				}
			}
		}
	}
}

// typeJamo returns the keys that make one jamo on a 2-beolsik keyboard:
// compound vowels and double finals take two keys.
func typeJamo(r rune) []rune {
	for pair, v := range vowelPairs {
		if v == r {
			return pair[:]
		}
	}
	if pair, ok := finalSplit[r]; ok {
		return pair[:]
	}
	return []rune{r}
}

func FuzzCompose(f *testing.F) {
	f.Add("ㄷㅏㅋㅠ")
	f.Add("ㄷㅏㄹㄱㅏ abc")
	f.Fuzz(func(t *testing.T, s string) {
		out := Compose([]rune(s))
		// Composition never makes text longer than what was typed.
		if len([]rune(out)) > len([]rune(s)) {
			t.Fatalf("Compose(%q) = %q is longer", s, out)
		}
	})
}
