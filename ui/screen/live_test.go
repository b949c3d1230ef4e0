package screen

import (
	"fmt"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

func liveHost(lang string) *fakeHost {
	h := newHost(lang)
	h.channels = testChannels()
	h.progs = testGuide()
	return h
}

func TestLiveList(t *testing.T) {
	host := liveHost("en")
	host.st.WatchChannel("news")
	l := NewLive(host)
	l.Update(t0)
	st := l.State().(LiveState)
	if st.Channels != 3 || st.ChannelID != "news" || st.Now != "News channel Evening 20h" {
		t.Fatalf("state %+v: want the last channel watched focused, with its programme", st)
	}
	keys(l, remote.KeyDown, remote.KeyOK)
	if len(host.tuned) != 1 || host.tuned[0] != "kids" {
		t.Errorf("OK tuned %v", host.tuned)
	}
	keys(l, remote.KeyGreen)
	if _, ok := host.top().(*Guide); !ok {
		t.Errorf("Green opened %T", host.top())
	}
}

// A channel number is taken DigitTimeout after its last digit, or at OK.
func TestLiveDigits(t *testing.T) {
	host := liveHost("ko")
	l := NewLive(host)
	keys(l, remote.Key1, remote.Key2)
	l.Update(t0.Add(DigitTimeout - time.Millisecond))
	if len(host.tuned) != 0 || l.State().(LiveState).Digits != "12" {
		t.Fatalf("tuned %v before the timeout", host.tuned)
	}
	l.Update(t0.Add(DigitTimeout))
	if len(host.tuned) != 1 || host.tuned[0] != "kids" {
		t.Fatalf("after the timeout tuned %v, want kids (12)", host.tuned)
	}
	keys(l, remote.Key3, remote.KeyOK)
	if len(host.tuned) != 2 || host.tuned[1] != "news" {
		t.Fatalf("3 then OK tuned %v", host.tuned)
	}
	keys(l, remote.Key9, remote.KeyOK)
	l.Update(t0.Add(3 * time.Second))
	if st := l.State().(LiveState); st.Message != i18n.T("ko", i18n.NoChannel, 9) {
		t.Errorf("dialling a missing channel says %q", st.Message)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	l.Draw(rec, t0.Add(3*time.Second))
	if _, ok := rec.FindText(i18n.T("ko", i18n.NoChannel, 9)); !ok {
		t.Errorf("the message is not drawn: %q", rec.Texts())
	}
}

func TestLiveNotOffered(t *testing.T) {
	host := newHost("ru")
	host.chanErr = fmt.Errorf("live: %w", ErrNotOffered)
	l := NewLive(host)
	l.Update(t0.Add(time.Hour))
	rec := draw.NewRecorder(1280, 720, nil)
	l.Draw(rec, t0)
	if _, ok := rec.FindText(i18n.T("ru", i18n.NotAvailable)); !ok {
		t.Errorf("no 'not offered'; texts %q", rec.Texts())
	}
	if _, ok := rec.FindText(i18n.T("ru", i18n.RetryIn, 5)); ok {
		t.Error("a service the operator lacks is retried")
	}
	keys(l, remote.KeyBack)
	if host.backs != 1 {
		t.Error("Back does not leave")
	}
}

func TestGuideMoves(t *testing.T) {
	host := liveHost("en")
	g := NewGuide(host)
	g.Update(t0)
	st := g.State().(GuideState)
	if st.Channels != 3 || st.Programmes != 18 || st.ChannelID != "kbs" || st.Programme != "KBS 1 Evening 20h" {
		t.Fatalf("state %+v", st)
	}
	keys(g, remote.KeyRight, remote.KeyRight)
	if st := g.State().(GuideState); st.Programme != "KBS 1 Morning 22h" {
		t.Errorf("two programmes on: %q", st.Programme)
	}
	keys(g, remote.KeyDown, remote.KeyLeft)
	if st := g.State().(GuideState); st.ChannelID != "news" || st.Programme != "News channel Night 21h" {
		t.Errorf("down and back: %s %q", st.ChannelID, st.Programme)
	}
	keys(g, remote.KeyOK) // a programme to come: nothing to play
	if len(host.tuned)+len(host.catchup) != 0 {
		t.Errorf("OK on a future programme played %v %v", host.tuned, host.catchup)
	}
	keys(g, remote.KeyLeft, remote.KeyOK)
	if len(host.tuned) != 1 || host.tuned[0] != "news" {
		t.Errorf("OK on the programme on now tuned %v", host.tuned)
	}
	keys(g, remote.KeyLeft, remote.KeyOK)
	if len(host.catchup) != 1 || host.catchup[0] != "news@19:00" {
		t.Errorf("OK on a past programme of a catch-up channel: %v", host.catchup)
	}
	// The next day is fetched, and the time of day kept.
	reqs := len(host.guideReqs)
	keys(g, remote.KeyFastForward)
	if st := g.State().(GuideState); st.Day != 1 || len(host.guideReqs) != reqs+1 || st.Programmes != 0 {
		t.Errorf("the next day: %+v, %d requests", st, len(host.guideReqs)-reqs)
	}
	keys(g, remote.KeyRewind, remote.KeyRewind)
	if st := g.State().(GuideState); st.Day != -1 {
		t.Errorf("day %d after going back twice", st.Day)
	}
}

// Moving along a row past midnight fetches the next day, and the
// programme after the one over midnight is there when it comes. Moving
// back, the evening before is there at once: the programmes around
// midnight stay while the other day is fetched.
func TestGuideOverMidnight(t *testing.T) {
	host := newHost("en")
	host.channels = testChannels()[:1]
	id := host.channels[0].ID
	midnight := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for _, p := range []struct {
		start, stop time.Duration
		title       string
	}{
		{-2 * time.Hour, -30 * time.Minute, "Film"},
		{-30 * time.Minute, 30 * time.Minute, "Late news"},
		{30 * time.Minute, 2 * time.Hour, "Night music"},
	} {
		host.progs = append(host.progs, operator.Programme{ChannelID: id, Start: midnight.Add(p.start), Stop: midnight.Add(p.stop), Title: operator.Text{"en": p.title}})
	}
	host.now = midnight.Add(-45 * time.Minute)
	g := NewGuide(host)
	g.Update(host.now)
	host.hold = true
	want := func(step, title string, day int) {
		t.Helper()
		if st := g.State().(GuideState); st.Programme != title || st.Day != day {
			t.Fatalf("%s: programme %q on day %d, want %q on day %d", step, st.Programme, st.Day, title, day)
		}
	}
	answer := func(step string) {
		t.Helper()
		if len(host.held) != 1 {
			t.Fatalf("%s: %d guide requests, want 1", step, len(host.held))
		}
		host.held[0]()
		host.held = nil
	}
	want("before", "Film", 0)
	keys(g, remote.KeyRight)
	want("on to the programme over midnight", "Late news", 0)
	keys(g, remote.KeyRight)
	want("past midnight, the next day not come yet", "", 1)
	answer("past midnight")
	want("the next day come", "Night music", 1)
	keys(g, remote.KeyLeft)
	want("back to the programme over midnight", "Late news", 1)
	keys(g, remote.KeyLeft)
	want("back to the evening before, before it is fetched again", "Film", 0)
	answer("back before midnight")
	want("back to the evening before, fetched", "Film", 0)
	if st := g.State().(GuideState); st.Programmes != 3 {
		t.Errorf("%d programmes after coming back, want the 3 of the hours around midnight once each", st.Programmes)
	}
}

func TestLiveAndGuideDraw(t *testing.T) {
	checkDrawn(t, "live", func(h *fakeHost) Screen {
		h.channels, h.progs = testChannels(), testGuide()
		l := NewLive(h)
		keys(l, remote.Key1)
		return l
	})
	checkDrawn(t, "guide", func(h *fakeHost) Screen {
		h.channels, h.progs = testChannels(), testGuide()
		return NewGuide(h)
	})
	checkDrawn(t, "guide without programmes", func(h *fakeHost) Screen {
		h.channels = testChannels()
		return NewGuide(h)
	})
}

// The minutes left change with the clock's minute, not half-way through
// it: a programme stopping at :30 seconds reads the same all minute long.
func TestMinutesLeftAsOfTheMinute(t *testing.T) {
	start := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	p := operator.Programme{ChannelID: "kbs", Start: start, Stop: start.Add(45*time.Minute + 30*time.Second), Title: operator.Text{"en": "News"}}
	want := i18n.T("en", i18n.MinutesLeft, 44) // 20:02 to 20:45:30, to the nearest minute
	for _, sec := range []int{0, 20, 40, 59} {
		rec := draw.NewRecorder(1280, 720, nil)
		drawNowNext(rec, "en", &p, nil, start.Add(2*time.Minute+time.Duration(sec)*time.Second), 0, 0, 600, 1, 1)
		if _, ok := rec.FindText(want); !ok {
			t.Errorf("at 20:02:%02d: %q, want %q", sec, rec.Texts(), want)
		}
	}
}
