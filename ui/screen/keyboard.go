package screen

import (
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/textinput"
)

// typing is text entry with the remote: an on-screen keyboard typing into
// a field, and multi-tap on the digit keys. Search and the operator
// address entry share it.
type typing struct {
	field *textinput.Field
	kbd   *textinput.Keyboard
}

// newTyping returns a keyboard whose layouts start with the one of lang.
func newTyping(lang string, maxLen int, latinFirst bool) *typing {
	layouts := []*textinput.Layout{&textinput.Hangul, &textinput.Latin, &textinput.Cyrillic}
	switch {
	case latinFirst || lang == "en":
		layouts = []*textinput.Layout{&textinput.Latin, &textinput.Hangul, &textinput.Cyrillic}
	case lang == "ru":
		layouts = []*textinput.Layout{&textinput.Cyrillic, &textinput.Latin, &textinput.Hangul}
	}
	return &typing{field: textinput.NewField(maxLen), kbd: textinput.NewKeyboard(layouts...)}
}

// handle takes a key for the keyboard. It reports whether it used the key,
// whether the text changed, and whether the keyboard's Done key was
// pressed. Right at the keyboard's right edge is not used, so that the
// screen can move the focus beyond.
func (t *typing) handle(ev remote.Event, now time.Time) (used, changed, done bool) {
	if !pressed(ev) {
		return false, false, false
	}
	before := t.field.Text()
	if d, ok := ev.Key.Digit(); ok {
		if firstPress(ev) {
			t.field.MultiTap(t.kbd.Layout(), d, now)
		}
		return true, t.field.Text() != before, false
	}
	row, col := t.kbd.Focus()
	switch ev.Key {
	case remote.KeyUp:
		t.kbd.Move(0, -1)
	case remote.KeyDown:
		t.kbd.Move(0, 1)
	case remote.KeyLeft:
		if col == 0 {
			return false, false, false
		}
		t.kbd.Move(-1, 0)
	case remote.KeyRight:
		if col == len(t.kbd.Layout().Rows[row])-1 {
			return false, false, false
		}
		t.kbd.Move(1, 0)
	case remote.KeyOK:
		key := t.kbd.Press(t.field)
		return true, t.field.Text() != before, key.Kind == textinput.KeyDone
	default:
		return false, false, false
	}
	return true, false, false
}

// setText replaces the field's text.
func (t *typing) setText(s string) {
	t.field.Clear()
	for _, r := range s {
		t.field.Type(r)
	}
}

// focusedKey names the focused key as drawn.
func (t *typing) focusedKey(lang string) string {
	row, col := t.kbd.Focus()
	return t.keyLabel(t.kbd.Layout().Rows[row][col], lang)
}

func (t *typing) keyLabel(k textinput.Key, lang string) string {
	switch k.Kind {
	case textinput.KeyNext:
		// The name of the layout it switches to: the font has no globe.
		return t.kbd.Layouts[(t.layoutIndex()+1)%len(t.kbd.Layouts)].Name
	case textinput.KeySpace:
		return i18n.T(lang, i18n.KeyboardSpace)
	case textinput.KeyDone:
		return i18n.T(lang, i18n.KeyboardDone)
	}
	return t.kbd.KeyLabel(k)
}

func (t *typing) layoutIndex() int {
	for i, l := range t.kbd.Layouts {
		if l == t.kbd.Layout() {
			return i
		}
	}
	return 0
}

// drawField draws the text being typed in r, with a caret, or the prompt
// when empty.
func (t *typing) drawField(c draw.Canvas, r draw.Rect, prompt string, now time.Time, s float32) {
	c.RoundRect(r, 10*s, colRaised)
	size := 26 * s
	base := r.Y + r.H/2 + 9*s
	text := t.field.Text()
	if text == "" {
		c.Text(r.X+20*s, base, ellipsize(c, prompt, 22*s, r.W-40*s), 22*s, colTextDim)
		c.FillRect(draw.Rect{X: r.X + 18*s, Y: r.Y + 12*s, W: 2 * s, H: r.H - 24*s}, colAccent)
		return
	}
	// Show the end of a long text: it is where the typing is.
	for tw, _, _ := c.MeasureText(text, size); tw > r.W-48*s && len(text) > 0; tw, _, _ = c.MeasureText(text, size) {
		_, n := firstRune(text)
		text = text[n:]
	}
	c.Text(r.X+20*s, base, text, size, colText)
	tw, _, _ := c.MeasureText(text, size)
	caret := colAccent
	if t.field.Pending(now) { // a multi-tap letter may still change
		caret = colText
		c.FillRect(draw.Rect{X: r.X + 20*s, Y: base + 6*s, W: tw, H: 2 * s}, colAccent)
	}
	c.FillRect(draw.Rect{X: r.X + 22*s + tw, Y: r.Y + 12*s, W: 2 * s, H: r.H - 24*s}, caret)
}

func firstRune(s string) (rune, int) {
	for i, r := range s {
		if i > 0 {
			return r, i
		}
	}
	return 0, len(s)
}

// drawKeyboard draws the keys in r; the focused one lit when active.
func (t *typing) drawKeyboard(c draw.Canvas, r draw.Rect, active bool, lang string, s float32) {
	rows := t.kbd.Layout().Rows
	fr, fc := t.kbd.Focus()
	pitchY := r.H / float32(len(rows))
	for ri, row := range rows {
		pitchX := r.W / float32(len(row))
		for ci, k := range row {
			kr := draw.Rect{X: r.X + float32(ci)*pitchX, Y: r.Y + float32(ri)*pitchY, W: pitchX - 6*s, H: pitchY - 6*s}
			bg, fg := colRaised, colText
			if k.Kind != textinput.KeyChar {
				bg = colPanelSolid
			}
			if k.Kind == textinput.KeyShift && t.kbd.Shift {
				fg = colAccent
			}
			if ri == fr && ci == fc {
				if active {
					bg, fg = colFocus, colBackground
				} else {
					bg = colTextDim.Fade(0.5)
				}
			}
			c.RoundRect(kr, 8*s, bg)
			label := t.keyLabel(k, lang)
			size := min(24*s, kr.H*0.5)
			if k.Kind != textinput.KeyChar {
				size = min(18*s, kr.H*0.4)
			}
			label = ellipsize(c, label, size, kr.W-8*s)
			centreText(c, kr, kr.Y+kr.H/2+size*0.36, label, size, fg)
		}
	}
}
