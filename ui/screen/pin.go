package screen

import (
	"strings"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/state"
)

// pinLen is the number of digits of the parental PIN.
const pinLen = 4

// PIN asks for the parental PIN over the screen below it: to watch a
// rated title or channel, to change the parental settings, or to set a
// new PIN.
type PIN struct {
	host   PINHost
	prompt string
	typed  string
	msg    string // why the last entry was refused
	change bool   // setting a new PIN
	step   int    // when changing: 0 the current PIN, 1 the new, 2 again
	newPIN string
	onOK   func()
	zap    func(delta int) // CH+ and CH- while asking for a channel
}

// NewPINCheck returns a prompt for the PIN; onOK runs once it is right,
// after the prompt has closed.
func NewPINCheck(host PINHost, prompt string, onOK func()) *PIN {
	if prompt == "" {
		prompt = i18n.T(host.Lang(), i18n.PINEnter)
	}
	return &PIN{host: host, prompt: prompt, onOK: onOK}
}

// OnChannelKeys lets CH+ and CH- pass through the prompt: they close it
// and call zap with +1 or -1, so that a viewer zapping past a locked
// channel goes on to the next one.
func (p *PIN) OnChannelKeys(zap func(delta int)) { p.zap = zap }

// NewPINChange returns the prompts that set a new PIN: the current one,
// the new one, and the new one again.
func NewPINChange(host PINHost) *PIN {
	return &PIN{host: host, prompt: i18n.T(host.Lang(), i18n.PINEnter), change: true}
}

// Name implements Screen.
func (p *PIN) Name() string { return "pin" }

// Handle implements Screen. It takes every key: the prompt is modal.
func (p *PIN) Handle(ev remote.Event) bool {
	if !firstPress(ev) {
		return true
	}
	if ev.Key == remote.KeyBack {
		if p.typed != "" {
			p.typed = p.typed[:len(p.typed)-1]
			return true
		}
		p.host.Back()
		return true
	}
	if p.zap != nil && (ev.Key == remote.KeyChannelUp || ev.Key == remote.KeyChannelDown) {
		delta := 1
		if ev.Key == remote.KeyChannelDown {
			delta = -1
		}
		p.host.Back()
		p.zap(delta)
		return true
	}
	d, ok := ev.Key.Digit()
	if !ok {
		return true
	}
	p.typed += string(rune('0' + d))
	if len(p.typed) == pinLen {
		p.enter()
	}
	return true
}

func (p *PIN) enter() {
	lang := p.host.Lang()
	pin := p.typed
	p.typed = ""
	p.msg = ""
	current := p.host.State().Settings.PIN
	switch {
	case !p.change || p.step == 0:
		if pin != current {
			p.msg = i18n.T(lang, i18n.PINWrong)
			return
		}
		if !p.change {
			p.host.Back()
			if p.onOK != nil {
				p.onOK()
			}
			return
		}
		p.step, p.prompt = 1, i18n.T(lang, i18n.PINNew)
	case p.step == 1:
		p.newPIN, p.step, p.prompt = pin, 2, i18n.T(lang, i18n.PINConfirm)
	default:
		if pin != p.newPIN {
			p.msg = i18n.T(lang, i18n.PINMismatch)
			p.step, p.prompt = 1, i18n.T(lang, i18n.PINNew)
			return
		}
		s := p.host.State().Settings
		s.PIN = pin
		p.host.Apply(s)
		p.host.Back()
	}
}

// Update implements Screen.
func (p *PIN) Update(time.Time) {}

// PINState is the prompt's report to the control endpoint; it never
// tells the digits.
type PINState struct {
	Screen  string `json:"screen"`
	Prompt  string `json:"prompt"`
	Typed   int    `json:"typed"`
	Message string `json:"message,omitempty"`
}

// State implements Screen.
func (p *PIN) State() any {
	return PINState{Screen: p.Name(), Prompt: p.prompt, Typed: len(p.typed), Message: p.msg}
}

// Draw implements Screen.
func (p *PIN) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, h := c.Size()
	lang := p.host.Lang()
	c.FillRect(draw.Rect{W: w, H: h}, colBackground.Fade(0.85))
	box := draw.Rect{X: w/2 - 330*s, Y: h/2 - 170*s, W: 660 * s, H: 340 * s}
	c.RoundRect(box, 18*s, colPanelSolid)
	for i, l := range wrap(c, p.prompt, 26*s, box.W-64*s, 2) {
		centreText(c, box, box.Y+64*s+float32(i)*36*s, l, 26*s, colText)
	}
	cell := 72 * s
	gap := 20 * s
	x := box.X + (box.W-(pinLen*cell+(pinLen-1)*gap))/2
	for i := 0; i < pinLen; i++ {
		r := draw.Rect{X: x + float32(i)*(cell+gap), Y: box.Y + 130*s, W: cell, H: cell}
		col := colRaised
		if i == len(p.typed) {
			focusRing(c, r, 12*s, s)
		}
		c.RoundRect(r, 12*s, col)
		if i < len(p.typed) {
			c.RoundRect(r.Inset(cell/2-10*s), 10*s, colAccent)
		}
	}
	if p.msg != "" {
		centreText(c, box, box.Y+258*s, ellipsize(c, p.msg, 20*s, box.W-48*s), 20*s, colError)
	}
	centreText(c, box, box.Bottom()-28*s, i18n.T(lang, i18n.HintPIN), 18*s, colTextDim)
}

// NeedsPIN reports whether a title rated rating asks for the PIN under
// the settings s.
func NeedsPIN(s state.Settings, rating string) bool {
	if s.ParentalRating == "" || rating == "" || strings.EqualFold(rating, "ALL") {
		return false
	}
	return ratingAge(rating) >= ratingAge(s.ParentalRating)
}

// ratingAge reads an age rating: "15", "15+", "R-15" are 15; unknown
// ratings count as adult, so that they ask.
func ratingAge(r string) int {
	n, digits := 0, false
	for _, c := range r {
		if c >= '0' && c <= '9' {
			n = n*10 + int(c-'0')
			digits = true
		} else if digits {
			break
		}
	}
	if !digits {
		return 99
	}
	return n
}
