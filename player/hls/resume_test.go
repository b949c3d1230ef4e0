package hls

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cutter serves a directory and cuts the connection of every segment
// response after cutAt bytes of body, cuts times per segment; with
// noRange it ignores Range headers and sends whole files.
type cutter struct {
	dir     string
	cutAt   int
	cuts    int
	noRange bool

	mu      sync.Mutex
	done    map[string]int // cuts made per path
	ranges  atomic.Int64   // Range requests answered 206
	refused atomic.Bool    // every request fails (the server is down)
}

func (c *cutter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.refused.Load() {
		panic(http.ErrAbortHandler)
	}
	if c.noRange {
		r.Header.Del("Range")
	}
	if r.Header.Get("Range") != "" {
		c.ranges.Add(1)
	}
	if !strings.HasSuffix(r.URL.Path, ".ts") {
		http.FileServer(http.Dir(c.dir)).ServeHTTP(w, r)
		return
	}
	c.mu.Lock()
	cut := c.done[r.URL.Path] < c.cuts
	if cut {
		c.done[r.URL.Path]++
	}
	c.mu.Unlock()
	if !cut {
		http.ServeFile(w, r, filepath.Join(c.dir, filepath.FromSlash(r.URL.Path)))
		return
	}
	lw := &limitWriter{ResponseWriter: w, left: c.cutAt}
	http.ServeFile(lw, r, filepath.Join(c.dir, filepath.FromSlash(r.URL.Path)))
	panic(http.ErrAbortHandler) // the connection drops mid-body
}

// limitWriter passes on at most left bytes of body, then fails.
type limitWriter struct {
	http.ResponseWriter
	left int
}

func (w *limitWriter) Write(b []byte) (int, error) {
	if w.left <= 0 {
		return 0, http.ErrAbortHandler
	}
	n := min(len(b), w.left)
	w.left -= n
	w.ResponseWriter.Write(b[:n])
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	if n < len(b) {
		return n, http.ErrAbortHandler
	}
	return n, nil
}

// TestCutSegmentsResume cuts every segment mid-body, more times than
// there are retries in a row without progress: the reader resumes each
// from the byte it reached with a Range request, each resume being
// progress (or fetches it whole again from a server that ignores Range,
// cut fewer times) and delivers exactly the stream, with no segment
// skipped.
func TestCutSegmentsResume(t *testing.T) {
	dir := vodFixture(t)
	segs := segmentFiles(t, dir)
	want := concat(t, dir, segs...)
	for _, noRange := range []bool{false, true} {
		name := "range"
		if noRange {
			name = "no range"
		}
		t.Run(name, func(t *testing.T) {
			c := &cutter{dir: dir, cutAt: 20_000, cuts: 5, noRange: noRange, done: map[string]int{}}
			if noRange {
				c.cuts = 2
			}
			srv := serve(t, c)
			r, err := Open(context.Background(), srv.URL+"/index.m3u8", quick)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got, err := readAll(t, r, 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes, want the %d of %v", len(got), len(want), segs)
			}
			if st := r.Stats(); st.SegmentsSkipped != 0 || st.SegmentsFetched != len(segs) {
				t.Errorf("stats %+v, want every segment fetched", st)
			}
			if n := c.ranges.Load(); !noRange && n < int64(c.cuts*len(segs)) {
				t.Errorf("%d Range requests, want at least %d (a resume per cut)", n, c.cuts*len(segs))
			}
			if s := r.Reconnecting(); s != "" {
				t.Errorf("still reconnecting after the end: %q", s)
			}
		})
	}
}

// TestOutageRetried takes the server down in the middle of a VOD stream
// for longer than the old retry count lasted: the reader says what it
// retries, carries on where it was once the server is back, and with a
// budget shorter than the outage ends with an error naming the segment.
func TestOutageRetried(t *testing.T) {
	dir := vodFixture(t)
	segs := segmentFiles(t, dir)
	want := concat(t, dir, segs...)

	t.Run("back within the budget", func(t *testing.T) {
		c := &cutter{dir: dir, done: map[string]int{}}
		srv := serve(t, c)
		r, err := Open(context.Background(), srv.URL+"/index.m3u8", Config{RetryBackoff: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		first := make([]byte, 1000)
		if _, err := r.Read(first); err != nil {
			t.Fatal(err)
		}
		// The server goes down while the stream is read on: the loader,
		// a segment ahead, may have the next one already, so reading goes
		// on meanwhile until it needs one the server cannot give.
		c.refused.Store(true)
		done := readInBackground(r)
		waitFor(t, 10*time.Second, "Reconnecting to name the failure", func() bool {
			return strings.HasPrefix(r.Reconnecting(), "fetch segment ")
		})
		if s := r.SourceStats().Reconnecting; s == "" {
			t.Error("SourceStats().Reconnecting empty while retrying")
		}
		c.refused.Store(false)
		rest, err := waitRead(t, done, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if got := append(first[:1000:1000], rest...); !bytes.Equal(got, want) {
			t.Fatalf("read %d bytes across the outage, want the %d of the stream", len(got), len(want))
		}
		if s := r.Reconnecting(); s != "" {
			t.Errorf("Reconnecting %q after the server came back", s)
		}
	})
	t.Run("budget runs out", func(t *testing.T) {
		c := &cutter{dir: dir, done: map[string]int{}}
		srv := serve(t, c)
		r, err := Open(context.Background(), srv.URL+"/index.m3u8", Config{RetryBackoff: 5 * time.Millisecond, RetryTimeout: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if _, err := r.Read(make([]byte, 1000)); err != nil {
			t.Fatal(err)
		}
		c.refused.Store(true)
		_, err = readAll(t, r, 30*time.Second)
		if err == nil || !strings.Contains(err.Error(), "fetch segment ") || !strings.Contains(err.Error(), srv.URL+"/"+segs[1]) ||
			!strings.Contains(err.Error(), "attempts") {
			t.Errorf("error %v, want one naming the segment's URL, the cause and the attempts", err)
		}
	})
}

// waitFor polls cond until it holds, failing the test after deadline.
func waitFor(t *testing.T, deadline time.Duration, what string, cond func() bool) {
	t.Helper()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-timer.C:
			t.Fatalf("waited %v for %s", deadline, what)
		}
	}
}
