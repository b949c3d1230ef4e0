package session

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/headend"
	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/screen"
)

// host is what the Player screen asks of the app, for these tests: a
// clock that moves only when told, and nothing to tune to.
type host struct{ now time.Time }

func (h *host) Lang() string                                       { return "en" }
func (h *host) Now() time.Time                                     { return h.now }
func (h *host) Back()                                              {}
func (h *host) Push(screen.Screen)                                 {}
func (h *host) Poster(string) *draw.Image                          { return nil }
func (h *host) Play(operator.Title, time.Duration)                 {}
func (h *host) PlayChannel(operator.Channel)                       {}
func (h *host) PlayProgramme(operator.Channel, operator.Programme) {}
func (h *host) Zap(int)                                            {}
func (h *host) TuneNumber(int) bool                                { return false }
func (h *host) TuneLast()                                          {}

// loop stands in for the app's render loop: the session's goroutines post
// to it, and the test runs what they posted.
type loop struct {
	ctx   context.Context
	tasks chan func()
	wg    sync.WaitGroup
}

func newLoop(t *testing.T) *loop {
	ctx, cancel := context.WithCancel(context.Background())
	l := &loop{ctx: ctx, tasks: make(chan func(), 16)}
	t.Cleanup(func() {
		cancel()
		l.wg.Wait()
	})
	return l
}

func (l *loop) post(f func()) bool {
	select {
	case l.tasks <- f:
		return true
	case <-l.ctx.Done():
		return false
	}
}

func (l *loop) goWork(work func(context.Context)) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		work(l.ctx)
	}()
}

// until runs what is posted until ok holds, for at most 30 s.
func (l *loop) until(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !ok() {
		select {
		case f := <-l.tasks:
			f()
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// headEnd serves a catalogue of one title and one channel, with no media,
// no multicast and no live streamer, on 127.0.0.1, and returns a box's
// client of it.
func headEnd(t *testing.T) *operator.Client {
	t.Helper()
	store, err := catalog.New([]operator.Category{{ID: "c", Name: operator.Text{"en": "C"}}},
		[]operator.Title{{ID: "t1", CategoryID: "c", Name: operator.Text{"en": "One"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.PutChannel(t.Context(), catalog.Channel{Channel: operator.Channel{ID: "ch1", Number: 1, Name: operator.Text{"en": "One"}}}); err != nil {
		t.Fatal(err)
	}
	srv, err := headend.New(headend.Config{Store: store, MediaDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	c, err := operator.NewClient(operator.ClientConfig{BaseURL: ts.URL, Device: operator.DeviceRegistration{Serial: "SN-SESSION", Model: "test", Firmware: "0"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A request the operator refuses (4xx) is shown in the viewer's words and
// not sent again on a timer; one the operator failed to serve (5xx) is.
func TestRefusedIsNotRetried(t *testing.T) {
	c := headEnd(t)
	multicast := operator.Channel{ID: "ch1", Number: 1, Name: operator.Text{"en": "One"}, Delivery: []string{operator.DeliveryMulticast}}
	unicast := multicast
	unicast.Delivery = []string{operator.DeliveryUnicast}
	cases := []struct {
		name    string
		req     Request
		problem string // what the viewer reads
		retried bool
	}{
		{"a title the operator does not have: 404", Request{Title: operator.Title{ID: "nope"}}, "This is no longer offered", false},
		{"a channel listed as multicast that is not sent so: 409", Request{Channel: &multicast, Title: operator.Title{ID: "ch1"}}, "This channel cannot be sent to this box", false},
		{"unicast from a head-end without a live streamer: 503", Request{Channel: &unicast, Title: operator.Title{ID: "ch1"}}, "This programme cannot be played", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoop(t)
			h := &host{now: time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)}
			view := screen.NewPlayer(h, tc.req.Title)
			s := Start(Config{
				Ctx: l.ctx, Client: c, Sound: func() audio.Sink { return audio.NewSilent(nil) },
				Loop: l.post, Go: l.goWork, Logger: slog.New(slog.DiscardHandler), Now: h.Now,
			}, tc.req, view)
			defer s.Stop()
			state := func() screen.PlayerState { return view.State().(screen.PlayerState) }
			l.until(t, "the error screen", func() bool { return state().State == screen.PlayError })
			if p := state().Problem; !strings.HasPrefix(p, tc.problem) {
				t.Errorf("the viewer reads %q, want %q", p, tc.problem)
			}
			if strings.Contains(state().Problem, "/api/v1") {
				t.Errorf("the viewer reads the raw API error: %q", state().Problem)
			}
			// A minute on, the screen has had every chance to try again.
			for range 60 {
				h.now = h.now.Add(time.Second)
				view.Update(h.now)
			}
			if got, want := s.Attempts() > 1, tc.retried; got != want {
				t.Errorf("retried: %v, want %v (%d attempts)", got, want, s.Attempts())
			}
		})
	}
}

// A stream address from an operator that names the box's own files (a
// playlist channel's file:// URL or plain path) is not opened: the viewer
// is told the programme cannot be played, and no file is read.
func TestOperatorCannotOpenLocalFiles(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is needed (make deps installs it)")
	}
	ts := filepath.Join(t.TempDir(), "private.ts")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "2",
		"-c:v", "libx264", "-preset", "ultrafast", ts).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	for _, url := range []string{ts, "file://" + ts} {
		t.Run(url, func(t *testing.T) {
			l := newLoop(t)
			h := &host{now: time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)}
			ch := operator.Channel{ID: "p1", Number: 1, Name: operator.Text{"en": "Playlist"}, URL: url}
			view := screen.NewPlayer(h, operator.Title{ID: "p1"})
			s := Start(Config{
				Ctx: l.ctx, Sound: func() audio.Sink { return audio.NewSilent(nil) },
				Loop: l.post, Go: l.goWork, Logger: slog.New(slog.DiscardHandler), Now: h.Now,
			}, Request{Channel: &ch, Title: operator.Title{ID: "p1"}}, view)
			defer s.Stop()
			state := func() screen.PlayerState { return view.State().(screen.PlayerState) }
			l.until(t, "the error screen", func() bool {
				st := state().State
				if st == screen.PlayPlaying {
					t.Fatalf("the operator's %s played", url)
				}
				return st == screen.PlayError
			})
			if p := state().Problem; !strings.HasPrefix(p, "This programme cannot be played") {
				t.Errorf("the viewer reads %q", p)
			}
			if s.Player() != nil {
				t.Error("a player was opened")
			}
		})
	}
}

// A song has no pictures to wake the loop with: its end wakes it, so that
// a loop asleep until the screen's next change still hears it end.
func TestSongEndWakes(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is needed (make deps installs it)")
	}
	song := filepath.Join(t.TempDir(), "song.mp3")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "1",
		"-c:a", "libmp3lame", "-b:a", "64k", song).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	l := newLoop(t)
	h := &host{now: time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)}
	view := screen.NewFilePlayer(h, "song.mp3", song)
	woken := make(chan struct{}, 64)
	s := Start(Config{
		Ctx: l.ctx, Sound: func() audio.Sink { return audio.NewSilent(nil) },
		Loop: l.post, Go: l.goWork, Logger: slog.New(slog.DiscardHandler), Now: h.Now,
		Wake: func() { woken <- struct{}{} },
	}, Request{Title: view.Title(), Locator: song, Local: true}, view)
	defer s.Stop()
	l.until(t, "the song playing", func() bool { return s.Player() != nil })
	select {
	case <-woken:
	case <-time.After(30 * time.Second):
		t.Fatal("the song's end did not wake the loop")
	}
	if _, ended := s.Update(h.now); !ended {
		t.Error("woken, the session has not ended")
	}
}
