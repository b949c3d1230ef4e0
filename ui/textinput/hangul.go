// Package textinput is text entry with a remote control: Hangul jamo
// composed into syllables as they are typed (the 2-beolsik rules), the
// layouts of the on-screen keyboard, and multi-tap entry on the digit keys.
// It is plain state with no drawing, so the search screen draws it and the
// tests type into it.
package textinput

// Compatibility jamo (U+3131..U+3163) are what the keyboard types; they are
// composed into syllables (U+AC00..U+D7A3) as the standard 2-beolsik
// automaton does.
const (
	syllableBase = 0xAC00
	jungCount    = 21
	jongCount    = 28
)

// The initial, medial and final jamo in syllable-table order.
var (
	choseong  = []rune("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")
	jungseong = []rune("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ")
	// jongseong[0] is "no final".
	jongseong = []rune(" ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")
)

// Two vowels typed in a row that make one, and two finals that make one.
var (
	vowelPairs = map[[2]rune]rune{
		{'ㅗ', 'ㅏ'}: 'ㅘ', {'ㅗ', 'ㅐ'}: 'ㅙ', {'ㅗ', 'ㅣ'}: 'ㅚ',
		{'ㅜ', 'ㅓ'}: 'ㅝ', {'ㅜ', 'ㅔ'}: 'ㅞ', {'ㅜ', 'ㅣ'}: 'ㅟ',
		{'ㅡ', 'ㅣ'}: 'ㅢ',
	}
	finalPairs = map[[2]rune]rune{
		{'ㄱ', 'ㅅ'}: 'ㄳ', {'ㄴ', 'ㅈ'}: 'ㄵ', {'ㄴ', 'ㅎ'}: 'ㄶ',
		{'ㄹ', 'ㄱ'}: 'ㄺ', {'ㄹ', 'ㅁ'}: 'ㄻ', {'ㄹ', 'ㅂ'}: 'ㄼ', {'ㄹ', 'ㅅ'}: 'ㄽ',
		{'ㄹ', 'ㅌ'}: 'ㄾ', {'ㄹ', 'ㅍ'}: 'ㄿ', {'ㄹ', 'ㅎ'}: 'ㅀ', {'ㅂ', 'ㅅ'}: 'ㅄ',
	}
	finalSplit = func() map[rune][2]rune {
		m := make(map[rune][2]rune, len(finalPairs))
		for pair, f := range finalPairs {
			m[f] = pair
		}
		return m
	}()
)

func index(set []rune, r rune) int {
	for i, s := range set {
		if s == r {
			return i
		}
	}
	return -1
}

// IsConsonant reports whether r is a compatibility consonant jamo.
func IsConsonant(r rune) bool { return r >= 'ㄱ' && r <= 'ㅎ' }

// IsVowel reports whether r is a compatibility vowel jamo.
func IsVowel(r rune) bool { return r >= 'ㅏ' && r <= 'ㅣ' }

// IsJamo reports whether r is a compatibility jamo the composer takes.
func IsJamo(r rune) bool { return IsConsonant(r) || IsVowel(r) }

// block is the syllable being composed: its initial, medial and final jamo
// (0 where absent).
type block struct{ cho, jung, jong rune }

func (b block) empty() bool { return b.cho == 0 && b.jung == 0 && b.jong == 0 }

// rune returns the block as one character: a syllable, or a lone jamo.
func (b block) rune() rune {
	switch {
	case b.cho != 0 && b.jung != 0:
		ci, vi, fi := index(choseong, b.cho), index(jungseong, b.jung), 0
		if b.jong != 0 {
			fi = index(jongseong, b.jong)
		}
		return rune(syllableBase + (ci*jungCount+vi)*jongCount + fi)
	case b.cho != 0:
		return b.cho
	default:
		return b.jung
	}
}

// Compose turns a sequence of typed characters into text: runs of jamo
// become syllables, everything else passes through. Composing the whole
// sequence each time keeps Backspace simple: it removes the last jamo typed,
// and the syllable is recomposed from what is left.
func Compose(typed []rune) string {
	out := make([]rune, 0, len(typed))
	var b block
	flush := func() {
		if !b.empty() {
			out = append(out, b.rune())
		}
		b = block{}
	}
	for _, r := range typed {
		switch {
		case IsConsonant(r):
			switch {
			case b.empty() || (b.cho != 0 && b.jung == 0) || (b.cho == 0 && b.jung != 0):
				flush()
				b.cho = r
			case b.jong == 0 && index(jongseong, r) > 0:
				b.jong = r
			case b.jong != 0 && finalPairs[[2]rune{b.jong, r}] != 0:
				b.jong = finalPairs[[2]rune{b.jong, r}]
			default:
				flush()
				b.cho = r
			}
		case IsVowel(r):
			switch {
			case b.cho != 0 && b.jung == 0:
				b.jung = r
			case b.jung != 0 && b.jong == 0 && vowelPairs[[2]rune{b.jung, r}] != 0:
				b.jung = vowelPairs[[2]rune{b.jung, r}]
			case b.jong != 0:
				// The final moves to begin the next syllable; of a double
				// final only its second half moves.
				next := b.jong
				if pair, ok := finalSplit[b.jong]; ok {
					b.jong, next = pair[0], pair[1]
				} else {
					b.jong = 0
				}
				if index(choseong, next) < 0 {
					flush()
					b.jung = r
					break
				}
				flush()
				b = block{cho: next, jung: r}
			default:
				flush()
				b.jung = r
			}
		default:
			flush()
			out = append(out, r)
		}
	}
	flush()
	return string(out)
}
