package screen

import (
	"errors"
	"strings"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// Phones is the box's network remote as the phone remote screen uses it:
// pairing a phone, and the phones paired.
type Phones interface {
	// HasPhoneRemote reports whether the box runs a network remote at all
	// (manbang --remote-addr).
	HasPhoneRemote() bool
	// ArmPairing opens pairing for a few minutes with a new code.
	ArmPairing() (Pairing, error)
	// PairingCode returns the code pairing takes now and when it closes;
	// ok is false once pairing has closed (a phone paired, or the time
	// ran out).
	PairingCode() (code string, until time.Time, ok bool)
	// DisarmPairing closes pairing.
	DisarmPairing()
	// PairedPhones lists the phones paired, oldest first.
	PairedPhones() []Phone
	// RemovePhone forgets a paired phone: its token stops working at once.
	RemovePhone(id string) error
}

// ErrNoAddress is the error of ArmPairing on a box with no address phones
// can reach.
var ErrNoAddress = errors.New("the box has no address phones can reach")

// Pairing is what the TV shows while pairing is armed.
type Pairing struct {
	URL   string // the phone page's address, which the QR code holds
	Code  string
	Until time.Time
	// QR is the QR code of URL, true for a dark module, with its border.
	QR [][]bool
}

// Phone is a paired phone.
type Phone struct {
	ID, Name string
	Paired   time.Time
}

// PhonesHost is the phone remote screen's.
type PhonesHost interface {
	Nav
	Memory
	Phones
}

// The fixed entries of the phone remote screen; the paired phones follow
// as "phone:ID".
const (
	phonesOn   = "on"
	phonesPair = "pair"
)

// PhoneRemote is Settings' phone remote screen: the network remote on or
// off, pairing a phone (a QR code of the phone page's address and a code,
// shown and taken only while armed), and the phones paired, each removed
// with OK. Leaving the screen closes pairing.
type PhoneRemote struct {
	host    PhonesHost
	focus   int
	pairing *Pairing // while armed
	known   int      // phones paired when pairing was armed
	note    string   // a phone paired, or why pairing failed
	noteErr bool
}

// NewPhoneRemote returns the phone remote screen.
func NewPhoneRemote(host PhonesHost) *PhoneRemote { return &PhoneRemote{host: host} }

// Name implements Screen.
func (p *PhoneRemote) Name() string { return "phone_remote" }

func (p *PhoneRemote) items() []string {
	items := []string{phonesOn, phonesPair}
	for _, ph := range p.host.PairedPhones() {
		items = append(items, "phone:"+ph.ID)
	}
	return items
}

// Handle implements Screen.
func (p *PhoneRemote) Handle(ev remote.Event) bool {
	if !pressed(ev) {
		return isNavKey(ev.Key) || ev.Key == remote.KeyBack
	}
	items := p.items()
	p.focus = min(p.focus, len(items)-1)
	switch ev.Key {
	case remote.KeyBack:
		if firstPress(ev) {
			p.close()
			p.host.Back()
		}
	case remote.KeyUp:
		p.focus = max(p.focus-1, 0)
	case remote.KeyDown:
		p.focus = min(p.focus+1, len(items)-1)
	case remote.KeyLeft, remote.KeyRight:
		if items[p.focus] == phonesOn {
			p.setOn(!p.host.State().Settings.PhoneRemote)
		}
	case remote.KeyOK:
		if firstPress(ev) {
			p.ok(items[p.focus])
		}
	default:
		return false
	}
	return true
}

// ok acts on OK on item.
func (p *PhoneRemote) ok(item string) {
	if !p.host.HasPhoneRemote() {
		return
	}
	switch item {
	case phonesOn:
		p.setOn(!p.host.State().Settings.PhoneRemote)
	case phonesPair:
		p.arm()
	default:
		id := strings.TrimPrefix(item, "phone:")
		if err := p.host.RemovePhone(id); err != nil {
			p.note, p.noteErr = i18n.T(p.host.Lang(), i18n.PhonesFailed), true
		}
		p.known = len(p.host.PairedPhones())
		p.focus = min(p.focus, len(p.items())-1)
	}
}

// setOn switches the network remote on or off; off closes pairing.
func (p *PhoneRemote) setOn(on bool) {
	if !p.host.HasPhoneRemote() {
		return
	}
	if !on {
		p.close()
	}
	s := p.host.State().Settings
	s.PhoneRemote = on
	p.host.Apply(s)
}

// arm opens pairing, switching the network remote on if it was off.
func (p *PhoneRemote) arm() {
	if !p.host.State().Settings.PhoneRemote {
		p.setOn(true)
	}
	pr, err := p.host.ArmPairing()
	p.note, p.noteErr = "", false
	if err != nil {
		p.pairing = nil
		p.note, p.noteErr = i18n.T(p.host.Lang(), i18n.PhonesFailed), true
		if errors.Is(err, ErrNoAddress) {
			p.note = i18n.T(p.host.Lang(), i18n.PhonesNoAddress)
		}
		return
	}
	p.pairing = &pr
	p.known = len(p.host.PairedPhones())
}

// close closes pairing, if armed.
func (p *PhoneRemote) close() {
	if p.pairing != nil {
		p.host.DisarmPairing()
		p.pairing = nil
	}
}

// Update implements Screen: it follows pairing as phones pair and its
// time runs out.
func (p *PhoneRemote) Update(now time.Time) {
	if p.pairing == nil {
		return
	}
	code, until, ok := p.host.PairingCode()
	if ok {
		p.pairing.Code, p.pairing.Until = code, until // a new code after many wrong ones
		return
	}
	p.pairing = nil
	if phones := p.host.PairedPhones(); len(phones) > p.known {
		p.note, p.noteErr = i18n.T(p.host.Lang(), i18n.PhonesPaired, p.phoneName(phones[len(phones)-1])), false
	}
	p.known = len(p.host.PairedPhones())
}

// Wake implements Screen: the countdown while armed, else the clock.
func (p *PhoneRemote) Wake(now time.Time) time.Time {
	if p.pairing != nil {
		return now.Truncate(time.Second).Add(time.Second)
	}
	return nextMinute(now)
}

func (p *PhoneRemote) phoneName(ph Phone) string {
	if ph.Name == "" {
		return i18n.T(p.host.Lang(), i18n.PhonesUnnamed)
	}
	return ph.Name
}

// PhoneRemoteState is the screen's report to the control endpoint: what
// the TV shows, the address in the QR code and the code included, exactly
// as a viewer reads them off the screen.
type PhoneRemoteState struct {
	Screen    string       `json:"screen"`
	Focus     string       `json:"focus"`
	Available bool         `json:"available"`
	On        bool         `json:"on"`
	Armed     bool         `json:"armed"`
	URL       string       `json:"url,omitempty"`
	Code      string       `json:"code,omitempty"`
	ClosesIn  int          `json:"closes_in_s,omitempty"`
	Phones    []PhoneState `json:"phones"`
	Note      string       `json:"note,omitempty"`
}

// PhoneState is a paired phone in PhoneRemoteState.
type PhoneState struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Paired time.Time `json:"paired"`
}

// State implements Screen.
func (p *PhoneRemote) State() any {
	items := p.items()
	st := PhoneRemoteState{
		Screen: p.Name(), Focus: items[min(p.focus, len(items)-1)], Available: p.host.HasPhoneRemote(),
		On: p.host.State().Settings.PhoneRemote, Phones: []PhoneState{}, Note: p.note,
	}
	if p.pairing != nil {
		st.Armed, st.URL, st.Code = true, p.pairing.URL, p.pairing.Code
		st.ClosesIn = int(max(p.pairing.Until.Sub(p.host.Now()), 0).Round(time.Second) / time.Second)
	}
	for _, ph := range p.host.PairedPhones() {
		st.Phones = append(st.Phones, PhoneState{ID: ph.ID, Name: ph.Name, Paired: ph.Paired})
	}
	return st
}

// phonesSummary is the Settings entry's value.
func phonesSummary(lang string, available, on bool, paired int) string {
	switch {
	case !available:
		return i18n.T(lang, i18n.PhonesNone)
	case !on:
		return i18n.T(lang, i18n.PhonesOff)
	}
	return i18n.T(lang, i18n.PhonesSummary, paired)
}

// Draw implements Screen.
func (p *PhoneRemote) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, _ := c.Size()
	lang := p.host.Lang()
	background(c, i18n.T(lang, i18n.SetPhones), now)
	items := p.items()
	phones := p.host.PairedPhones()
	rows := make([]entryRow, len(items))
	for i, item := range items {
		switch item {
		case phonesOn:
			v := i18n.T(lang, i18n.PhonesOff)
			switch {
			case !p.host.HasPhoneRemote():
				v = i18n.T(lang, i18n.PhonesNone)
			case p.host.State().Settings.PhoneRemote:
				v = i18n.T(lang, i18n.PhonesOn)
			}
			rows[i] = entryRow{label: i18n.T(lang, i18n.PhonesOnOff), value: v, cycles: p.host.HasPhoneRemote()}
		case phonesPair:
			v := i18n.T(lang, i18n.PhonesPairValue)
			if p.pairing != nil {
				v = i18n.T(lang, i18n.PhonesPairAgain)
			}
			rows[i] = entryRow{label: i18n.T(lang, i18n.PhonesPair), value: v}
		default:
			ph := phones[i-2]
			rows[i] = entryRow{label: p.phoneName(ph), value: i18n.T(lang, i18n.PhonesRemove, ph.Paired.Local().Format("2006-01-02"))}
		}
	}
	width := w - 2*margin*s
	if p.pairing != nil {
		width = w - 2*margin*s - 420*s
	}
	bottom := drawEntriesIn(c, rows, min(p.focus, len(items)-1), width)
	note, col := i18n.T(lang, i18n.PhonesHelp), colAccent
	if p.note != "" {
		note = p.note
		if p.noteErr {
			col = colError
		}
	}
	for i, line := range wrap(c, note, 19*s, width, 3) {
		c.Text(margin*s, (bottom+34+float32(i)*28)*s, line, 19*s, col)
	}
	if p.pairing != nil {
		p.drawPairing(c, draw.Rect{X: w - margin*s - 400*s, Y: entriesTop * s, W: 400 * s, H: 520 * s}, lang, s)
	}
	hints(c, i18n.T(lang, i18n.HintPhones))
}

// drawPairing draws the QR code, the address and the code in r.
func (p *PhoneRemote) drawPairing(c draw.Canvas, r draw.Rect, lang string, s float32) {
	c.RoundRect(r, 12*s, colPanelSolid)
	x := r.X + 20*s
	for i, line := range wrap(c, i18n.T(lang, i18n.PhonesScan), 16*s, r.W-40*s, 2) {
		c.Text(x, r.Y+(30+float32(i)*22)*s, line, 16*s, colTextDim)
	}
	qr := p.pairing.QR
	side := float32(232) * s
	if n := len(qr); n > 0 {
		// Whole pixels a module, so that no seam shows between them.
		side = max(float32(int(side/float32(n))), 1) * float32(n)
	}
	q := draw.Rect{X: float32(int(r.X + (r.W-side)/2)), Y: float32(int(r.Y + 70*s)), W: side, H: side}
	c.FillRect(q, draw.RGB(0xffffff))
	if n := len(qr); n > 0 {
		m := side / float32(n)
		for y, row := range qr {
			for xi, dark := range row {
				if dark {
					c.FillRect(draw.Rect{X: q.X + float32(xi)*m, Y: q.Y + float32(y)*m, W: m, H: m}, draw.RGB(0x000000))
				}
			}
		}
	}
	y := q.Bottom() + 34*s
	c.Text(x, y, ellipsize(c, p.pairing.URL, 18*s, r.W-40*s), 18*s, colText)
	y += 34 * s
	c.Text(x, y, ellipsize(c, i18n.T(lang, i18n.PhonesCode), 16*s, r.W-40*s), 16*s, colTextDim)
	y += 52 * s
	code := p.pairing.Code
	if len(code) == 8 {
		code = code[:4] + " " + code[4:]
	}
	centreText(c, draw.Rect{X: r.X, Y: y - 40*s, W: r.W, H: 48 * s}, y, code, 44*s, colAccent)
	left := max(p.pairing.Until.Sub(p.host.Now()), 0).Round(time.Second)
	c.Text(x, r.Bottom()-20*s, i18n.T(lang, i18n.PhonesCloses, formatClock(left)), 16*s, colTextDim)
}
