package screen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

func manyTitles(n int) []operator.Title {
	ts := make([]operator.Title, n)
	for i := range ts {
		ts[i] = title(fmt.Sprintf("t%02d", i), fmt.Sprintf("제목 %d", i), fmt.Sprintf("Title %d", i), fmt.Sprintf("Название %d", i))
	}
	return ts
}

var docs = operator.Category{ID: "docs", Name: operator.Text{"ko": "다큐멘터리", "en": "Documentaries", "ru": "Документальные"}}

// The grid fetches pages as the focus moves down, and no page twice.
func TestGridPaging(t *testing.T) {
	host := newHost("en")
	host.catalog = map[string][]operator.Title{"docs": manyTitles(70)}
	g := NewGrid(host, docs)
	g.Update(t0)
	if got := strings.Join(host.titleReqs, "; "); got != "docs 0 30" {
		t.Fatalf("requests %q after opening", got)
	}
	for i := 0; i < 3; i++ {
		keys(g, remote.KeyDown)
		g.Update(t0)
	}
	if len(host.titleReqs) != 1 {
		t.Fatalf("fetched early: %q", host.titleReqs)
	}
	keys(g, remote.KeyDown) // row 4 of 6: within two rows of the end
	g.Update(t0)
	g.Update(t0)
	if got := strings.Join(host.titleReqs, "; "); got != "docs 0 30; docs 30 30" {
		t.Fatalf("requests %q", got)
	}
	keys(g, remote.KeyRight, remote.KeyRight, remote.KeyRight, remote.KeyRight)
	for i := 0; i < 20; i++ {
		keys(g, remote.KeyDown)
		g.Update(t0)
	}
	st := g.State().(GridState)
	if st.Loaded != 70 || st.Total != 70 || len(host.titleReqs) != 3 {
		t.Errorf("loaded %d of %d in %d requests", st.Loaded, st.Total, len(host.titleReqs))
	}
	if st.Focus != 69 || st.TitleID != "t69" {
		t.Errorf("Down to the end focused %d (%s), want the last, 69", st.Focus, st.TitleID)
	}
	keys(g, remote.KeyRight) // past the last title: nothing there
	if g.State().(GridState).Focus != 69 {
		t.Error("Right moved past the last title")
	}
	keys(g, remote.KeyChannelUp, remote.KeyUp, remote.KeyLeft)
	if st := g.State().(GridState); st.Focus != 48 {
		t.Errorf("after page up, up, left: focus %d, want 48", st.Focus)
	}
	keys(g, remote.KeyOK)
	if d, ok := host.top().(*Detail); !ok || d.title.ID != "t48" {
		t.Errorf("OK opened %T", host.top())
	}
	host.st.SetResume(host.catalog["docs"][48], 5e9, t0)
	keys(g, remote.KeyPlayPause)
	if len(host.played) != 1 || host.played[0] != "t48@5s" {
		t.Errorf("Play played %v", host.played)
	}
	keys(g, remote.KeyBack)
	if host.backs != 1 {
		t.Errorf("Back went back %d times", host.backs)
	}
}

func TestGridFailureRetries(t *testing.T) {
	host := newHost("ru")
	host.titlesErr = errDown
	g := NewGrid(host, docs)
	g.Update(t0)
	rec := draw.NewRecorder(1280, 720, nil)
	g.Draw(rec, t0)
	if _, ok := rec.FindText(i18n.T("ru", i18n.ServerDown)); !ok {
		t.Errorf("failed grid lacks the failure; has %q", rec.Texts())
	}
	host.titlesErr = nil
	host.catalog = map[string][]operator.Title{"docs": manyTitles(3)}
	g.Update(t0.Add(retryAfter))
	if st := g.State().(GridState); st.Loaded != 3 || st.Error != "" {
		t.Errorf("after the retry: %+v", st)
	}
}

func TestGridDraws(t *testing.T) {
	checkDrawn(t, "grid", func(h *fakeHost) Screen {
		h.catalog = map[string][]operator.Title{"docs": manyTitles(40)}
		return NewGrid(h, docs)
	})
	checkDrawn(t, "empty grid", func(h *fakeHost) Screen { return NewGrid(h, docs) })
}
