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

func testRows() []Row {
	chs := testChannels()
	g := newGuide(testGuide())
	now, _ := g.at("kbs", t0)
	return []Row{
		{Kind: RowContinue, Items: []Item{{Title: title("c1", "이어보기", "Half seen", "Недосмотрено"), Resume: 90 * time.Second, Progress: 0.4}}},
		{Kind: RowLive, Items: []Item{{Title: operator.Title{ID: "kbs"}, Channel: &chs[0], Now: now}}},
		{Kind: RowCategory, Category: operator.Category{ID: "docs", Name: operator.Text{"ko": "다큐멘터리", "en": "Documentaries", "ru": "Документальные"}}, Total: 7,
			Items: []Item{{Title: title("d1", "바다", "The Sea", "Море")}, {Title: title("d2", "산", "Mountains", "Горы")}, {Title: title("d3", "숲", "Forest", "Лес")}}},
		{Kind: RowFavourites},
		{Kind: RowCategory, Category: operator.Category{ID: "news", Name: operator.Text{"ko": "뉴스", "en": "News", "ru": "Новости"}}, Total: 1,
			Items: []Item{{Title: title("n1", "아침 뉴스", "Morning news", "Утренние новости")}}},
	}
}

func homeFocus(h *Home) *Focus { return h.State().(HomeState).Focus }

func TestHomeNavigation(t *testing.T) {
	host := newHost("en")
	home := NewHome(host)
	home.SetRows(testRows())
	if st := home.State().(HomeState); strings.Join(st.RowIDs, ",") != "continue,live,cat:docs,cat:news" || st.Titles != 4 {
		t.Fatalf("rows %v, %d titles", st.RowIDs, st.Titles)
	}
	steps := []struct {
		key  remote.Key
		kind string
		id   string
	}{
		{remote.KeyDown, "channel", "kbs"},
		{remote.KeyDown, "title", "d1"},
		{remote.KeyRight, "title", "d2"},
		{remote.KeyRight, "title", "d3"},
		{remote.KeyRight, "see_all", ""},
		{remote.KeyRight, "see_all", ""}, // the end of the row holds
		{remote.KeyDown, "title", "n1"},  // the empty favourites row was left out
		{remote.KeyDown, "title", "n1"},
		{remote.KeyUp, "see_all", ""}, // each row keeps its column
		{remote.KeyLeft, "title", "d3"},
	}
	for i, s := range steps {
		keys(home, s.key)
		f := homeFocus(home)
		if f == nil || f.Kind != s.kind || (f.TitleID+f.ChannelID) != s.id {
			t.Fatalf("step %d (%v): focus %+v, want %s %s", i, s.key, f, s.kind, s.id)
		}
	}
	keys(home, remote.KeyOK)
	if d, ok := host.top().(*Detail); !ok || d.title.ID != "d3" {
		t.Fatalf("OK on a title opened %T", host.top())
	}
	keys(home, remote.KeyRight, remote.KeyOK)
	if g, ok := host.top().(*Grid); !ok || g.cat.ID != "docs" {
		t.Fatalf("OK on the last tile opened %T", host.top())
	}
	keys(home, remote.KeyUp, remote.KeyOK)
	if len(host.tuned) != 1 || host.tuned[0] != "kbs" {
		t.Errorf("OK on a channel tuned %v", host.tuned)
	}
	keys(home, remote.KeyUp, remote.KeyPlayPause)
	if len(host.played) != 1 || host.played[0] != "c1@1m30s" {
		t.Errorf("Play on a title to continue played %v", host.played)
	}
	// Up from the first row reaches the top bar.
	keys(home, remote.KeyUp, remote.KeyRight, remote.KeyRight)
	if st := home.State().(HomeState); st.Nav != "guide" || st.Focus != nil {
		t.Fatalf("top bar focus %q, row focus %+v", st.Nav, st.Focus)
	}
	keys(home, remote.KeyOK)
	if _, ok := host.top().(*Guide); !ok {
		t.Errorf("OK on the guide entry opened %T", host.top())
	}
	keys(home, remote.KeyDown)
	if f := homeFocus(home); f == nil || f.TitleID != "c1" {
		t.Errorf("Down from the top bar focused %+v", f)
	}
	// A reload keeps the focus on the same item.
	keys(home, remote.KeyDown, remote.KeyDown, remote.KeyLeft, remote.KeyLeft)
	home.SetRows(testRows()[2:])
	if f := homeFocus(home); f == nil || f.TitleID != "d2" {
		t.Errorf("after reload focus is %+v, want d2", f)
	}
}

func TestHomeUnusedKeysGoToTheApp(t *testing.T) {
	home := NewHome(newHost("en"))
	home.SetRows(testRows())
	for _, k := range []remote.Key{remote.KeyRed, remote.KeyMenu, remote.KeyInfo, remote.KeyVolumeUp} {
		if home.Handle(press(k)) {
			t.Errorf("Home used %v", k)
		}
	}
	if !home.Handle(press(remote.KeyDown)) {
		t.Error("Home did not use Down")
	}
}

func TestHomeErrorAndRetry(t *testing.T) {
	host := newHost("ko")
	home := NewHome(host)
	home.SetError(errDown, t0)
	rec := draw.NewRecorder(1280, 720, nil)
	home.Update(t0)
	home.Draw(rec, t0)
	for _, want := range []string{i18n.T("ko", i18n.ServerDown), i18n.T("ko", i18n.RetryIn, 5), "connection refused"} {
		if _, ok := rec.FindText(want); !ok {
			t.Errorf("error screen lacks %q; has %q", want, rec.Texts())
		}
	}
	keys(home, remote.KeyOK)
	if host.reloads != 1 {
		t.Errorf("OK on the error screen reloaded %d times, want 1", host.reloads)
	}
	// The retry comes by itself, once, when its time comes.
	home.Update(t0.Add(4 * time.Second))
	home.Update(t0.Add(5 * time.Second))
	home.Update(t0.Add(6 * time.Second))
	if host.reloads != 2 {
		t.Errorf("after the retry time: %d reloads, want 2", host.reloads)
	}
	// The top bar stays usable: settings are reachable without a server.
	keys(home, remote.KeyUp, remote.KeyRight, remote.KeyRight, remote.KeyRight, remote.KeyOK)
	if _, ok := host.top().(*Settings); !ok {
		t.Errorf("the top bar on the error screen opened %T", host.top())
	}
	// Once rows are there, a later failure is only a banner over them.
	home.SetRows(testRows())
	home.SetError(errDown, t0)
	if st := home.State().(HomeState); st.Status != HomeReady || !strings.Contains(st.Error, "refused") {
		t.Errorf("state after a failed reload: %+v", st)
	}
	// No network is told apart from a server that does not answer.
	home = NewHome(host)
	home.SetError(&KindError{Kind: FailNetwork, Err: errDown}, t0)
	rec.Reset()
	home.Draw(rec, t0)
	if _, ok := rec.FindText(i18n.T("ko", i18n.NoNetwork)); !ok {
		t.Errorf("no-network screen lacks its title; has %q", rec.Texts())
	}
}

// Rows kept from the last run are marked until the operator answers: in
// the state, and as a quiet note that gives way to a failure's banner.
func TestHomeStale(t *testing.T) {
	home := NewHome(newHost("ru"))
	home.SetLoading()
	home.SetRows(testRows())
	steps := []struct {
		name      string
		do        func()
		stale     bool
		note, err bool // drawn
	}{
		{"from the cache", func() { home.SetStale(true) }, true, true, false},
		{"reloading", func() { home.SetLoading() }, true, true, false},
		{"the operator failed", func() { home.SetError(errDown, t0) }, true, false, true},
		{"the operator answered", func() { home.SetRows(testRows()); home.SetStale(false) }, false, false, false},
	}
	rec := draw.NewRecorder(1280, 720, nil)
	for _, s := range steps {
		s.do()
		st := home.State().(HomeState)
		if st.Status != HomeReady || st.Stale != s.stale {
			t.Errorf("%s: state %+v, want ready and stale %v", s.name, st, s.stale)
		}
		rec.Reset()
		home.Update(t0)
		home.Draw(rec, t0)
		if _, ok := rec.FindText(i18n.T("ru", i18n.CatalogUpdating)); ok != s.note {
			t.Errorf("%s: the stale note drawn %v, want %v", s.name, ok, s.note)
		}
		if _, ok := rec.FindText(i18n.T("ru", i18n.ServerDown) + " · " + i18n.T("ru", i18n.RetryIn, 5)); ok != s.err {
			t.Errorf("%s: the failure banner drawn %v, want %v; texts %q", s.name, ok, s.err, rec.Texts())
		}
	}
}

// The focus ring glides: the first frame after a key has moved it part of
// the way, and it settles within animTime.
func TestHomeFocusGlides(t *testing.T) {
	home := NewHome(newHost("en"))
	home.SetRows(testRows())
	keys(home, remote.KeyDown, remote.KeyDown)
	home.Update(t0)
	home.Update(t0.Add(time.Second))
	start := home.ringX.value()
	keys(home, remote.KeyRight)
	home.Update(t0.Add(time.Second + 16*time.Millisecond))
	first := home.ringX.value()
	want := float32(tileW + tileGap)
	if first <= start || first >= start+want {
		t.Errorf("first frame: ring at %v, want between %v and %v", first, start, start+want)
	}
	home.Update(t0.Add(time.Second + 16*time.Millisecond + animTime))
	if got := home.ringX.value(); got != start+want {
		t.Errorf("after %v: ring at %v, want %v", animTime, got, start+want)
	}
}

// Every language lays Home out inside the screen, at 720p and 4K alike.
func TestHomeDrawsInEveryLanguage(t *testing.T) {
	checkDrawn(t, "home", func(h *fakeHost) Screen {
		home := NewHome(h)
		home.SetRows(testRows())
		return home
	})
	checkDrawn(t, "home loading", func(h *fakeHost) Screen { return NewHome(h) })
	checkDrawn(t, "home stale", func(h *fakeHost) Screen {
		home := NewHome(h)
		home.SetRows(testRows())
		home.SetStale(true)
		return home
	})
	checkDrawn(t, "home error", func(h *fakeHost) Screen {
		home := NewHome(h)
		home.SetError(errDown, t0)
		return home
	})
	for _, lang := range i18n.Languages {
		h := newHost(lang)
		home := NewHome(h)
		home.SetRows(testRows())
		rec := draw.NewRecorder(1280, 720, nil)
		settle := func() {
			home.Update(t0)
			home.Update(t0.Add(time.Second))
			rec.Reset()
			home.Draw(rec, t0)
		}
		settle()
		for _, want := range []string{i18n.T(lang, i18n.RowContinue), i18n.T(lang, i18n.RowLiveNow), i18n.T(lang, i18n.HintHome), i18n.T(lang, i18n.NavSearch)} {
			if _, ok := rec.FindText(want); !ok {
				t.Errorf("%s: Home lacks %q; has %q", lang, want, rec.Texts())
			}
		}
		keys(home, remote.KeyDown, remote.KeyDown)
		settle()
		if _, ok := rec.FindText(testRows()[2].Category.Name.In(lang)); !ok {
			t.Errorf("%s: Home scrolled down lacks the category row; has %q", lang, rec.Texts())
		}
	}
}
