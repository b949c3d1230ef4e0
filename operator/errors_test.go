package operator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
)

// fakeServer answers with h and counts the requests.
func fakeServer(t *testing.T, h func(call int, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(int(calls.Add(1)), w, r)
	}))
	t.Cleanup(ts.Close)
	return ts, &calls
}

func jsonAnswer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write([]byte(body))
}

func TestClientRetries(t *testing.T) {
	tests := []struct {
		name    string
		retries int
		answer  func(call int, w http.ResponseWriter)
		calls   int32
		status  int    // of the APIError expected, 0 for success
		message string // of the APIError
	}{
		{"500 then OK", 0, func(call int, w http.ResponseWriter) {
			if call == 1 {
				jsonAnswer(w, 500, `{"error":"database is waking up"}`)
				return
			}
			jsonAnswer(w, 200, `{"categories":[{"id":"docs"}]}`)
		}, 2, 0, ""},
		{"500 always", 2, func(_ int, w http.ResponseWriter) {
			jsonAnswer(w, 500, `{"error":"database is waking up"}`)
		}, 3, 500, "database is waking up"},
		{"503 HTML", -1, func(_ int, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(503)
			w.Write([]byte("<html><body><h1>503 Service Unavailable</h1>\n</body></html>"))
		}, 1, 503, "Service Unavailable"},
		{"404 is not retried", 5, func(_ int, w http.ResponseWriter) {
			jsonAnswer(w, 404, `{"error":"unknown category \"x\""}`)
		}, 1, 404, `unknown category "x"`},
		{"400 is not retried", 5, func(_ int, w http.ResponseWriter) {
			jsonAnswer(w, 400, `{"error":"bad\nmultiline   message"}`)
		}, 1, 400, "bad multiline message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, calls := fakeServer(t, func(call int, w http.ResponseWriter, _ *http.Request) { tt.answer(call, w) })
			c := newClient(t, operator.ClientConfig{BaseURL: ts.URL, Retries: tt.retries})
			list, err := c.Categories(context.Background())
			if got := calls.Load(); got != tt.calls {
				t.Errorf("%d requests, want %d", got, tt.calls)
			}
			if tt.status == 0 {
				if err != nil || len(list.Categories) != 1 {
					t.Errorf("Categories = %v, %v", list, err)
				}
				return
			}
			var apiErr *operator.APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tt.status || apiErr.Message != tt.message {
				t.Errorf("error %v, want APIError %d %q", err, tt.status, tt.message)
			}
		})
	}
}

func TestClientMalformed(t *testing.T) {
	tests := []struct {
		name, ctype, body, want string
	}{
		{"truncated JSON", "application/json", `{"categories": [`, "malformed JSON: unexpected end of JSON input"},
		{"HTML page", "text/html; charset=utf-8", "<!doctype html><title>Captive portal</title>", "malformed JSON (text/html): invalid character '<'"},
		{"wrong type", "application/json", `{"categories": {"id": 1}}`, "malformed JSON: json: cannot unmarshal"},
		{"empty", "application/json", ``, "malformed JSON: empty body (status 200)"},
		{"trailing garbage", "application/json", `{"categories": []} x`, "malformed JSON: invalid character 'x' after top-level value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, calls := fakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.Write([]byte(tt.body))
			})
			c := newClient(t, operator.ClientConfig{BaseURL: ts.URL})
			_, err := c.Categories(context.Background())
			prefix := "operator: GET " + ts.URL + "/api/v1/categories: "
			if err == nil || !errors.Is(err, operator.ErrMalformed) || !strings.HasPrefix(err.Error(), prefix+tt.want) {
				t.Errorf("error %v, want %q...", err, prefix+tt.want)
			}
			if calls.Load() != 1 {
				t.Errorf("%d requests, want 1: a malformed answer is not retried", calls.Load())
			}
		})
	}
}

func TestClientBadSession(t *testing.T) {
	for _, body := range []string{
		`{"session_id":"s","url":"/media/x/index.m3u8","kind":"hls"}`,
		`{"session_id":"s","url":"http://127.0.0.1/x.m3u8","kind":"dash"}`,
		`{"url":"http://127.0.0.1/x.m3u8","kind":"hls"}`,
	} {
		ts, _ := fakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonAnswer(w, 201, body) })
		c := newClient(t, operator.ClientConfig{BaseURL: ts.URL})
		if _, err := c.StartSession(context.Background(), operator.PlayRequest{TitleID: "x"}); !errors.Is(err, operator.ErrMalformed) {
			t.Errorf("answer %s: error %v, want ErrMalformed", body, err)
		}
	}
}

func TestClientServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := newClient(t, operator.ClientConfig{BaseURL: "http://" + addr})
	_, err = c.Categories(context.Background())
	want := "operator: GET http://" + addr + "/api/v1/categories: connection refused"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// stall is a handler that never answers: it returns when the client gives
// up, and counts how often it was called.
func stall(t *testing.T) (*httptest.Server, *atomic.Int32) {
	return fakeServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
}

func TestClientTimeout(t *testing.T) {
	ts, calls := stall(t)
	c := newClient(t, operator.ClientConfig{BaseURL: ts.URL, Timeout: 50 * time.Millisecond, Retries: 1})
	_, err := c.Title(context.Background(), "x")
	want := "operator: GET " + ts.URL + "/api/v1/titles/x: no answer within 50ms"
	if err == nil || err.Error() != want || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want %q", err, want)
	}
	if calls.Load() != 2 {
		t.Errorf("%d requests, want 2: a timeout is retried", calls.Load())
	}
}

func TestClientCanceled(t *testing.T) {
	ts, calls := fakeServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		jsonAnswer(w, 502, `{"error":"upstream down"}`)
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := newClient(t, operator.ClientConfig{BaseURL: ts.URL, Retries: 5})
	if _, err := c.Categories(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if calls.Load() != 0 {
		t.Errorf("%d requests after cancel", calls.Load())
	}

	// A caller's deadline stops retrying at once.
	ts2, calls2 := stall(t)
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c = newClient(t, operator.ClientConfig{BaseURL: ts2.URL, Retries: 5, Timeout: time.Minute})
	if _, err := c.Categories(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want context.DeadlineExceeded", err)
	}
	if calls2.Load() != 1 {
		t.Errorf("%d requests, want 1", calls2.Load())
	}
}

func TestClientResponseTooLarge(t *testing.T) {
	ts, _ := fakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"categories":[],"pad":"`))
		w.Write([]byte(strings.Repeat("x", operator.MaxResponseSize)))
		w.Write([]byte(`"}`))
	})
	c := newClient(t, operator.ClientConfig{BaseURL: ts.URL})
	if _, err := c.Categories(context.Background()); err == nil || !strings.Contains(err.Error(), "answer larger than 8 MiB") {
		t.Errorf("error %v, want answer larger than 8 MiB", err)
	}
}

// decodeBody decodes the JSON body of r into v.
func decodeBody(r *http.Request, v any) {
	json.NewDecoder(r.Body).Decode(v)
}
