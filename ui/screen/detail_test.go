package screen

import (
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

func TestDetailButtons(t *testing.T) {
	host := newHost("en")
	tt := title("d1", "바다", "The Sea", "Море")
	d := NewDetail(host, tt)
	st := d.State().(DetailState)
	if len(st.Buttons) != 2 || st.Buttons[0] != btnPlay || st.Focus != btnPlay {
		t.Fatalf("buttons %v focus %s", st.Buttons, st.Focus)
	}
	keys(d, remote.KeyRight, remote.KeyOK)
	if !host.st.IsFavourite("d1") || !d.State().(DetailState).Favourite {
		t.Error("OK on the favourite button did not mark it")
	}
	keys(d, remote.KeyOK)
	if host.st.IsFavourite("d1") {
		t.Error("a second OK did not unmark it")
	}
	keys(d, remote.KeyLeft, remote.KeyOK)
	if len(host.played) != 1 || host.played[0] != "d1" {
		t.Errorf("Play played %v", host.played)
	}
	// With a resume position: Resume first, then from the start.
	host.st.SetResume(tt, 754*time.Second, t0)
	st = d.State().(DetailState)
	if len(st.Buttons) != 3 || st.Buttons[0] != btnResume || st.ResumeSec != 754 {
		t.Fatalf("with a resume position: %+v", st)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	d.Draw(rec, t0)
	if _, ok := rec.FindText(i18n.T("en", i18n.ResumeFrom, "12:34")); !ok {
		t.Errorf("no resume button; texts %q", rec.Texts())
	}
	keys(d, remote.KeyOK)
	keys(d, remote.KeyRight, remote.KeyOK)
	keys(d, remote.KeyPlayPause)
	want := []string{"d1", "d1@12m34s", "d1", "d1@12m34s"}
	if len(host.played) != len(want) {
		t.Fatalf("played %v, want %v", host.played, want)
	}
	for i := range want {
		if host.played[i] != want[i] {
			t.Errorf("played %v, want %v", host.played, want)
		}
	}
	keys(d, remote.KeyBack)
	if host.backs != 1 {
		t.Errorf("%d backs", host.backs)
	}
}

func TestDetailDraws(t *testing.T) {
	checkDrawn(t, "detail", func(h *fakeHost) Screen {
		tt := title("d1", "아주 긴 제목의 다큐멘터리: 바다와 산과 숲 이야기", "A very long documentary title: the sea, the mountains and the forest", "Очень длинное название: море, горы и лес")
		tt.Season, tt.Episode = 2, 5
		h.st.SetResume(tt, time.Minute, t0)
		return NewDetail(h, tt)
	})
}
