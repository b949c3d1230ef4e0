//go:build faults

package faults

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// faultyServer serves an HLS directory as a bad network and a bad server
// would: cut responses, jitter, an outage, a bandwidth cap, a segment that
// stalls half way, garbage instead of a file.
type faultyServer struct {
	dir string
	imp impairment
	// StallSegment stalls the Nth segment request (1-based) half way until
	// the client gives up; 0 never.
	StallSegment int
	// GarbageSegment answers the Nth segment request with random bytes.
	GarbageSegment int
	// GarbagePlaylists answers every playlist with random bytes.
	GarbagePlaylists bool

	mu       sync.Mutex
	first    time.Time
	rng      *rand.Rand
	segments atomic.Int64
	Cut      atomic.Int64 // responses cut short
	Refused  atomic.Int64 // requests refused during the outage
	Stalled  atomic.Int64
	Resumed  atomic.Int64 // Range requests answered from their first byte
}

func newFaultyServer(dir string, imp impairment) *faultyServer {
	return &faultyServer{dir: dir, imp: imp, rng: rand.New(rand.NewPCG(11, 13))}
}

func (s *faultyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.first.IsZero() {
		s.first = time.Now()
	}
	since := time.Since(s.first)
	// Loss cuts the connection: each 8 KiB piece of a response is lost
	// with the probability, and TCP gives up on it (as after a path
	// failure), so that a response of n pieces is cut with 1-(1-p)^n.
	cutAt := -1
	for i := range 4096 {
		if s.rng.Float64() < s.imp.Loss {
			cutAt = i * 8 << 10
			break
		}
	}
	var delay time.Duration
	if s.imp.Jitter > 0 {
		delay = time.Duration(s.rng.Int64N(int64(s.imp.Jitter)))
	}
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(s.rng.UintN(256))
	}
	s.mu.Unlock()
	if s.imp.Outage > 0 && since >= s.imp.OutageAt && since < s.imp.OutageAt+s.imp.Outage {
		s.Refused.Add(1)
		panic(http.ErrAbortHandler) // the connection is dropped, as by a dead server
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	name := filepath.Join(s.dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/")))
	body, err := os.ReadFile(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	isSeg := strings.HasSuffix(name, ".ts")
	n := 0
	if isSeg {
		n = int(s.segments.Add(1))
		w.Header().Set("Content-Type", "video/mp2t")
	} else {
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
	}
	switch {
	case !isSeg && s.GarbagePlaylists, isSeg && n == s.GarbageSegment:
		body = bytes.Repeat(garbage, max(1, len(body)/len(garbage)))
	}
	// A Range request (bytes=N-, or N-M) resumes a cut response, as a
	// real server allows.
	if from, to, ok := parseRange(r.Header.Get("Range"), len(body)); ok && !s.GarbagePlaylists {
		s.Resumed.Add(1)
		w.Header().Set("Content-Range", "bytes "+itoa(from)+"-"+itoa(to-1)+"/"+itoa(len(body)))
		body = body[from:to]
		w.Header().Set("Content-Length", itoa(len(body)))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.Header().Set("Content-Length", itoa(len(body)))
	}
	limit := len(body)
	if cutAt >= 0 && cutAt < len(body) {
		limit = cutAt
		s.Cut.Add(1)
	}
	stall := isSeg && n == s.StallSegment
	if stall {
		limit = len(body) / 2
	}
	s.write(w, r, body[:limit])
	if stall {
		s.Stalled.Add(1)
		<-r.Context().Done() // until the client gives up
		return
	}
	if limit < len(body) {
		panic(http.ErrAbortHandler)
	}
}

// write writes b at the capped rate, if any.
func (s *faultyServer) write(w http.ResponseWriter, r *http.Request, b []byte) {
	const chunk = 8 << 10
	f, _ := w.(http.Flusher)
	start := time.Now()
	sent := 0
	for len(b) > 0 {
		n := min(chunk, len(b))
		if _, err := w.Write(b[:n]); err != nil {
			return
		}
		if f != nil {
			f.Flush()
		}
		b, sent = b[n:], sent+n
		if s.imp.RateBps > 0 {
			due := start.Add(time.Duration(float64(sent) / float64(s.imp.RateBps) * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				t := time.NewTimer(d)
				select {
				case <-t.C:
				case <-r.Context().Done():
					t.Stop()
					return
				}
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// parseRange reads a single byte range "bytes=N-" or "bytes=N-M" within
// a body of size bytes, as [from, to).
func parseRange(h string, size int) (from, to int, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found {
		return 0, 0, false
	}
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false
	}
	from, err := strconv.Atoi(a)
	if err != nil || from < 0 || from >= size {
		return 0, 0, false
	}
	to = size
	if b != "" {
		last, err := strconv.Atoi(b)
		if err != nil || last < from {
			return 0, 0, false
		}
		to = min(size, last+1)
	}
	return from, to, true
}
