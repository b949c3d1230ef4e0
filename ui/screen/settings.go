package screen

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/state"
)

// The entries of the Settings screen, in order.
const (
	setLanguage   = "language"
	setOperator   = "operator"
	setParental   = "parental"
	setPIN        = "pin"
	setResolution = "resolution"
	setOverscan   = "overscan"
	setAudio      = "audio"
	setPrivacy    = "privacy"
	setPhones     = "phone_remote"
	setNetwork    = "network"
	setAbout      = "about"
	setUpdate     = "update"
)

var settingsItems = []string{setLanguage, setOperator, setParental, setPIN, setResolution, setOverscan, setAudio, setPrivacy, setPhones, setNetwork, setAbout, setUpdate}

// The choices of the entries that cycle with the arrows.
var (
	parentalChoices   = []string{"", "19", "15", "12"}
	resolutionChoices = []string{"", "1280x720", "1920x1080", "3840x2160"}
	audioChoices      = []string{state.AudioAuto, state.AudioOff}
)

// Settings is the settings screen: a list of entries, each changed with
// the arrows or opened with OK. Changes apply at once.
type Settings struct {
	host     SettingsHost
	focus    int
	unlocked bool // the PIN was given for the parental settings
	net      *NetStatus
	checking bool
	update   string // the firmware update's status, as shown
	updating bool
}

// NewSettings returns the settings screen and asks for the network status.
func NewSettings(host SettingsHost) *Settings {
	s := &Settings{host: host}
	s.checkNetwork()
	return s
}

// Name implements Screen.
func (st *Settings) Name() string { return "settings" }

func (st *Settings) checkNetwork() {
	if st.checking {
		return
	}
	st.checking = true
	st.host.Network(st.SetNetwork)
}

// SetNetwork shows the network status n.
func (st *Settings) SetNetwork(n NetStatus) {
	st.checking = false
	st.net = &n
}

// Handle implements Screen.
func (st *Settings) Handle(ev remote.Event) bool {
	if !pressed(ev) {
		return isNavKey(ev.Key) || ev.Key == remote.KeyBack
	}
	switch ev.Key {
	case remote.KeyBack:
		if firstPress(ev) {
			st.host.Back()
		}
	case remote.KeyUp:
		st.focus = max(st.focus-1, 0)
	case remote.KeyDown:
		st.focus = min(st.focus+1, len(settingsItems)-1)
	case remote.KeyLeft:
		st.change(-1)
	case remote.KeyRight:
		st.change(1)
	case remote.KeyOK:
		if firstPress(ev) {
			st.open()
		}
	default:
		return false
	}
	return true
}

// change moves the focused entry to its previous or next choice.
func (st *Settings) change(d int) {
	s := st.host.State().Settings
	switch settingsItems[st.focus] {
	case setLanguage:
		s.Lang = cycle(i18n.Languages, s.Lang, d)
	case setParental:
		if !st.unlocked {
			st.askPIN(func() { st.change(d) })
			return
		}
		s.ParentalRating = cycle(parentalChoices, s.ParentalRating, d)
	case setResolution:
		s.Resolution = cycle(resolutionChoices, s.Resolution, d)
	case setOverscan:
		s.Overscan = min(max(s.Overscan+d, 0), state.MaxOverscan)
	case setAudio:
		s.Audio = cycle(audioChoices, s.Audio, d)
	default:
		return
	}
	st.host.Apply(s)
}

// open acts on OK: entries that cycle move on, others open their screen.
func (st *Settings) open() {
	switch settingsItems[st.focus] {
	case setOperator:
		lang := st.host.Lang()
		st.host.Push(NewTextEntry(st.host, i18n.T(lang, i18n.EnterOperator), st.host.State().Settings.Operator, func(addr string) {
			s := st.host.State().Settings
			s.Operator = strings.TrimSpace(addr)
			st.host.Apply(s)
		}))
	case setPIN:
		st.host.Push(NewPINChange(st.host))
	case setPrivacy:
		st.host.Push(NewPrivacy(st.host))
	case setPhones:
		st.host.Push(NewPhoneRemote(st.host))
	case setNetwork:
		st.checkNetwork()
	case setUpdate:
		st.checkUpdate()
	case setAbout:
	default:
		st.change(1)
	}
}

func (st *Settings) askPIN(then func()) {
	st.host.Push(NewPINCheck(st.host, "", func() {
		st.unlocked = true
		then()
	}))
}

func (st *Settings) checkUpdate() {
	if st.updating {
		return
	}
	lang := st.host.Lang()
	st.updating = true
	st.update = i18n.T(lang, i18n.UpdateChecking)
	progress := func(state, version string) {
		switch {
		case !st.updating:
		case state == UpdateDownloading:
			st.update = i18n.T(lang, i18n.UpdateDownloading, version)
		case state == UpdateWriting:
			st.update = i18n.T(lang, i18n.UpdateWriting, version)
		}
	}
	ok := st.host.Update(progress, func(version string, err error) {
		st.updating = false
		var un interface{ Unconfirmed() bool }
		switch {
		case errors.As(err, &un) && un.Unconfirmed():
			st.update = i18n.T(lang, i18n.UpdateUnconfirmed)
		case err != nil:
			st.update = i18n.T(lang, i18n.UpdateFailed) + ": " + err.Error()
		case version == "":
			st.update = i18n.T(lang, i18n.UpdateNone)
		default:
			st.update = i18n.T(lang, i18n.UpdateInstalled, version)
		}
	})
	if !ok {
		st.updating = false
		st.update = i18n.T(lang, i18n.UpdateUnavailable)
	}
}

// cycle returns the choice d steps from cur, wrapping.
func cycle(choices []string, cur string, d int) string {
	i := slices.Index(choices, cur)
	if i < 0 {
		i = 0
	}
	return choices[((i+d)%len(choices)+len(choices))%len(choices)]
}

// Update implements Screen.
func (st *Settings) Update(time.Time) {}

// SettingsState is the settings screen's report to the control endpoint.
type SettingsState struct {
	Screen   string            `json:"screen"`
	Focus    string            `json:"focus"`
	Values   map[string]string `json:"values"`
	Unlocked bool              `json:"unlocked"`
}

// State implements Screen.
func (st *Settings) State() any {
	v := map[string]string{}
	for _, item := range settingsItems {
		v[item] = st.value(item)
	}
	return SettingsState{Screen: st.Name(), Focus: settingsItems[st.focus], Values: v, Unlocked: st.unlocked}
}

// label names an entry.
func (st *Settings) label(item string) string {
	key := map[string]string{
		setLanguage: i18n.SetLanguage, setOperator: i18n.SetOperator, setParental: i18n.SetParental,
		setPIN: i18n.SetPIN, setResolution: i18n.SetResolution, setOverscan: i18n.SetOverscan,
		setAudio: i18n.SetAudio, setPrivacy: i18n.SetPrivacy, setPhones: i18n.SetPhones, setNetwork: i18n.SetNetwork, setAbout: i18n.SetAbout, setUpdate: i18n.SetUpdate,
	}[item]
	return i18n.T(st.host.Lang(), key)
}

// value is an entry's current value as shown.
func (st *Settings) value(item string) string {
	lang := st.host.Lang()
	s := st.host.State().Settings
	switch item {
	case setLanguage:
		return i18n.NativeName(s.Lang)
	case setOperator:
		return s.Operator
	case setParental:
		if s.ParentalRating == "" {
			return i18n.T(lang, i18n.ParentalOff)
		}
		return i18n.T(lang, i18n.ParentalFrom, i18n.Rating(lang, s.ParentalRating))
	case setPIN:
		return "••••  " + i18n.T(lang, i18n.Change)
	case setResolution:
		if s.Resolution == "" {
			return i18n.T(lang, i18n.ResolutionAuto)
		}
		return s.Resolution
	case setOverscan:
		return fmt.Sprintf("%d%%", s.Overscan)
	case setAudio:
		if s.Audio == state.AudioOff {
			return i18n.T(lang, i18n.AudioOff)
		}
		return i18n.T(lang, i18n.AudioAuto)
	case setPrivacy:
		return i18n.T(lang, i18n.PrivacySummary, rememberedAll(st.host.State()))
	case setPhones:
		return phonesSummary(lang, st.host.HasPhoneRemote(), s.PhoneRemote, len(st.host.PairedPhones()))
	case setNetwork:
		return st.network()
	case setAbout:
		a := st.host.About()
		return strings.Join([]string{i18n.T(lang, i18n.AboutModel) + " " + a.Model, i18n.T(lang, i18n.AboutSerial) + " " + a.Serial}, " · ")
	case setUpdate:
		v := i18n.T(lang, i18n.AboutFirmware) + " " + st.host.About().Firmware
		if st.update != "" {
			return v + " · " + st.update
		}
		return v + " · " + i18n.T(lang, i18n.UpdateCheck)
	}
	return ""
}

func (st *Settings) network() string {
	lang := st.host.Lang()
	if st.net == nil {
		return i18n.T(lang, i18n.NetChecking)
	}
	parts := []string{i18n.T(lang, i18n.NetConnected)}
	if len(st.net.Addresses) == 0 {
		parts[0] = i18n.T(lang, i18n.NetNone)
	} else {
		parts = append(parts, st.net.Addresses...)
	}
	if st.net.Err != nil {
		parts = append(parts, i18n.T(lang, i18n.NetServerDown))
	} else {
		parts = append(parts, i18n.T(lang, i18n.NetServerOK))
	}
	return strings.Join(parts, " · ")
}

// cycles reports whether an entry changes with the arrows.
func cycles(item string) bool {
	switch item {
	case setLanguage, setParental, setResolution, setOverscan, setAudio:
		return true
	}
	return false
}

// Draw implements Screen.
func (st *Settings) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, h := c.Size()
	lang := st.host.Lang()
	background(c, i18n.T(lang, i18n.SettingsTitle), now)
	rows := make([]entryRow, len(settingsItems))
	for i, item := range settingsItems {
		rows[i] = entryRow{label: st.label(item), value: st.value(item), cycles: cycles(item)}
	}
	bottom := drawEntries(c, rows, st.focus)
	help := ""
	switch settingsItems[st.focus] {
	case setOverscan:
		help = i18n.T(lang, i18n.OverscanHelp)
		// The frame the viewer lines up with the edges of the TV.
		for _, r := range []draw.Rect{{W: w, H: 4 * s}, {Y: h - 4*s, W: w, H: 4 * s}, {W: 4 * s, H: h}, {X: w - 4*s, W: 4 * s, H: h}} {
			c.FillRect(r, colAccent)
		}
	case setOperator:
		help = i18n.T(lang, i18n.Change)
	}
	if help != "" {
		c.Text(margin*s, (bottom+34)*s, ellipsize(c, help, 19*s, w-2*margin*s), 19*s, colAccent)
	}
	hints(c, i18n.T(lang, i18n.HintSettings))
}
