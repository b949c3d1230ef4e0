package source

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/manbang/manbang/player/hls"
	"github.com/manbang/manbang/player/media"
)

// cuttingServer serves body, cutting the connection every cutEvery bytes
// of each response, cuts times in all; with noRange it answers Range
// requests with the whole body. While down is set it drops every request.
type cuttingServer struct {
	body     []byte
	cutEvery int
	cuts     int
	noRange  bool
	down     atomic.Bool
	ranges   atomic.Int64
	mu       sync.Mutex
	cut      int
}

func (c *cuttingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.down.Load() {
		panic(http.ErrAbortHandler)
	}
	from := 0
	if rg := r.Header.Get("Range"); rg != "" && !c.noRange {
		c.ranges.Add(1)
		start, ok := hls.ContentRangeStart(strings.Replace(rg, "=", " ", 1))
		if !ok {
			http.Error(w, "bad range", http.StatusRequestedRangeNotSatisfiable)
			return
		}
		from = int(start)
		w.Header().Set("Content-Range", "bytes "+itoa(from)+"-"+itoa(len(c.body)-1)+"/"+itoa(len(c.body)))
		w.Header().Set("Content-Length", itoa(len(c.body)-from))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.Header().Set("Content-Length", itoa(len(c.body)))
	}
	rest := c.body[from:]
	c.mu.Lock()
	cut := c.cut < c.cuts && len(rest) > c.cutEvery
	if cut {
		c.cut++
		rest = rest[:c.cutEvery]
	}
	c.mu.Unlock()
	w.Write(rest)
	if cut {
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestHTTPResume reads a plain HTTP .ts whose connection is cut again and
// again: the stream resumes each time from the byte reached (or reads the
// whole body again up to there from a server that ignores Range) and
// delivers exactly the body.
func TestHTTPResume(t *testing.T) {
	_, stream := makeHLS(t)
	for _, noRange := range []bool{false, true} {
		t.Run(map[bool]string{false: "range", true: "no range"}[noRange], func(t *testing.T) {
			c := &cuttingServer{body: stream, cutEvery: len(stream) / 7, cuts: 5, noRange: noRange}
			srv := serveHandler(t, c)
			rc, err := Open(context.Background(), srv+"/ch.ts", Config{RequestTimeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			got, err := readAll(t, rc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, stream) {
				t.Errorf("read %d bytes, want the %d of the body", len(got), len(stream))
			}
			if n := c.ranges.Load(); !noRange && n != 5 {
				t.Errorf("%d Range requests, want 5", n)
			}
		})
	}
}

// TestHTTPReconnecting takes the server down mid-body: the stream says
// what it is reconnecting after, goes on once the server is back, and
// says nothing more.
func TestHTTPReconnecting(t *testing.T) {
	_, stream := makeHLS(t)
	c := &cuttingServer{body: stream, cutEvery: 20000, cuts: 1}
	srv := serveHandler(t, c)
	rc, err := Open(context.Background(), srv+"/ch.ts", Config{RequestTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	c.down.Store(true) // the cut after 20000 bytes then finds the server down
	ss := rc.(media.StatsSource)
	done := make(chan []byte, 1)
	go func() {
		b, _ := readAll(t, rc)
		done <- b
	}()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !strings.HasPrefix(ss.SourceStats().Reconnecting, "fetch "+srv+"/ch.ts: ") {
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("Reconnecting %q while the server is down", ss.SourceStats().Reconnecting)
		}
	}
	c.down.Store(false)
	select {
	case got := <-done:
		if !bytes.Equal(got, stream) {
			t.Errorf("read %d bytes across the outage, want %d", len(got), len(stream))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("reading did not end")
	}
	if s := ss.SourceStats().Reconnecting; s != "" {
		t.Errorf("Reconnecting %q after the server came back", s)
	}
}

func serveHandler(t *testing.T, h http.Handler) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}
