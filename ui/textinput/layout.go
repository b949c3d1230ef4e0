package textinput

// KeyKind says what an on-screen key does.
type KeyKind int

// Kinds of on-screen keys.
const (
	KeyChar      KeyKind = iota // types its rune
	KeySpace                    // types a space
	KeyBackspace                // removes the last character
	KeyShift                    // toggles the shifted rune of each key
	KeyNext                     // switches to the next layout
	KeyDone                     // ends typing
)

// Key is one key of the on-screen keyboard.
type Key struct {
	Kind    KeyKind
	Rune    rune // for KeyChar
	Shifted rune // for KeyChar with shift on; 0 when the same
	Label   string
}

// Layout is an on-screen keyboard for one script, and the letters of each
// digit key for multi-tap.
type Layout struct {
	Name     string // shown on the layout key: "ABC", "АБВ", "한글"
	Rows     [][]Key
	MultiTap [10][]rune
}

func chars(s, shifted string) []Key {
	rs, ss := []rune(s), []rune(shifted)
	keys := make([]Key, len(rs))
	for i, r := range rs {
		keys[i] = Key{Kind: KeyChar, Rune: r, Label: string(r)}
		if i < len(ss) && ss[i] != r {
			keys[i].Shifted = ss[i]
		}
	}
	return keys
}

// controls is the bottom row every layout shares.
func controls() []Key {
	return []Key{
		{Kind: KeyShift, Label: "⇧"},
		{Kind: KeyNext, Label: "🌐"},
		{Kind: KeySpace, Label: "␣"},
		{Kind: KeyBackspace, Label: "⌫"},
		{Kind: KeyDone, Label: "OK"},
	}
}

// The layouts: Latin and Cyrillic in alphabetical order (faster with arrows
// than QWERTY/ЙЦУКЕН, as on most TV keyboards), Hangul in the 2-beolsik
// arrangement Korean viewers know, shift giving double consonants and ㅒ ㅖ.
var (
	Latin = Layout{
		Name: "ABC",
		Rows: [][]Key{
			chars("abcdefg", "ABCDEFG"),
			chars("hijklmn", "HIJKLMN"),
			chars("opqrstu", "OPQRSTU"),
			chars("vwxyz-'", "VWXYZ-'"),
			chars("1234567", "1234567"),
			chars("890.,?!", "890.,?!"),
			controls(),
		},
		MultiTap: [10][]rune{
			1: []rune(".,?!1"), 2: []rune("abc2"), 3: []rune("def3"), 4: []rune("ghi4"),
			5: []rune("jkl5"), 6: []rune("mno6"), 7: []rune("pqrs7"), 8: []rune("tuv8"),
			9: []rune("wxyz9"), 0: []rune(" 0"),
		},
	}
	Cyrillic = Layout{
		Name: "АБВ",
		Rows: [][]Key{
			chars("абвгдеёж", "АБВГДЕЁЖ"),
			chars("зийклмно", "ЗИЙКЛМНО"),
			chars("прстуфхц", "ПРСТУФХЦ"),
			chars("чшщъыьэю", "ЧШЩЪЫЬЭЮ"),
			chars("я1234567", "Я1234567"),
			chars("890.,-?!", "890.,-?!"),
			controls(),
		},
		MultiTap: [10][]rune{
			1: []rune(".,?!1"), 2: []rune("абвг2"), 3: []rune("деёжз3"), 4: []rune("ийкл4"),
			5: []rune("мноп5"), 6: []rune("рсту6"), 7: []rune("фхцч7"), 8: []rune("шщъы8"),
			9: []rune("ьэюя9"), 0: []rune(" 0"),
		},
	}
	Hangul = Layout{
		Name: "한글",
		Rows: [][]Key{
			chars("ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔ", "ㅃㅉㄸㄲㅆㅛㅕㅑㅒㅖ"),
			chars("ㅁㄴㅇㄹㅎㅗㅓㅏㅣ", "ㅁㄴㅇㄹㅎㅗㅓㅏㅣ"),
			chars("ㅋㅌㅊㅍㅠㅜㅡ", "ㅋㅌㅊㅍㅠㅜㅡ"),
			chars("1234567890", "1234567890"),
			controls(),
		},
		// Multi-tap on a remote's digits: consonants by their shape family,
		// vowels in pairs; combined vowels come from typing two (ㅗ then ㅏ).
		MultiTap: [10][]rune{
			1: []rune("ㄱㅋㄲ"), 2: []rune("ㄴㄹ"), 3: []rune("ㄷㅌㄸ"), 4: []rune("ㅂㅍㅃ"),
			5: []rune("ㅅㅎㅆ"), 6: []rune("ㅈㅊㅉ"), 7: []rune("ㅇㅁ"), 8: []rune("ㅏㅑㅓㅕ"),
			9: []rune("ㅗㅛㅜㅠ"), 0: []rune("ㅡㅣㅐㅔ"),
		},
	}
)

// Keyboard is the on-screen keyboard's state: which layout, which key has
// the focus, and whether shift is on.
type Keyboard struct {
	Layouts []*Layout
	layout  int
	row     int
	col     int
	Shift   bool
}

// NewKeyboard returns a keyboard over layouts, showing the first.
func NewKeyboard(layouts ...*Layout) *Keyboard { return &Keyboard{Layouts: layouts} }

// Layout returns the layout shown.
func (k *Keyboard) Layout() *Layout { return k.Layouts[k.layout] }

// Focus returns the focused key's row and column.
func (k *Keyboard) Focus() (row, col int) { return k.row, k.col }

// Move moves the focus by dx keys across and dy rows down, stopping at the
// edges; moving between rows of different lengths keeps the column in range.
func (k *Keyboard) Move(dx, dy int) {
	rows := k.Layout().Rows
	k.row = min(max(k.row+dy, 0), len(rows)-1)
	k.col = min(max(k.col+dx, 0), len(rows[k.row])-1)
}

// Press acts on the focused key: characters are typed into f, shift and
// layout keys change the keyboard. It returns the key pressed.
func (k *Keyboard) Press(f *Field) Key {
	key := k.Layout().Rows[k.row][k.col]
	switch key.Kind {
	case KeyChar:
		r := key.Rune
		if k.Shift && key.Shifted != 0 {
			r = key.Shifted
		}
		f.Type(r)
		k.Shift = false
	case KeySpace:
		f.Type(' ')
	case KeyBackspace:
		f.Backspace()
	case KeyShift:
		k.Shift = !k.Shift
	case KeyNext:
		k.layout = (k.layout + 1) % len(k.Layouts)
		k.Shift = false
		k.Move(0, 0)
	}
	return key
}

// KeyLabel returns the label to draw for a key, shift applied.
func (k *Keyboard) KeyLabel(key Key) string {
	if key.Kind == KeyChar && k.Shift && key.Shifted != 0 {
		return string(key.Shifted)
	}
	return key.Label
}
