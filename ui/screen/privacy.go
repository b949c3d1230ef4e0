package screen

import (
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/state"
)

// The entries of the screen of what the box remembers, in order.
const (
	privKeep     = "keep_resume"
	privResume   = state.ForgetResume
	privSearches = state.ForgetSearches
	privChannels = state.ForgetChannels
	privAll      = "all"
)

var privacyItems = []string{privKeep, privResume, privSearches, privChannels, privAll}

// forgettable are the kinds "Everything above" clears.
var forgettable = []string{state.ForgetResume, state.ForgetSearches, state.ForgetChannels}

// Privacy is the screen of what the box remembers of its viewer: where
// they stopped in titles, their recent searches, the last channels they
// watched, each with how many and cleared with OK; and whether the
// operator is told where they stopped. It is opened from Settings.
type Privacy struct {
	host  PrivacyHost
	focus int
}

// PrivacyHost is the Privacy screen's.
type PrivacyHost interface {
	Nav
	Memory
}

// NewPrivacy returns the screen of what the box remembers.
func NewPrivacy(host PrivacyHost) *Privacy { return &Privacy{host: host} }

// Name implements Screen.
func (p *Privacy) Name() string { return "privacy" }

// Handle implements Screen.
func (p *Privacy) Handle(ev remote.Event) bool {
	if !pressed(ev) {
		return isNavKey(ev.Key) || ev.Key == remote.KeyBack
	}
	switch ev.Key {
	case remote.KeyBack:
		if firstPress(ev) {
			p.host.Back()
		}
	case remote.KeyUp:
		p.focus = max(p.focus-1, 0)
	case remote.KeyDown:
		p.focus = min(p.focus+1, len(privacyItems)-1)
	case remote.KeyLeft, remote.KeyRight:
		if privacyItems[p.focus] == privKeep {
			s := p.host.State().Settings
			s.ResumeShared = !s.ResumeShared
			p.host.Apply(s)
		}
	case remote.KeyOK:
		if firstPress(ev) {
			p.clear(privacyItems[p.focus])
		}
	default:
		return false
	}
	return true
}

// clear forgets what the entry item stands for.
func (p *Privacy) clear(item string) {
	switch item {
	case privKeep:
		s := p.host.State().Settings
		s.ResumeShared = !s.ResumeShared
		p.host.Apply(s)
	case privAll:
		for _, kind := range forgettable {
			p.host.Forget(kind)
		}
	default:
		p.host.Forget(item)
	}
}

// remembered is how many things the entry item stands for.
func (p *Privacy) remembered(item string) int {
	if item == privAll {
		return rememberedAll(p.host.State())
	}
	return p.host.State().Remembered(item)
}

// rememberedAll is how many things of every forgettable kind st holds.
func rememberedAll(st *state.State) int {
	n := 0
	for _, kind := range forgettable {
		n += st.Remembered(kind)
	}
	return n
}

// label names an entry.
func (p *Privacy) label(item string) string {
	key := map[string]string{
		privKeep: i18n.PrivacyKeepResume, privResume: i18n.PrivacyResume, privSearches: i18n.PrivacySearches,
		privChannels: i18n.PrivacyChannels, privAll: i18n.PrivacyAll,
	}[item]
	return i18n.T(p.host.Lang(), key)
}

// value is an entry's current value as shown.
func (p *Privacy) value(item string) string {
	lang := p.host.Lang()
	if item == privKeep {
		if p.host.State().Settings.ResumeShared {
			return i18n.T(lang, i18n.PrivacyShared)
		}
		return i18n.T(lang, i18n.PrivacyOnBox)
	}
	if n := p.remembered(item); n > 0 {
		return i18n.T(lang, i18n.PrivacyCount, n)
	}
	return i18n.T(lang, i18n.PrivacyNone)
}

// Update implements Screen.
func (p *Privacy) Update(time.Time) {}

// Wake implements Screen: only the clock moves.
func (p *Privacy) Wake(now time.Time) time.Time { return nextMinute(now) }

// PrivacyState is the screen's report to the control endpoint: the
// focused entry, and each entry's value (the number remembered, or the
// choice).
type PrivacyState struct {
	Screen       string         `json:"screen"`
	Focus        string         `json:"focus"`
	ResumeShared bool           `json:"resume_shared"`
	Remembered   map[string]int `json:"remembered"`
}

// State implements Screen.
func (p *Privacy) State() any {
	r := map[string]int{}
	for _, item := range privacyItems[1:] {
		r[item] = p.remembered(item)
	}
	return PrivacyState{Screen: p.Name(), Focus: privacyItems[p.focus], ResumeShared: p.host.State().Settings.ResumeShared, Remembered: r}
}

// Draw implements Screen.
func (p *Privacy) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, _ := c.Size()
	lang := p.host.Lang()
	background(c, i18n.T(lang, i18n.SetPrivacy), now)
	rows := make([]entryRow, len(privacyItems))
	for i, item := range privacyItems {
		rows[i] = entryRow{label: p.label(item), value: p.value(item), cycles: item == privKeep}
	}
	bottom := drawEntries(c, rows, p.focus)
	help := i18n.PrivacyClearHelp
	if privacyItems[p.focus] == privKeep {
		help = i18n.PrivacyKeepHelp
	}
	c.Text(margin*s, (bottom+34)*s, ellipsize(c, i18n.T(lang, help), 19*s, w-2*margin*s), 19*s, colAccent)
	hints(c, i18n.T(lang, i18n.HintPrivacy))
}
