package screen

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/state"
)

// focusSetting moves the settings focus to item.
func focusSetting(s *Settings, item string) {
	for range settingsItems {
		keys(s, remote.KeyUp)
	}
	for range settingsItems {
		if s.State().(SettingsState).Focus == item {
			return
		}
		keys(s, remote.KeyDown)
	}
}

func TestSettingsChangeAtOnce(t *testing.T) {
	host := newHost("ko")
	s := NewSettings(host)
	keys(s, remote.KeyRight)
	if host.st.Settings.Lang != "en" || host.Lang() != "en" {
		t.Errorf("language %q after Right", host.st.Settings.Lang)
	}
	keys(s, remote.KeyLeft, remote.KeyLeft)
	if host.st.Settings.Lang != "ru" {
		t.Errorf("language %q after two Lefts (wrapping)", host.st.Settings.Lang)
	}
	focusSetting(s, setOverscan)
	for i := 0; i < state.MaxOverscan+3; i++ {
		keys(s, remote.KeyRight)
	}
	if host.st.Settings.Overscan != state.MaxOverscan {
		t.Errorf("overscan %d", host.st.Settings.Overscan)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	s.Draw(rec, t0)
	if _, ok := rec.FindText(i18n.T("ru", i18n.OverscanHelp)); !ok {
		t.Errorf("no overscan help; %q", rec.Texts())
	}
	focusSetting(s, setResolution)
	keys(s, remote.KeyRight, remote.KeyRight)
	if host.st.Settings.Resolution != "1920x1080" {
		t.Errorf("resolution %q", host.st.Settings.Resolution)
	}
	focusSetting(s, setAudio)
	keys(s, remote.KeyOK)
	if host.st.Settings.Audio != state.AudioOff {
		t.Errorf("audio %q", host.st.Settings.Audio)
	}
	focusSetting(s, setUpdate)
	keys(s, remote.KeyOK)
	if v := s.State().(SettingsState).Values[setUpdate]; !strings.Contains(v, i18n.T("ru", i18n.UpdateUnavailable)) || !strings.Contains(v, "1.0.0") {
		t.Errorf("update without an agent: %q", v)
	}
	host.updater = func() (string, error) { return "1.1.0", nil }
	keys(s, remote.KeyOK)
	if v := s.State().(SettingsState).Values[setUpdate]; !strings.Contains(v, "1.1.0") {
		t.Errorf("update: %q", v)
	}
}

func TestSettingsOperatorAddress(t *testing.T) {
	host := newHost("en")
	host.st.Settings.Operator = "http://a"
	s := NewSettings(host)
	focusSetting(s, setOperator)
	keys(s, remote.KeyOK)
	e, ok := host.top().(*TextEntry)
	if !ok {
		t.Fatalf("OK opened %T", host.top())
	}
	if e.State().(EntryState).Text != "http://a" {
		t.Fatalf("the entry starts with %q", e.State().(EntryState).Text)
	}
	keys(e, remote.Key2, remote.Key2) // multi-tap: b
	// Done is the last key of the bottom row.
	for i := 0; i < 10; i++ {
		keys(e, remote.KeyDown, remote.KeyRight)
	}
	keys(e, remote.KeyOK)
	if host.st.Settings.Operator != "http://ab" || host.top() != nil {
		t.Errorf("operator %q, screen %T", host.st.Settings.Operator, host.top())
	}
}

// Parental settings need the PIN; the PIN can be changed.
func TestSettingsParental(t *testing.T) {
	host := newHost("en")
	s := NewSettings(host)
	host.Push(s)
	focusSetting(s, setParental)
	keys(s, remote.KeyRight)
	pin, ok := host.top().(*PIN)
	if !ok || host.st.Settings.ParentalRating != "" {
		t.Fatalf("changing the parental rating opened %T (rating %q)", host.top(), host.st.Settings.ParentalRating)
	}
	keys(pin, remote.Key1, remote.Key2, remote.Key3, remote.Key4)
	if st := pin.State().(PINState); st.Message != i18n.T("en", i18n.PINWrong) || st.Typed != 0 {
		t.Errorf("wrong PIN: %+v", st)
	}
	keys(pin, remote.Key0, remote.Key0, remote.Key0, remote.Key0)
	if host.top() != s || host.st.Settings.ParentalRating != "19" {
		t.Fatalf("right PIN: screen %T, rating %q", host.top(), host.st.Settings.ParentalRating)
	}
	keys(s, remote.KeyRight) // unlocked now: no PIN asked again
	if host.st.Settings.ParentalRating != "15" || host.top() != s {
		t.Errorf("rating %q, screen %T", host.st.Settings.ParentalRating, host.top())
	}
	focusSetting(s, setPIN)
	keys(s, remote.KeyOK)
	pin = host.top().(*PIN)
	for _, k := range []remote.Key{remote.Key0, remote.Key0, remote.Key0, remote.Key0, remote.Key1, remote.Key2, remote.Key3, remote.Key4, remote.Key1, remote.Key2, remote.Key3, remote.Key5} {
		keys(pin, k)
	}
	if st := pin.State().(PINState); st.Message != i18n.T("en", i18n.PINMismatch) {
		t.Errorf("mismatched new PINs: %+v", st)
	}
	for _, k := range []remote.Key{remote.Key1, remote.Key2, remote.Key3, remote.Key4, remote.Key1, remote.Key2, remote.Key3, remote.Key4} {
		keys(pin, k)
	}
	if host.st.Settings.PIN != "1234" || host.top() != s {
		t.Errorf("PIN %q, screen %T", host.st.Settings.PIN, host.top())
	}
}

func TestPINBackspaceAndCancel(t *testing.T) {
	host := newHost("en")
	ran := false
	p := NewPINCheck(host, "", func() { ran = true })
	host.Push(p)
	keys(p, remote.Key0, remote.Key0, remote.KeyBack)
	if p.State().(PINState).Typed != 1 {
		t.Errorf("Back did not remove a digit: %+v", p.State())
	}
	keys(p, remote.KeyBack, remote.KeyBack)
	if host.top() != nil || ran {
		t.Errorf("Back on an empty prompt: screen %T, ran %v", host.top(), ran)
	}
}

func TestNeedsPIN(t *testing.T) {
	cases := []struct {
		limit, rating string
		want          bool
	}{
		{"", "19", false},
		{"19", "19", true},
		{"19", "15", false},
		{"15", "19", true},
		{"15", "ALL", false},
		{"15", "", false},
		{"12", "R-15", true},
		{"12", "adult", true}, // unknown ratings ask
		{"12", "7+", false},
	}
	for _, c := range cases {
		if got := NeedsPIN(state.Settings{ParentalRating: c.limit}, c.rating); got != c.want {
			t.Errorf("NeedsPIN(limit %q, rating %q) = %v", c.limit, c.rating, got)
		}
	}
}

func TestSettingsDraw(t *testing.T) {
	checkDrawn(t, "settings", func(h *fakeHost) Screen {
		h.st.Settings.Operator = "http://operator.example.net:8080/a/very/long/path/that/goes/on"
		h.netStatus = NetStatus{Addresses: []string{"eth0 192.0.2.10"}, Err: errors.New("refused")}
		return NewSettings(h)
	})
	checkDrawn(t, "pin", func(h *fakeHost) Screen { return NewPINCheck(h, i18n.T(h.lang, i18n.PINRated, "19"), nil) })
	checkDrawn(t, "entry", func(h *fakeHost) Screen { return NewTextEntry(h, "Address", "http://", func(string) {}) })
}

type unconfirmed struct{}

func (unconfirmed) Error() string     { return "not confirmed" }
func (unconfirmed) Unconfirmed() bool { return true }

// The firmware update item shows what the update service does and did,
// in the viewer's language.
func TestSettingsUpdateStatus(t *testing.T) {
	for _, lang := range []string{"ko", "en", "ru"} {
		host := newHost(lang)
		s := NewSettings(host)
		focusSetting(s, setUpdate)
		var seen []string
		host.updateProgress = func(progress func(string, string)) {
			progress(UpdateDownloading, "2.0")
			seen = append(seen, s.State().(SettingsState).Values[setUpdate])
			progress(UpdateWriting, "2.0")
			seen = append(seen, s.State().(SettingsState).Values[setUpdate])
		}
		cases := []struct {
			result func() (string, error)
			want   string
		}{
			{func() (string, error) { return "2.0", nil }, i18n.T(lang, i18n.UpdateInstalled, "2.0")},
			{func() (string, error) { return "", nil }, i18n.T(lang, i18n.UpdateNone)},
			{func() (string, error) { return "", fmt.Errorf("service: %w", unconfirmed{}) }, i18n.T(lang, i18n.UpdateUnconfirmed)},
			{func() (string, error) { return "", errors.New("hash mismatch") }, i18n.T(lang, i18n.UpdateFailed) + ": hash mismatch"},
		}
		for _, c := range cases {
			seen = nil
			host.updater = c.result
			keys(s, remote.KeyOK)
			if v := s.State().(SettingsState).Values[setUpdate]; !strings.Contains(v, c.want) {
				t.Errorf("%s: %q, want it to say %q", lang, v, c.want)
			}
			want := []string{i18n.T(lang, i18n.UpdateDownloading, "2.0"), i18n.T(lang, i18n.UpdateWriting, "2.0")}
			if len(seen) != 2 || !strings.Contains(seen[0], want[0]) || !strings.Contains(seen[1], want[1]) {
				t.Errorf("%s: progress shown %q, want %q", lang, seen, want)
			}
		}
	}
}
