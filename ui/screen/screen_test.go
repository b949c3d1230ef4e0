package screen

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// fakeHost records what the screens ask of the app.
type fakeHost struct {
	lang    string
	played  []string
	backs   int
	reloads int
}

func (h *fakeHost) Lang() string              { return h.lang }
func (h *fakeHost) Play(t operator.Title)     { h.played = append(h.played, t.ID) }
func (h *fakeHost) Back()                     { h.backs++ }
func (h *fakeHost) Reload()                   { h.reloads++ }
func (h *fakeHost) Poster(string) *draw.Image { return nil }

func press(k remote.Key) remote.Event { return remote.Event{Key: k, Action: remote.Press} }

func testRows() []Row {
	mk := func(id, ko, en, ru string) operator.Title {
		return operator.Title{ID: id, Name: operator.Text{"ko": ko, "en": en, "ru": ru}, Year: 2024, DurationSec: 1260, Rating: "ALL"}
	}
	return []Row{
		{Category: operator.Category{ID: "docs", Name: operator.Text{"ko": "다큐멘터리", "en": "Documentaries", "ru": "Документальные"}},
			Titles: []operator.Title{mk("d1", "바다", "The Sea", "Море"), mk("d2", "산", "Mountains", "Горы"), mk("d3", "숲", "Forest", "Лес")}},
		{Category: operator.Category{ID: "empty", Name: operator.Text{"en": "Empty"}}},
		{Category: operator.Category{ID: "news", Name: operator.Text{"ko": "뉴스", "en": "News", "ru": "Новости"}},
			Titles: []operator.Title{mk("n1", "아침 뉴스", "Morning news", "Утренние новости")}},
	}
}

func TestHomeNavigation(t *testing.T) {
	h := &fakeHost{lang: "en"}
	home := NewHome(h)
	home.SetRows(testRows())
	steps := []struct {
		key   remote.Key
		focus string
	}{
		{remote.KeyRight, "d2"},
		{remote.KeyRight, "d3"},
		{remote.KeyRight, "d3"}, // the end of the row holds
		{remote.KeyDown, "n1"},  // the empty category was left out
		{remote.KeyDown, "n1"},
		{remote.KeyUp, "d3"}, // each row keeps its column
		{remote.KeyLeft, "d2"},
	}
	for i, s := range steps {
		home.Handle(press(s.key))
		st := home.State().(HomeState)
		if st.Focus == nil || st.Focus.TitleID != s.focus {
			t.Fatalf("step %d (%v): focus %+v, want %s", i, s.key, st.Focus, s.focus)
		}
	}
	home.Handle(remote.Event{Key: remote.KeyOK, Action: remote.Release})
	home.Handle(press(remote.KeyOK))
	if len(h.played) != 1 || h.played[0] != "d2" {
		t.Fatalf("OK played %v, want [d2]", h.played)
	}
	if st := home.State().(HomeState); st.Rows != 2 || st.Titles != 4 || st.Status != HomeReady {
		t.Errorf("state %+v", st)
	}
	// A reload keeps the focus on the same title.
	home.SetRows(testRows())
	if st := home.State().(HomeState); st.Focus.TitleID != "d2" {
		t.Errorf("after reload focus is %s, want d2", st.Focus.TitleID)
	}
}

func TestHomeErrorAndRetry(t *testing.T) {
	h := &fakeHost{lang: "ko"}
	home := NewHome(h)
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	home.SetError(errors.New("operator: connection refused"), now.Add(5*time.Second))
	rec := draw.NewRecorder(1280, 720, nil)
	home.Draw(rec, now)
	for _, want := range []string{i18n.T("ko", i18n.ServerDown), i18n.T("ko", i18n.RetryIn, 5), "connection refused"} {
		if _, ok := rec.FindText(want); !ok {
			t.Errorf("error screen lacks %q; has %q", want, rec.Texts())
		}
	}
	home.Handle(press(remote.KeyOK))
	if h.reloads != 1 {
		t.Errorf("OK on the error screen reloaded %d times, want 1", h.reloads)
	}
	// Once rows are there, a later failure is only a banner over them.
	home.SetRows(testRows())
	home.SetError(errors.New("timeout"), now.Add(5*time.Second))
	if st := home.State().(HomeState); st.Status != HomeReady || st.Error != "timeout" {
		t.Errorf("state after a failed reload: %+v", st)
	}
}

// Every language lays Home out inside the screen, at 720p and 4K alike.
func TestHomeDrawsInEveryLanguage(t *testing.T) {
	now := time.Date(2026, 11, 23, 20, 15, 0, 0, time.UTC)
	for _, lang := range i18n.Languages {
		for _, size := range [][2]float32{{1280, 720}, {3840, 2160}} {
			h := &fakeHost{lang: lang}
			home := NewHome(h)
			home.SetRows(testRows())
			rec := draw.NewRecorder(size[0], size[1], nil)
			home.Draw(rec, now)
			if err := rec.Err(); err != nil {
				t.Fatalf("%s %v: %v", lang, size, err)
			}
			name := testRows()[0].Category.Name.In(lang)
			if _, ok := rec.FindText(name); !ok {
				t.Errorf("%s %v: the row label %q is missing; texts %q", lang, size, name, rec.Texts())
			}
			if _, ok := rec.FindText(i18n.T(lang, i18n.HintHome)); !ok {
				t.Errorf("%s %v: no key hint", lang, size)
			}
			for _, op := range rec.Find(draw.OpText) {
				if op.Visible() && (op.Rect.X < 0 || op.Rect.Right() > size[0]+1) {
					t.Errorf("%s %v: text %q runs off screen: %+v", lang, size, op.Text, op.Rect)
				}
			}
		}
	}
}

type fakeControl struct {
	paused []bool
	stats  player.Stats
}

func (c *fakeControl) SetPaused(p bool)    { c.paused = append(c.paused, p) }
func (c *fakeControl) Stats() player.Stats { return c.stats }

func TestPlayerKeys(t *testing.T) {
	h := &fakeHost{lang: "ru"}
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	p := NewPlayer(h, testRows()[0].Titles[0], func() time.Time { return now })
	if st := p.State().(PlayerState); st.State != PlayOpening {
		t.Fatalf("new player is %s, want opening", st.State)
	}
	ctl := &fakeControl{stats: player.Stats{PositionMS: 61000, Width: 640, Height: 360}}
	p.SetControl(ctl)
	p.Handle(press(remote.KeyOK))
	p.Handle(press(remote.KeyPlayPause))
	if len(ctl.paused) != 2 || !ctl.paused[0] || ctl.paused[1] {
		t.Errorf("pause calls %v, want [true false]", ctl.paused)
	}
	p.Handle(press(remote.KeyInfo))
	frame := media.NewPool(1).Get(64, 36)
	p.SetFrame(frame)
	rec := draw.NewRecorder(1280, 720, nil)
	p.Draw(rec, now)
	videos := rec.Find(draw.OpVideo)
	if len(videos) != 1 || videos[0].Frame != frame || videos[0].Rect != (draw.Rect{W: 1280, H: 720}) {
		t.Errorf("video ops %+v", videos)
	}
	for _, want := range []string{"Море", "1:01", "-19:59", "640x360", i18n.T("ru", i18n.StreamInfo)} {
		if _, ok := rec.FindText(want); !ok {
			t.Errorf("player screen lacks %q; has %q", want, rec.Texts())
		}
	}
	p.Handle(press(remote.KeyBack))
	if h.backs != 1 {
		t.Errorf("Back asked the host %d times", h.backs)
	}
	p.SetError(errors.New("hls: 404 Not Found"))
	rec.Reset()
	p.Draw(rec, now)
	if op, ok := rec.FindText("404"); !ok || !strings.Contains(op.Text, "hls") {
		t.Errorf("error screen lacks the reason; has %q", rec.Texts())
	}
}
