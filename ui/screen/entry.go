package screen

import (
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// TextEntry types one line of text with the on-screen keyboard, such as
// the operator's address, and hands it over when the keyboard's Done key
// is pressed.
type TextEntry struct {
	host   EntryHost
	title  string
	typing *typing
	done   func(string)
}

// NewTextEntry returns an entry screen holding initial; done gets the text
// after the screen has closed. Back closes it without a word.
func NewTextEntry(host EntryHost, title, initial string, done func(string)) *TextEntry {
	e := &TextEntry{host: host, title: title, typing: newTyping(host.Lang(), 200, true), done: done}
	e.typing.setText(initial)
	return e
}

// Name implements Screen.
func (e *TextEntry) Name() string { return "entry" }

// Handle implements Screen.
func (e *TextEntry) Handle(ev remote.Event) bool {
	if ev.Key == remote.KeyBack {
		if firstPress(ev) {
			e.host.Back()
		}
		return true
	}
	_, _, done := e.typing.handle(ev, e.host.Now())
	if done {
		text := e.typing.field.Text()
		e.host.Back()
		e.done(text)
	}
	return true
}

// Update implements Screen.
func (e *TextEntry) Update(time.Time) {}

// EntryState is the entry screen's report to the control endpoint.
type EntryState struct {
	Screen string `json:"screen"`
	Text   string `json:"text"`
	Key    string `json:"key"`
}

// State implements Screen.
func (e *TextEntry) State() any {
	return EntryState{Screen: e.Name(), Text: e.typing.field.Text(), Key: e.typing.focusedKey(e.host.Lang())}
}

// Draw implements Screen.
func (e *TextEntry) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, _ := c.Size()
	lang := e.host.Lang()
	background(c, e.title, now)
	e.typing.drawField(c, draw.Rect{X: margin * s, Y: 96 * s, W: w - 2*margin*s, H: 64 * s}, "", now, s)
	e.typing.drawKeyboard(c, draw.Rect{X: (w/s - 760) / 2 * s, Y: 190 * s, W: 760 * s, H: 460 * s}, true, lang, s)
	hints(c, i18n.T(lang, i18n.HintEntry))
}

// TypeText implements TextField.
func (e *TextEntry) TypeText(text string, submit bool) {
	e.typing.setText(text)
	if submit {
		text := e.typing.field.Text()
		e.host.Back()
		e.done(text)
	}
}
