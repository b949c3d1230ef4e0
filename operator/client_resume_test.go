package operator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
)

// The box reads back every resume position of the device, newest first,
// leaving out entries that mean nothing.
func TestClientResumePositions(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   []string // title IDs in order
		err    bool
	}{
		{"list", 200, `{"positions":[
			{"title_id":"a","position_sec":10,"updated_at":"2026-11-20T10:00:00Z"},
			{"title_id":"b","position_sec":20,"updated_at":"2026-11-22T10:00:00Z"},
			{"title_id":"","position_sec":5},
			{"title_id":"c","position_sec":0,"updated_at":"2026-11-23T10:00:00Z"}]}`, []string{"b", "a"}, false},
		{"empty", 200, `{"positions":[]}`, nil, false},
		{"no list on this head-end", 404, `{"error":"not found"}`, nil, true},
		{"malformed", 200, `{"positions":7}`, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != "GET" || r.URL.Path != "/api/v1/resume" {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(c.status)
				w.Write([]byte(c.body))
			}))
			defer srv.Close()
			cl := newClient(t, operator.ClientConfig{BaseURL: srv.URL, Retries: -1})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got, err := cl.ResumePositions(ctx)
			if (err != nil) != c.err {
				t.Fatalf("error %v, want error %v", err, c.err)
			}
			if c.status == 404 && !operator.IsNotFound(err) {
				t.Errorf("a 404 is not IsNotFound: %v", err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.TitleID)
			}
			if len(ids) != len(c.want) {
				t.Fatalf("got %v, want %v", ids, c.want)
			}
			for i := range ids {
				if ids[i] != c.want[i] {
					t.Fatalf("got %v, want %v", ids, c.want)
				}
			}
		})
	}
}
