package headend

import (
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	h := startServer(t, Config{})
	h.do(t, "GET", "/api/v1/categories", "")
	h.do(t, "GET", "/api/v1/titles/nope", "")
	h.do(t, "POST", "/api/v1/sessions", `{"title_id":"doc-kimchi"}`)
	h.doToken(t, "", "GET", "/nope", "")
	a := h.doToken(t, "", "GET", "/metrics", "")
	if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("%d %q", a.status, a.header.Get("Content-Type"))
	}
	body := string(a.body)
	for _, want := range []string{
		`manbang_headend_requests_total{code="200",route="GET /api/v1/categories"} 1`,
		`manbang_headend_requests_total{code="404",route="GET /api/v1/titles/{id}"} 1`,
		`manbang_headend_requests_total{code="201",route="POST /api/v1/devices"} 1`,
		`manbang_headend_requests_total{code="404",route="unmatched"} 1`,
		`manbang_headend_request_duration_seconds_bucket{route="GET /api/v1/categories",le="+Inf"} 1`,
		`manbang_headend_sessions{kind="hls"} 1`,
		`manbang_headend_sessions{kind="rtp-unicast"} 0`,
		`manbang_headend_devices 1`,
		`manbang_headend_titles 3`,
		`manbang_headend_channels 2`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
