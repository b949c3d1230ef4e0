package headend

import (
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/devices"
	"github.com/manbang/manbang/operator"
)

func TestResume(t *testing.T) {
	h := startServer(t, Config{})
	h.do(t, "GET", "/api/v1/resume/doc-kimchi", "").wantError(t, 404, `no resume position for title "doc-kimchi"`)
	var r operator.Resume
	before := time.Now().Add(-time.Second)
	h.do(t, "PUT", "/api/v1/resume/doc-kimchi", `{"position_sec": 61.5}`).decode(t, 200, &r)
	if r.TitleID != "doc-kimchi" || r.PositionSec != 61.5 || r.UpdatedAt.Before(before) {
		t.Errorf("PUT answer %+v", r)
	}
	var got operator.Resume
	h.do(t, "GET", "/api/v1/resume/doc-kimchi", "").decode(t, 200, &got)
	if got.PositionSec != 61.5 || !got.UpdatedAt.Equal(r.UpdatedAt) {
		t.Errorf("GET %+v", got)
	}
	// The list has every position of the device, newest first, through
	// the box's own client call.
	h.do(t, "PUT", "/api/v1/resume/news-evening", `{"position_sec": 12}`).decode(t, 200, &r)
	var list operator.ResumeList
	h.do(t, "GET", "/api/v1/resume", "").decode(t, 200, &list)
	if len(list.Positions) != 2 || list.Positions[0].UpdatedAt.Before(list.Positions[1].UpdatedAt) {
		t.Fatalf("list %+v, want two, newest first", list)
	}
	ids := map[string]float64{}
	for _, p := range list.Positions {
		ids[p.TitleID] = p.PositionSec
	}
	if ids["doc-kimchi"] != 61.5 || ids["news-evening"] != 12 {
		t.Errorf("list %+v", list)
	}
	// Positions are per device.
	other, _ := h.register(t, "TEST-0002")
	h.doToken(t, other, "GET", "/api/v1/resume/doc-kimchi", "").wantError(t, 404, "no resume position")
	h.doToken(t, other, "GET", "/api/v1/resume", "").decode(t, 200, &list)
	if len(list.Positions) != 0 {
		t.Errorf("another box's list %+v", list)
	}
	for _, tt := range []struct {
		path, body string
		status     int
		want       string
	}{
		{"/api/v1/resume/nope", `{"position_sec":1}`, 404, `unknown title "nope"`},
		{"/api/v1/resume/doc-kimchi", `{"position_sec":-1}`, 400, "position_sec"},
		{"/api/v1/resume/doc-kimchi", `{"position_sec":"x"}`, 400, "bad resume position"},
		{"/api/v1/resume/doc-kimchi", `{"title_id":"news-evening","position_sec":1}`, 400, "is not"},
	} {
		h.do(t, "PUT", tt.path, tt.body).wantError(t, tt.status, tt.want)
	}
	h.do(t, "GET", "/api/v1/resume/nope", "").wantError(t, 404, `unknown title "nope"`)
	// Position 0 forgets.
	h.do(t, "PUT", "/api/v1/resume/doc-kimchi", `{"position_sec": 0}`).decode(t, 200, &r)
	h.do(t, "GET", "/api/v1/resume/doc-kimchi", "").wantError(t, 404, "no resume position")
	// DELETE forgets every position of the box, and no other box's.
	h.doToken(t, other, "PUT", "/api/v1/resume/doc-kimchi", `{"position_sec": 5}`).decode(t, 200, &r)
	if a := h.do(t, "DELETE", "/api/v1/resume", ""); a.status != 204 {
		t.Errorf("DELETE answered %d", a.status)
	}
	h.do(t, "GET", "/api/v1/resume", "").decode(t, 200, &list)
	if len(list.Positions) != 0 {
		t.Errorf("after DELETE the list is %+v", list)
	}
	h.doToken(t, other, "GET", "/api/v1/resume", "").decode(t, 200, &list)
	if len(list.Positions) != 1 {
		t.Errorf("DELETE from one box left another's list %+v", list)
	}
}

func TestFavourites(t *testing.T) {
	dev, err := devices.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	h := startServer(t, Config{Devices: dev})
	list := func(token, query string) (ids string, total int) {
		var p operator.TitlePage
		h.doToken(t, token, "GET", "/api/v1/favourites"+query, "").decode(t, 200, &p)
		var out []string
		for _, ti := range p.Titles {
			out = append(out, ti.ID)
			if !strings.HasPrefix(ti.PosterURL, h.url+"/media/") {
				t.Errorf("poster %q", ti.PosterURL)
			}
		}
		return strings.Join(out, ","), p.Total
	}
	if ids, n := list(h.token, ""); ids != "" || n != 0 {
		t.Errorf("no favourites: %q %d", ids, n)
	}
	for _, id := range []string{"doc-kimchi", "film-last-train", "news-evening", "doc-kimchi"} {
		if a := h.do(t, "PUT", "/api/v1/favourites/"+id, ""); a.status != 204 {
			t.Fatalf("PUT %s: %d %s", id, a.status, a.body)
		}
	}
	if ids, n := list(h.token, ""); ids != "news-evening,film-last-train,doc-kimchi" || n != 3 {
		t.Errorf("favourites %q %d", ids, n)
	}
	if ids, n := list(h.token, "?offset=1&limit=1"); ids != "film-last-train" || n != 3 {
		t.Errorf("page: %q %d", ids, n)
	}
	h.do(t, "PUT", "/api/v1/favourites/nope", "").wantError(t, 404, `unknown title "nope"`)
	if a := h.do(t, "DELETE", "/api/v1/favourites/film-last-train", ""); a.status != 204 {
		t.Errorf("DELETE: %d", a.status)
	}
	h.do(t, "DELETE", "/api/v1/favourites/film-last-train", "").wantError(t, 404, "is not a favourite")
	h.do(t, "GET", "/api/v1/favourites?limit=x", "").wantError(t, 400, "limit")

	// Per device; and kept across a new registration of the same box.
	other, _ := h.register(t, "TEST-0002")
	if ids, _ := list(other, ""); ids != "" {
		t.Errorf("other device sees %q", ids)
	}
	token, _ := h.register(t, "TEST-0001")
	if ids, _ := list(token, ""); ids != "news-evening,doc-kimchi" {
		t.Errorf("after registering again: %q", ids)
	}
	// A favourite whose title left the catalogue is left out.
	dev.AddFavourite(t.Context(), h.dev, "gone")
	if ids, n := list(token, ""); ids != "news-evening,doc-kimchi" || n != 2 {
		t.Errorf("with a removed title: %q %d", ids, n)
	}
}
