package screen

import (
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

func phoneState(p *PhoneRemote) PhoneRemoteState { return p.State().(PhoneRemoteState) }

// TestPhoneRemoteFromSettings: Settings' phone remote entry says the
// remote is off on a new box and opens the screen; OK on "pair a phone"
// switches the remote on and shows the address and the code, only while
// armed; Back closes pairing.
func TestPhoneRemoteFromSettings(t *testing.T) {
	host := newHost("en")
	s := NewSettings(host)
	focusSetting(s, setPhones)
	if v := s.State().(SettingsState).Values[setPhones]; v != i18n.T("en", i18n.PhonesOff) {
		t.Errorf("a new box's phone remote: %q", v)
	}
	keys(s, remote.KeyOK)
	p, ok := host.stack[len(host.stack)-1].(*PhoneRemote)
	if !ok {
		t.Fatalf("OK on the phone remote opened %v", host.stack)
	}
	if st := phoneState(p); st.On || st.Armed || st.Code != "" || st.URL != "" || st.Focus != phonesOn {
		t.Fatalf("a new screen: %+v", st)
	}
	keys(p, remote.KeyDown, remote.KeyOK)
	st := phoneState(p)
	if !st.On || !host.st.Settings.PhoneRemote || !st.Armed || st.Code != "12345671" || st.URL != "http://192.0.2.10:7080/pair" || st.ClosesIn != 180 {
		t.Fatalf("after OK on pair: %+v", st)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	p.Draw(rec, t0)
	for _, want := range []string{"1234 5671", "http://192.0.2.10:7080/pair", i18n.T("en", i18n.PhonesCloses, "3:00")} {
		if _, ok := rec.FindText(want); !ok {
			t.Errorf("%q not on screen: %q", want, rec.Texts())
		}
	}
	if w := p.Wake(t0); !w.Equal(t0.Add(time.Second)) {
		t.Errorf("Wake while armed = %v; want the next second", w)
	}
	keys(p, remote.KeyBack)
	if host.phones.armed || host.backs != 1 {
		t.Errorf("pairing armed after Back (%d backs)", host.backs)
	}
	s.Draw(rec, t0)
	if v := s.State().(SettingsState).Values[setPhones]; v != i18n.T("en", i18n.PhonesSummary, 0) {
		t.Errorf("the phone remote once on: %q", v)
	}
}

// TestPhoneRemotePairsAndRemoves: when a phone pairs, pairing closes and
// the screen names the phone; its entry removes it with OK.
func TestPhoneRemotePairsAndRemoves(t *testing.T) {
	host := newHost("ko")
	p := NewPhoneRemote(host)
	keys(p, remote.KeyDown, remote.KeyOK)
	p.Update(t0)
	if !phoneState(p).Armed {
		t.Fatal("not armed")
	}
	// A phone pairs: the code is used up.
	host.phones.armed = false
	host.phones.phones = append(host.phones.phones, Phone{ID: "ab12", Name: "Ana's phone", Paired: t0})
	p.Update(t0)
	st := phoneState(p)
	if st.Armed || st.Code != "" || len(st.Phones) != 1 || !strings.Contains(st.Note, "Ana's phone") {
		t.Fatalf("after a phone paired: %+v", st)
	}
	keys(p, remote.KeyDown)
	if st := phoneState(p); st.Focus != "phone:ab12" {
		t.Fatalf("focus %q; want the phone", st.Focus)
	}
	keys(p, remote.KeyOK)
	if st := phoneState(p); len(st.Phones) != 0 || st.Focus != phonesPair {
		t.Errorf("after OK on the phone: %+v", st)
	}
}

// TestPhoneRemoteRunsOut: pairing closes by itself when its time is up.
func TestPhoneRemoteRunsOut(t *testing.T) {
	host := newHost("ru")
	p := NewPhoneRemote(host)
	keys(p, remote.KeyDown, remote.KeyOK)
	host.now = t0.Add(3 * time.Minute)
	p.Update(host.now)
	if st := phoneState(p); st.Armed || st.Code != "" {
		t.Errorf("after the time ran out: %+v", st)
	}
}

// TestPhoneRemoteNotOnThisBox: without a network remote nothing arms.
func TestPhoneRemoteNotOnThisBox(t *testing.T) {
	host := newHost("en")
	host.phonesFake().none = true
	p := NewPhoneRemote(host)
	keys(p, remote.KeyRight, remote.KeyDown, remote.KeyOK)
	if st := phoneState(p); st.Available || st.On || st.Armed || host.phones.arms != 0 {
		t.Errorf("a box without a network remote: %+v", st)
	}
}

// TestTextFromAPhone: text from the network remote replaces the field's,
// and submit is the keyboard's Done.
func TestTextFromAPhone(t *testing.T) {
	host := newHost("ko")
	var got []string
	e := NewTextEntry(host, "address", "http://old", func(s string) { got = append(got, s) })
	host.Push(e)
	var tf TextField = e
	tf.TypeText("https://tv.example", false)
	if st := e.State().(EntryState); st.Text != "https://tv.example" || len(got) != 0 {
		t.Errorf("typed: %+v, done %v", st, got)
	}
	tf.TypeText("https://tv2.example", true)
	if len(got) != 1 || got[0] != "https://tv2.example" || host.backs != 1 {
		t.Errorf("submitted: %v, %d backs", got, host.backs)
	}

	host.searchFn = func(string) ([]operator.Title, error) { return nil, nil }
	s := NewSearch(host)
	tf = s
	tf.TypeText("뉴스", true)
	s.Update(host.now)
	if len(host.searches) != 1 || host.searches[0] != "뉴스" {
		t.Errorf("searches %v after text with submit", host.searches)
	}
}
