package hls

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// liveServer serves a live playlist over the segments of a fixture. Each
// playlist request advances the stream: step(n) returns the window (first
// and end media sequence numbers) and whether the playlist has ended for
// the n-th request (0 for the one Open makes). Segment seq is served from
// the fixture file seq modulo the number of files, so a stream can be
// longer than its fixture. discontinuity marks segments preceded by
// EXT-X-DISCONTINUITY.
type liveServer struct {
	dir           string
	files         []string
	step          func(n int) (first, end int, ended bool)
	discontinuity map[int]bool

	mu       sync.Mutex
	requests int
}

func (s *liveServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/live.m3u8" {
		var seq int
		if _, err := fmt.Sscanf(r.URL.Path, "/s%d.ts", &seq); err != nil {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(s.dir, s.files[seq%len(s.files)]))
		return
	}
	s.mu.Lock()
	first, end, ended := s.step(s.requests)
	s.requests++
	s.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:%d\n", first)
	for seq := first; seq < end; seq++ {
		if s.discontinuity[seq] {
			b.WriteString("#EXT-X-DISCONTINUITY\n")
		}
		fmt.Fprintf(&b, "#EXTINF:1.000,\ns%d.ts\n", seq)
	}
	if ended {
		b.WriteString("#EXT-X-ENDLIST\n")
	}
	w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
	w.Write([]byte(b.String()))
}

// want returns the bytes of the given live segments.
func (s *liveServer) want(t *testing.T, seqs ...int) []byte {
	var names []string
	for _, seq := range seqs {
		names = append(names, s.files[seq%len(s.files)])
	}
	return concat(t, s.dir, names...)
}

func liveFixture(t *testing.T) string {
	return hlsFixture(t, "live", "160x120", 1)
}

func TestLive(t *testing.T) {
	dir := liveFixture(t)
	files := segmentFiles(t, dir)
	tests := []struct {
		name          string
		step          func(n int) (first, end int, ended bool)
		discontinuity map[int]bool
		wantSeqs      []int
		wantSkipped   int
		wantDiscont   []int // indexes into wantSeqs where a discontinuity starts
	}{
		{
			// One new segment per reload, a window of three, ending at 8.
			name: "growing window",
			step: func(n int) (int, int, bool) {
				end := min(n+1, 8)
				return max(0, end-3), end, n+1 >= 8
			},
			discontinuity: map[int]bool{5: true},
			wantSeqs:      []int{0, 1, 2, 3, 4, 5, 6, 7},
			wantDiscont:   []int{5},
		},
		{
			// Reloads that return the same playlist are waited out.
			name: "slow updates",
			step: func(n int) (int, int, bool) {
				end := min(n/2+1, 4)
				return 0, end, n/2+1 >= 4
			},
			wantSeqs: []int{0, 1, 2, 3},
		},
		{
			// The window jumps four segments per reload but holds two:
			// two segments are gone each time before they can be fetched.
			name: "window slides past",
			step: func(n int) (int, int, bool) {
				return 4 * n, 4*n + 2, 4*n+2 >= 10
			},
			wantSeqs:    []int{0, 1, 4, 5, 8, 9},
			wantSkipped: 4,
		},
		{
			// The server restarts its stream, numbering from 0 again.
			name: "sequence restart",
			step: func(n int) (int, int, bool) {
				if n < 2 {
					return 40 + n, 42 + n, false
				}
				return 0, n - 1, n >= 4
			},
			wantSeqs:    []int{40, 41, 42, 0, 1, 2},
			wantDiscont: []int{3},
		},
		{
			// Joining a long live window starts three segments from the end.
			name: "join near the live edge",
			step: func(n int) (int, int, bool) {
				return 10 + n, 20 + n, n >= 2
			},
			wantSeqs: []int{17, 18, 19, 20, 21},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ls := &liveServer{dir: dir, files: files, step: tc.step, discontinuity: tc.discontinuity}
			srv := serve(t, ls)
			r, err := Open(context.Background(), srv.URL+"/live.m3u8", Config{clock: newFakeClock()})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got, err := readAll(t, r, 20*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if want := ls.want(t, tc.wantSeqs...); !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes, want the %d of segments %v", len(got), len(want), tc.wantSeqs)
			}
			st := r.Stats()
			if st.SegmentsFetched != len(tc.wantSeqs) || st.SegmentsSkipped != tc.wantSkipped {
				t.Errorf("stats = %+v, want %d fetched, %d skipped", st, len(tc.wantSeqs), tc.wantSkipped)
			}
			var wantOffsets []int64
			for _, i := range tc.wantDiscont {
				wantOffsets = append(wantOffsets, int64(len(ls.want(t, tc.wantSeqs[:i]...))))
			}
			if got := r.Discontinuities(); fmt.Sprint(got) != fmt.Sprint(wantOffsets) {
				t.Errorf("discontinuities at %v, want %v", got, wantOffsets)
			}
			for _, off := range wantOffsets {
				if !r.DiscontinuityBetween(off-10, off+1) || r.DiscontinuityBetween(off+1, off+1000) || r.DiscontinuityBetween(0, off) {
					t.Errorf("DiscontinuityBetween disagrees with the offset %d", off)
				}
			}
		})
	}
}

func TestLiveStale(t *testing.T) {
	dir := liveFixture(t)
	ls := &liveServer{dir: dir, files: segmentFiles(t, dir), step: func(int) (int, int, bool) { return 0, 2, false }}
	srv := serve(t, ls)
	r, err := Open(context.Background(), srv.URL+"/live.m3u8", Config{clock: newFakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := readAll(t, r, 20*time.Second)
	want := "hls: live playlist " + srv.URL + "/live.m3u8 has not changed for 3s"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
	if !bytes.Equal(got, ls.want(t, 0, 1)) {
		t.Errorf("read %d bytes, want the two segments", len(got))
	}
	// Reloads at the target duration once, then at half of it: 1s, then
	// 0.5s each until 3s have passed without a change.
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.requests != 1+1+4 {
		t.Errorf("%d playlist requests, want 6", ls.requests)
	}
}

func TestLiveReloadFailure(t *testing.T) {
	dir := liveFixture(t)
	ls := &liveServer{dir: dir, files: segmentFiles(t, dir), step: func(int) (int, int, bool) { return 0, 1, false }}
	mux := http.NewServeMux()
	var once sync.Once
	mux.HandleFunc("/live.m3u8", func(w http.ResponseWriter, r *http.Request) {
		served := false
		once.Do(func() { ls.ServeHTTP(w, r); served = true })
		if !served {
			http.Error(w, "gone", http.StatusGone)
		}
	})
	mux.Handle("/", ls)
	srv := serve(t, mux)
	r, err := Open(context.Background(), srv.URL+"/live.m3u8", Config{clock: newFakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = readAll(t, r, 20*time.Second)
	want := "hls: fetch playlist " + srv.URL + "/live.m3u8: 410 Gone"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}
