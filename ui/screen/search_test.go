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

// moveTo moves the search keyboard's focus to a key position.
func moveTo(s Screen, kr, kc int, at func() (int, int)) {
	r, c := at()
	for ; r < kr; r++ {
		keys(s, remote.KeyDown)
	}
	for ; r > kr; r-- {
		keys(s, remote.KeyUp)
	}
	for ; c < kc; c++ {
		keys(s, remote.KeyRight)
	}
	for ; c > kc; c-- {
		keys(s, remote.KeyLeft)
	}
}

func docSearch(q string) ([]operator.Title, error) {
	if strings.Contains("다큐멘터리", q) {
		return []operator.Title{title("d1", "다큐 바다", "Doc Sea", "Док море"), title("d2", "다큐 산", "Doc Mountains", "Док горы")}, nil
	}
	return nil, nil
}

// Typing 다큐 on the on-screen Hangul keyboard searches once, after the
// typing pauses, and OK on a result opens it.
func TestSearchTypesHangulAndDebounces(t *testing.T) {
	host := newHost("ko")
	host.searchFn = docSearch
	s := NewSearch(host)
	at := func() (int, int) { st := s.State().(SearchState); return st.KeyRow, st.KeyCol }
	// 다 = ㄷ (row 0, col 2), ㅏ (row 1, col 7); 큐 = ㅋ (row 2, col 0), ㅠ (row 2, col 4).
	for _, k := range [][2]int{{0, 2}, {1, 7}, {2, 0}, {2, 4}} {
		moveTo(s, k[0], k[1], at)
		keys(s, remote.KeyOK)
		host.now = host.now.Add(200 * time.Millisecond)
		s.Update(host.now)
	}
	st := s.State().(SearchState)
	if st.Query != "다큐" || st.Layout != "한글" {
		t.Fatalf("typed %q on %s", st.Query, st.Layout)
	}
	if len(host.searches) != 0 || st.Status != "waiting" {
		t.Fatalf("searched %q while typing (status %s)", host.searches, st.Status)
	}
	host.now = host.now.Add(SearchDebounce)
	s.Update(host.now)
	s.Update(host.now)
	st = s.State().(SearchState)
	if len(host.searches) != 1 || host.searches[0] != "다큐" || st.Status != "done" || len(st.Results) != 2 {
		t.Fatalf("searches %q, state %+v", host.searches, st)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	s.Draw(rec, host.now)
	if _, ok := rec.FindText("다큐 바다"); !ok {
		t.Errorf("results not drawn; texts %q", rec.Texts())
	}
	// Right at the keyboard's edge moves to the results.
	moveTo(s, 2, 6, at)
	keys(s, remote.KeyRight, remote.KeyDown, remote.KeyOK)
	if d, ok := host.top().(*Detail); !ok || d.title.ID != "d2" {
		t.Fatalf("OK on the second result opened %T", host.top())
	}
	if len(host.st.Recent) != 1 || host.st.Recent[0] != "다큐" {
		t.Errorf("recent searches %q", host.st.Recent)
	}
}

// A late answer to an older search never replaces a newer one's.
func TestSearchIgnoresStaleAnswers(t *testing.T) {
	host := newHost("en")
	host.hold = true
	host.searchFn = func(q string) ([]operator.Title, error) {
		return []operator.Title{title("r-"+q, q, q, q)}, nil
	}
	s := NewSearch(host)
	typeMulti := func(d remote.Key) {
		keys(s, d)
		host.now = host.now.Add(time.Second)
		s.Update(host.now)
	}
	typeMulti(remote.Key2) // "a"
	typeMulti(remote.Key3) // "ad"
	if len(host.searches) != 2 {
		t.Fatalf("searches %q", host.searches)
	}
	host.held[1]() // "ad" answers first
	host.held[0]() // then "a", late
	if st := s.State().(SearchState); st.Query != "ad" || len(st.Results) != 1 || st.Results[0] != "r-ad" {
		t.Errorf("state %+v", st)
	}
}

func TestSearchRecent(t *testing.T) {
	host := newHost("ru")
	host.searchFn = docSearch
	host.st.AddRecent("новости")
	host.st.AddRecent("кино")
	s := NewSearch(host)
	if st := s.State().(SearchState); st.Layout != "АБВ" || st.Status != "idle" {
		t.Fatalf("state %+v", st)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	s.Draw(rec, t0)
	if _, ok := rec.FindText("кино"); !ok {
		t.Errorf("recent searches not drawn: %q", rec.Texts())
	}
	// The results pane lists the recent searches; OK types one.
	for i := 0; i < 8; i++ {
		keys(s, remote.KeyRight)
	}
	keys(s, remote.KeyDown, remote.KeyOK)
	if st := s.State().(SearchState); st.Query != "новости" || st.Focus != "keyboard" {
		t.Errorf("after picking a recent search: %+v", st)
	}
	s.Update(host.now)
	if len(host.searches) != 1 || host.searches[0] != "новости" {
		t.Errorf("picking a recent search sent %q", host.searches)
	}
}

func TestSearchFailureRetries(t *testing.T) {
	host := newHost("en")
	fail := true
	host.searchFn = func(q string) ([]operator.Title, error) {
		if fail {
			return nil, errDown
		}
		return docSearch("다")
	}
	s := NewSearch(host)
	keys(s, remote.Key2)
	host.now = host.now.Add(SearchDebounce)
	s.Update(host.now)
	if st := s.State().(SearchState); st.Status != "error" {
		t.Fatalf("status %s after a failure", st.Status)
	}
	fail = false
	host.now = host.now.Add(retryAfter)
	s.Update(host.now)
	if st := s.State().(SearchState); st.Status != "done" || len(st.Results) != 2 {
		t.Errorf("after the retry: %+v", st)
	}
}

func TestSearchDraws(t *testing.T) {
	checkDrawn(t, "search", func(h *fakeHost) Screen {
		h.st.AddRecent("다큐")
		return NewSearch(h)
	})
	checkDrawn(t, "search results", func(h *fakeHost) Screen {
		h.searchFn = docSearch
		s := NewSearch(h)
		keys(s, remote.Key3)
		s.Update(t0.Add(time.Hour))
		return s
	})
	for _, lang := range i18n.Languages {
		h := newHost(lang)
		h.searchFn = func(string) ([]operator.Title, error) { return nil, nil }
		s := NewSearch(h)
		keys(s, remote.Key2)
		s.Update(t0.Add(time.Hour))
		rec := draw.NewRecorder(1280, 720, nil)
		s.Draw(rec, t0)
		q := s.State().(SearchState).Query
		if _, ok := rec.FindText(strings.SplitN(i18n.T(lang, i18n.NoResults, q), " ", 2)[0]); !ok {
			t.Errorf("%s: no 'nothing found'; texts %q", lang, rec.Texts())
		}
	}
}
