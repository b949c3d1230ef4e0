package screen

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/library"
	"github.com/manbang/manbang/ui/mounts"
	"github.com/manbang/manbang/ui/state"
)

// t0 is the fixed clock of the screen tests: a Monday evening.
var t0 = time.Date(2026, 11, 23, 20, 15, 0, 0, time.UTC)

// fakeHost answers the screens with fixed data, at once, and records what
// they ask.
type fakeHost struct {
	lang  string
	now   time.Time
	st    state.State
	stack []Screen

	backs    int
	reloads  int
	played   []string // title IDs, "@pos" appended when resuming
	channels []operator.Channel
	progs    []operator.Programme
	tuned    []string // channel IDs
	zaps     []int
	lasts    int
	forgot   []string // kinds Forget was asked for
	catchup  []string

	catalog        map[string][]operator.Title // by category
	titleReqs      []string                    // "cat offset limit"
	titlesErr      error
	searchFn       func(q string) ([]operator.Title, error)
	searches       []string
	hold           bool     // keep search and guide answers in held
	held           []func() // answers kept
	chanErr        error
	guideReqs      []time.Time
	netStatus      NetStatus
	updater        func() (string, error)
	updateProgress func(progress func(state, version string))
	phones         *fakePhones

	media      []mounts.Medium
	files      []string // paths PlayFile was asked for
	songs      []string // "folder: first song played, of n"
	photos     map[string]*draw.Image
	photoErrs  map[string]error
	thumbs     map[string]*draw.Image // the thumbnails made, by path
	thumbWants [][]string             // the names of each WantThumbs' entries
	photoReqs  []string
	details    map[string]*draw.Image // decoded larger, for zoom
	detailReqs []string
}

func newHost(lang string) *fakeHost {
	h := &fakeHost{lang: lang, now: t0, st: state.Default()}
	h.st.Settings.Lang = lang
	return h
}

func (h *fakeHost) Lang() string   { return h.lang }
func (h *fakeHost) Now() time.Time { return h.now }
func (h *fakeHost) Back() {
	h.backs++
	if len(h.stack) > 0 {
		h.stack = h.stack[:len(h.stack)-1]
	}
}
func (h *fakeHost) Push(s Screen)                   { h.stack = append(h.stack, s) }
func (h *fakeHost) Poster(string) *draw.Image       { return nil }
func (h *fakeHost) Reload()                         { h.reloads++ }
func (h *fakeHost) State() *state.State             { return &h.st }
func (h *fakeHost) AddRecent(q string)              { h.st.AddRecent(q) }
func (h *fakeHost) Apply(s state.Settings)          { h.st.Settings = s; h.lang = s.Lang }
func (h *fakeHost) Forget(kind string)              { h.st.Forget(kind); h.forgot = append(h.forgot, kind) }
func (h *fakeHost) About() About                    { return About{Model: "MB-1", Serial: "SN123", Firmware: "1.0.0"} }
func (h *fakeHost) PlayChannel(ch operator.Channel) { h.tuned = append(h.tuned, ch.ID) }
func (h *fakeHost) Zap(d int)                       { h.zaps = append(h.zaps, d) }
func (h *fakeHost) TuneLast()                       { h.lasts++ }
func (h *fakeHost) Network(done func(NetStatus))    { done(h.netStatus) }

func (h *fakeHost) SetFavourite(t operator.Title, fav bool) { h.st.SetFavourite(t, fav) }

func (h *fakeHost) Play(t operator.Title, from time.Duration) {
	id := t.ID
	if from > 0 {
		id += "@" + from.String()
	}
	h.played = append(h.played, id)
}

func (h *fakeHost) PlayProgramme(ch operator.Channel, p operator.Programme) {
	h.catchup = append(h.catchup, ch.ID+"@"+p.Start.Format("15:04"))
}

func (h *fakeHost) TuneNumber(n int) bool {
	if i, ok := channelByNumber(h.channels, n); ok {
		h.tuned = append(h.tuned, h.channels[i].ID)
		return true
	}
	return false
}

func (h *fakeHost) Titles(cat string, offset, limit int, done func(operator.TitlePage, error)) {
	h.titleReqs = append(h.titleReqs, cat+" "+strconv.Itoa(offset)+" "+strconv.Itoa(limit))
	if h.titlesErr != nil {
		done(operator.TitlePage{}, h.titlesErr)
		return
	}
	all := h.catalog[cat]
	start := min(offset, len(all))
	end := min(start+limit, len(all))
	done(operator.TitlePage{Titles: all[start:end], Total: len(all), Offset: offset}, nil)
}

func (h *fakeHost) Search(q string, done func(operator.TitlePage, error)) {
	h.searches = append(h.searches, q)
	answer := func() {
		ts, err := h.searchFn(q)
		done(operator.TitlePage{Titles: ts, Total: len(ts)}, err)
	}
	if h.hold {
		h.held = append(h.held, answer)
		return
	}
	answer()
}

func (h *fakeHost) Channels(done func([]operator.Channel, error)) {
	if h.chanErr != nil {
		done(nil, h.chanErr)
		return
	}
	done(h.channels, nil)
}

func (h *fakeHost) Guide(from, to time.Time, done func([]operator.Programme, error)) {
	h.guideReqs = append(h.guideReqs, from)
	var out []operator.Programme
	for _, p := range h.progs {
		if p.Stop.After(from) && p.Start.Before(to) {
			out = append(out, p)
		}
	}
	if h.hold {
		h.held = append(h.held, func() { done(out, nil) })
		return
	}
	done(out, nil)
}

func (h *fakeHost) Update(progress func(string, string), done func(string, error)) bool {
	if h.updater == nil {
		return false
	}
	if h.updateProgress != nil {
		h.updateProgress(progress)
	}
	v, err := h.updater()
	done(v, err)
	return true
}

func (h *fakeHost) top() Screen {
	if len(h.stack) == 0 {
		return nil
	}
	return h.stack[len(h.stack)-1]
}

func press(k remote.Key) remote.Event { return remote.Event{Key: k, Action: remote.Press} }

// keys presses each key of ks on s, a press and a release each.
func keys(s Screen, ks ...remote.Key) {
	for _, k := range ks {
		s.Handle(remote.Event{Key: k, Action: remote.Press})
		s.Handle(remote.Event{Key: k, Action: remote.Release})
	}
}

func title(id, ko, en, ru string) operator.Title {
	return operator.Title{
		ID: id, Name: operator.Text{"ko": ko, "en": en, "ru": ru},
		Description: operator.Text{"en": "A film about " + en + ", told over many long sentences that will not fit on one line of the screen.", "ko": ko + "에 관한 이야기입니다.", "ru": "Фильм о том, что " + ru + "."},
		Year:        2024, DurationSec: 1260, Rating: "ALL", Language: "ko", CategoryID: "docs",
	}
}

func testChannels() []operator.Channel {
	return []operator.Channel{
		{ID: "kbs", Number: 1, Name: operator.Text{"ko": "한국방송", "en": "KBS 1", "ru": "KBS 1"}},
		{ID: "news", Number: 3, Name: operator.Text{"ko": "뉴스 채널", "en": "News channel", "ru": "Новости"}, Catchup: &operator.Catchup{Mode: operator.CatchupShift, Days: 3}},
		{ID: "kids", Number: 12, Name: operator.Text{"ko": "어린이", "en": "Kids", "ru": "Детский"}},
	}
}

// testGuide gives each channel hour-long programmes around t0.
func testGuide() []operator.Programme {
	var ps []operator.Programme
	names := []string{"Morning", "Noon", "Evening", "Night"}
	for _, ch := range testChannels() {
		start := t0.Truncate(time.Hour).Add(-2 * time.Hour)
		for i := 0; i < 6; i++ {
			n := names[i%len(names)]
			ps = append(ps, operator.Programme{
				ChannelID: ch.ID, Start: start, Stop: start.Add(time.Hour),
				Title:       operator.Text{"en": ch.Name["en"] + " " + n + " " + start.Format("15h"), "ko": "방송 " + start.Format("15시"), "ru": "Передача " + start.Format("15ч")},
				Description: operator.Text{"en": "What happens at " + start.Format("15:04")},
			})
			start = start.Add(time.Hour)
		}
	}
	return ps
}

// checkDrawn draws s in every language at 720p and 4K and checks that the
// text stays on screen and the clips balance.
func checkDrawn(t *testing.T, name string, mk func(h *fakeHost) Screen) {
	t.Helper()
	for _, lang := range i18n.Languages {
		for _, size := range [][2]float32{{1280, 720}, {3840, 2160}} {
			h := newHost(lang)
			s := mk(h)
			s.Update(t0)
			rec := draw.NewRecorder(size[0], size[1], nil)
			s.Draw(rec, t0)
			if err := rec.Err(); err != nil {
				t.Fatalf("%s %s %v: %v", name, lang, size, err)
			}
			if len(rec.Texts()) == 0 {
				t.Errorf("%s %s %v: no text drawn", name, lang, size)
			}
			for _, op := range rec.Find(draw.OpText) {
				if op.Visible() && (op.Rect.X < -1 || op.Rect.Right() > size[0]+1 || op.Rect.Y < -1 || op.Rect.Bottom() > size[1]+1) {
					t.Errorf("%s %s %v: text %q runs off screen: %+v", name, lang, size, op.Text, op.Rect)
				}
			}
		}
	}
}

var errDown = errors.New("operator: GET http://127.0.0.1:1/api/v1/categories: connection refused")

// fakePhones is the network remote of the screen tests: a code while
// armed, and a list of phones.
type fakePhones struct {
	none   bool // the box has no network remote
	armed  bool
	code   string
	until  time.Time
	arms   int
	phones []Phone
}

func (h *fakeHost) HasPhoneRemote() bool { return !h.phonesFake().none }
func (h *fakeHost) ArmPairing() (Pairing, error) {
	f := h.phonesFake()
	f.arms++
	f.armed, f.code, f.until = true, "1234567"+strconv.Itoa(f.arms%10), h.now.Add(3*time.Minute)
	return Pairing{URL: "http://192.0.2.10:7080/pair", Code: f.code, Until: f.until, QR: [][]bool{{false, true}, {true, false}}}, nil
}
func (h *fakeHost) PairingCode() (string, time.Time, bool) {
	f := h.phonesFake()
	if f.armed && !h.now.Before(f.until) {
		f.armed = false
	}
	return f.code, f.until, f.armed
}
func (h *fakeHost) DisarmPairing()        { h.phonesFake().armed = false }
func (h *fakeHost) PairedPhones() []Phone { return h.phonesFake().phones }
func (h *fakeHost) RemovePhone(id string) error {
	f := h.phonesFake()
	for i, p := range f.phones {
		if p.ID == id {
			f.phones = append(f.phones[:i:i], f.phones[i+1:]...)
			return nil
		}
	}
	return errors.New("no such phone")
}

func (h *fakeHost) phonesFake() *fakePhones {
	if h.phones == nil {
		h.phones = &fakePhones{}
	}
	return h.phones
}

func (h *fakeHost) Media() []mounts.Medium { return h.media }

// List lists the folder for real, at once.
func (h *fakeHost) List(dir string, done func([]library.Entry, error)) { done(library.List(dir)) }

func (h *fakeHost) PlayFile(e library.Entry) { h.files = append(h.files, e.Path) }

func (h *fakeHost) PlaySongs(songs []library.Entry, i int, folder string) {
	h.songs = append(h.songs, folder+": "+songs[i].Name+" of "+strconv.Itoa(len(songs)))
}

func (h *fakeHost) Photo(path string) (*draw.Image, error) {
	h.photoReqs = append(h.photoReqs, path)
	return h.photos[path], h.photoErrs[path]
}

func (h *fakeHost) WantThumbs(es []library.Entry) {
	var names []string
	for _, e := range es {
		names = append(names, e.Name)
	}
	h.thumbWants = append(h.thumbWants, names)
}

func (h *fakeHost) Thumb(e library.Entry) *draw.Image { return h.thumbs[e.Path] }

func (h *fakeHost) SongOrder() (bool, string) { return h.st.Settings.Shuffle, h.st.Settings.Repeat }

func (h *fakeHost) SetSongOrder(shuffle bool, repeat string) {
	h.st.Settings.Shuffle, h.st.Settings.Repeat = shuffle, repeat
}

func (h *fakeHost) PhotoDetail(path string) (*draw.Image, error) {
	h.detailReqs = append(h.detailReqs, path)
	return h.details[path], nil
}
