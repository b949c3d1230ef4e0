package textinput

import (
	"testing"
	"time"
)

func TestFieldTypingAndBackspace(t *testing.T) {
	f := NewField(10)
	for _, r := range "ㄷㅏㄹㄱ" {
		f.Type(r)
	}
	if f.Text() != "닭" {
		t.Fatalf("typed %q", f.Text())
	}
	steps := []string{"달", "다", "ㄷ", ""}
	for _, want := range steps {
		f.Backspace()
		if f.Text() != want {
			t.Fatalf("after backspace %q, want %q", f.Text(), want)
		}
	}
	f.Backspace() // on empty: nothing happens
	for _, r := range "abcdefghijkl" {
		f.Type(r)
	}
	if f.Text() != "abcdefghij" {
		t.Errorf("the field took more than its maximum: %q", f.Text())
	}
}

func TestMultiTap(t *testing.T) {
	t0 := time.Unix(100, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	type tap struct {
		digit int
		ms    int
	}
	cases := []struct {
		name   string
		layout *Layout
		taps   []tap
		want   string
	}{
		{"latin cycles", &Latin, []tap{{2, 0}, {2, 300}, {2, 600}}, "c"},
		{"latin timeout starts a new letter", &Latin, []tap{{2, 0}, {2, 2000}}, "aa"},
		{"latin another key", &Latin, []tap{{4, 0}, {4, 200}, {4, 400}, {3, 600}}, "id"},
		{"cycle wraps", &Latin, []tap{{2, 0}, {2, 100}, {2, 200}, {2, 300}, {2, 400}}, "a"},
		{"cyrillic", &Cyrillic, []tap{{6, 0}, {6, 200}, {2, 400}, {6, 600}, {2, 800}, {2, 1000}}, "сарб"},
		{"hangul composes", &Hangul, []tap{{3, 0}, {8, 300}, {1, 600}, {1, 900}, {9, 1200}, {9, 1500}, {9, 1800}, {9, 2100}}, "다큐"},
		{"digit without letters", &Layout{}, []tap{{5, 0}, {5, 100}}, "55"},
	}
	for _, c := range cases {
		f := NewField(20)
		for _, tp := range c.taps {
			f.MultiTap(c.layout, tp.digit, at(tp.ms))
		}
		if got := f.Text(); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestKeyboard(t *testing.T) {
	f := NewField(20)
	k := NewKeyboard(&Hangul, &Latin, &Cyrillic)
	press := func(row, col int) {
		r, c := k.Focus()
		k.Move(col-c, row-r)
		k.Press(f)
	}
	// control presses a key of the shared bottom row.
	control := func(kind KeyKind) {
		rows := k.Layout().Rows
		for col, key := range rows[len(rows)-1] {
			if key.Kind == kind {
				press(len(rows)-1, col)
				return
			}
		}
		t.Fatalf("no key of kind %v", kind)
	}
	// 다 = ㄷ (row 0, col 2), ㅏ (row 1, col 7); 큐 = ㅋ (row 2, col 0), ㅠ (row 2, col 4).
	press(0, 2)
	press(1, 7)
	press(2, 0)
	press(2, 4)
	if f.Text() != "다큐" {
		t.Fatalf("typed %q on the Hangul keyboard", f.Text())
	}
	// Shift gives a double consonant once.
	control(KeyShift)
	press(0, 3) // ㄲ
	press(1, 7) // ㅏ
	if f.Text() != "다큐까" || k.Shift {
		t.Fatalf("shifted typing gave %q (shift %v)", f.Text(), k.Shift)
	}
	control(KeyNext) // Latin
	if k.Layout().Name != "ABC" {
		t.Fatalf("layout %q after the layout key", k.Layout().Name)
	}
	control(KeySpace)
	press(0, 0) // a
	control(KeyBackspace)
	control(KeyBackspace)
	if f.Text() != "다큐까" {
		t.Errorf("after space, a, two backspaces: %q", f.Text())
	}
	// Moving past the edges stops there.
	k.Move(-50, -50)
	if r, c := k.Focus(); r != 0 || c != 0 {
		t.Errorf("focus %d,%d after moving far up-left", r, c)
	}
	k.Move(50, 50)
	if r, c := k.Focus(); r != len(k.Layout().Rows)-1 || c != len(k.Layout().Rows[r])-1 {
		t.Errorf("focus %d,%d after moving far down-right", r, c)
	}
}
