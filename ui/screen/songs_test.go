package screen

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/state"
)

func songState(p *Player) SongState { return *p.State().(PlayerState).Song }

func drawnTexts(s Screen, now time.Time) string {
	rec := draw.NewRecorder(1280, 720, nil)
	s.Draw(rec, now)
	return strings.Join(rec.Texts(), "|")
}

// Yellow shuffles, Blue steps through the repeat modes; the screen and
// its state say which, and the hints what the keys turn them to.
func TestSongOrderKeys(t *testing.T) {
	cases := []struct {
		keys    []remote.Key
		shuffle bool
		repeat  string
		shown   []string
	}{
		{nil, false, "off", []string{"shuffle off  ·  repeat off", "Yellow shuffle on", "Blue repeat all"}},
		{[]remote.Key{remote.KeyYellow}, true, "off", []string{"shuffle on  ·  repeat off", "Yellow shuffle off"}},
		{[]remote.Key{remote.KeyYellow, remote.KeyYellow}, false, "off", []string{"shuffle off"}},
		{[]remote.Key{remote.KeyBlue}, false, "all", []string{"repeat all", "Blue repeat one"}},
		{[]remote.Key{remote.KeyBlue, remote.KeyBlue}, false, "one", []string{"repeat one", "Blue repeat off"}},
		{[]remote.Key{remote.KeyBlue, remote.KeyBlue, remote.KeyBlue, remote.KeyYellow}, true, "off", []string{"shuffle on  ·  repeat off"}},
	}
	for _, c := range cases {
		host := newHost("en")
		p := NewSongPlayer(host, "a.mp3", "/x/a.mp3", "STICK", 1, 3)
		keys(p, c.keys...)
		st := songState(p)
		if st.Shuffle != c.shuffle || st.Repeat != c.repeat {
			t.Errorf("%v: shuffle %v repeat %q, want %v %q", c.keys, st.Shuffle, st.Repeat, c.shuffle, c.repeat)
		}
		if host.st.Settings.Shuffle != c.shuffle || repeatName(host.st.Settings.Repeat) != c.repeat {
			t.Errorf("%v: the host keeps %+v", c.keys, host.st.Settings)
		}
		texts := drawnTexts(p, t0)
		for _, want := range c.shown {
			if !strings.Contains(texts, want) {
				t.Errorf("%v: no %q drawn: %s", c.keys, want, texts)
			}
		}
	}
	// The choice is the host's: the next song's screen shows it.
	host := newHost("ru")
	host.st.Settings.Repeat = state.RepeatOne
	p := NewSongPlayer(host, "b.mp3", "/x/b.mp3", "STICK", 2, 3)
	if st := songState(p); st.Repeat != "one" || !strings.Contains(drawnTexts(p, t0), "повтор одной") {
		t.Errorf("repeat one kept by the host: %+v", st)
	}
}

// Left alone a minute, the now-playing screen dims, at the time its Wake
// names; its text moves every few minutes; the first key only wakes it.
func TestSongDims(t *testing.T) {
	host := newHost("en")
	p := NewSongPlayer(host, "Long song.mp3", "/x/a.mp3", "STICK › Music", 1, 3)
	ctl := &fakeControl{stats: Status{PositionMS: 12300, DurationMS: 600000}}
	p.SetTransport(ctl)
	p.Update(t0)
	if w := p.Wake(t0); !w.Equal(t0.Add(700 * time.Millisecond)) {
		t.Fatalf("lit Wake %v, want the next second of the song, 700ms", w.Sub(t0))
	}
	ctl.stats.PositionMS = 59000
	if w := p.Wake(t0.Add(59500 * time.Millisecond)); !w.Equal(t0.Add(dimAfter)) {
		t.Fatalf("Wake %v, want when it dims, %v", w.Sub(t0), dimAfter)
	}
	if songState(p).Dimmed || !strings.Contains(drawnTexts(p, t0), "Now playing") {
		t.Fatal("dimmed at once")
	}
	dim := t0.Add(dimAfter)
	p.Update(dim)
	if !songState(p).Dimmed {
		t.Fatal("not dimmed after a minute")
	}
	rec := draw.NewRecorder(1280, 720, nil)
	p.Draw(rec, dim)
	texts := strings.Join(rec.Texts(), "|")
	if strings.Contains(texts, "Now playing") || strings.Contains(texts, "Yellow") || !strings.Contains(texts, "Long song.mp3") {
		t.Errorf("dimmed screen draws %s", texts)
	}
	rects := rec.Find(draw.OpFillRect)
	if last := rects[len(rects)-1]; last.Rect.W != 1280 || last.Color.A == 0 || last.Color.A == 255 {
		t.Errorf("no dark veil over the dimmed screen: %+v", last)
	}
	at, _ := rec.FindText("Long song.mp3")
	if w := p.Wake(dim.Add(time.Second)); !w.Equal(dim.Add(dimShift)) {
		t.Errorf("dimmed Wake %v after dimming, want %v", w.Sub(dim), dimShift)
	}
	// Between its changes the dimmed screen draws the same.
	if a, b := drawnTexts(p, dim.Add(time.Second)), drawnTexts(p, dim.Add(dimShift-time.Second)); a != b {
		t.Errorf("the dimmed screen changes between moves: %q, %q", a, b)
	}
	rec = draw.NewRecorder(1280, 720, nil)
	p.Draw(rec, dim.Add(dimShift))
	moved, _ := rec.FindText("Long song.mp3")
	if moved.X == at.X && moved.Y == at.Y {
		t.Errorf("the text stays at %v,%v after %v", at.X, at.Y, dimShift)
	}
	// The first key wakes, and does nothing else, held or not.
	host.now = dim.Add(dimShift)
	p.Handle(press(remote.KeyYellow))
	p.Handle(remote.Event{Key: remote.KeyYellow, Action: remote.Repeat})
	p.Handle(remote.Event{Key: remote.KeyYellow, Action: remote.Release})
	p.Update(host.now)
	if st := songState(p); st.Dimmed || st.Shuffle {
		t.Fatalf("the waking key: %+v", st)
	}
	keys(p, remote.KeyYellow)
	if !songState(p).Shuffle {
		t.Error("the key after waking did nothing")
	}
	p.Update(host.now.Add(dimAfter - time.Millisecond))
	lit := songState(p).Dimmed
	p.Update(host.now.Add(dimAfter))
	if lit || !songState(p).Dimmed {
		t.Errorf("after a key, dimmed before a minute %v, after %v", lit, songState(p).Dimmed)
	}
}

// A screen dimmed stays so into the folder's next song.
func TestSongDimFollows(t *testing.T) {
	host := newHost("en")
	a := NewSongPlayer(host, "a.mp3", "/x/a.mp3", "STICK", 1, 3)
	host.now = t0.Add(2 * dimAfter)
	b := NewSongPlayer(host, "b.mp3", "/x/b.mp3", "STICK", 2, 3)
	b.FollowSong(a)
	b.Update(host.now)
	if !songState(b).Dimmed {
		t.Error("the next song lit the screen again")
	}
}

// A song that failed shows its error lit, however long it is left, and
// the first key acts.
func TestSongErrorNotDimmed(t *testing.T) {
	host := newHost("en")
	p := NewSongPlayer(host, "a.mp3", "/x/a.mp3", "STICK", 1, 3)
	p.SetError(errors.New("mp3: bad frame"), nil)
	host.now = t0.Add(2 * dimAfter)
	p.Update(host.now)
	if songState(p).Dimmed || !p.Wake(host.now).Equal(nextMinute(host.now)) {
		t.Errorf("the failed song dims: %+v", songState(p))
	}
	keys(p, remote.KeyBack)
	if host.backs != 1 {
		t.Errorf("Back on the failed song: %d backs", host.backs)
	}
}
