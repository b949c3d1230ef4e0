package player

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/manbang/manbang/player/audio"
)

// faultyHLS serves an HLS directory over loopback as a bad network would:
// each segment response is cut after cutAt bytes of body, cuts times per
// segment (Range requests are served, so a cut can be resumed); while
// down is set, every request is dropped, and it is set once downAfter
// segments have been served.
type faultyHLS struct {
	dir       string
	cutAt     int
	cuts      int
	downAfter int
	down      atomic.Bool
	served    atomic.Int64

	mu   sync.Mutex
	made map[string]int
}

func (f *faultyHLS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.down.Load() {
		panic(http.ErrAbortHandler)
	}
	path := filepath.Join(f.dir, filepath.FromSlash(r.URL.Path))
	f.mu.Lock()
	cut := strings.HasSuffix(path, ".ts") && f.made[r.URL.Path] < f.cuts
	if cut {
		f.made[r.URL.Path]++
	}
	f.mu.Unlock()
	if !cut {
		http.ServeFile(w, r, path)
		if strings.HasSuffix(path, ".ts") && f.served.Add(1) == int64(f.downAfter) {
			f.down.Store(true)
		}
		return
	}
	http.ServeFile(&cutWriter{ResponseWriter: w, left: f.cutAt}, r, path)
	panic(http.ErrAbortHandler)
}

// cutWriter passes on at most left bytes of body.
type cutWriter struct {
	http.ResponseWriter
	left int
}

func (w *cutWriter) Write(b []byte) (int, error) {
	n := min(len(b), w.left)
	w.left -= n
	w.ResponseWriter.Write(b[:n])
	if n < len(b) {
		w.ResponseWriter.(http.Flusher).Flush()
		return n, http.ErrAbortHandler
	}
	return n, nil
}

// reconnectClip is 4 s of 320x180 video and audio in 1-second segments.
func reconnectClip(t *testing.T) (dir string, frames int) {
	return makeHLS(t, "reconnect", 1, join(
		[]string{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25"}, audioIn,
		[]string{"-t", "4"}, h264, []string{"-b:v", "400k", "-c:a", "aac"})...), 100
}

// TestHLSCutConnections plays a VOD whose every segment is cut mid-body
// five times: each is resumed, and every frame plays, with no error.
func TestHLSCutConnections(t *testing.T) {
	dir, frames := reconnectClip(t)
	f := &faultyHLS{dir: dir, cutAt: 16 << 10, cuts: 5, made: map[string]int{}}
	st, err := play(t, serve(t, f)+"/index.m3u8", Options{Audio: audio.NewSilent(nil), Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.VideoFrames != frames || st.DecodeErrors != 0 || st.SegmentsSkipped != 0 {
		t.Errorf("%d of %d frames, %d decode errors, %d segments skipped; want every frame", st.VideoFrames, frames, st.DecodeErrors, st.SegmentsSkipped)
	}
}

// TestHLSServerOutage takes the server down while a VOD plays: Stats says
// what the source retries, playback goes on where it was once the server
// is back, and every frame plays.
func TestHLSServerOutage(t *testing.T) {
	dir, frames := reconnectClip(t)
	f := &faultyHLS{dir: dir, downAfter: 2, made: map[string]int{}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := Open(ctx, serve(t, f)+"/index.m3u8", Options{Audio: audio.NewSilent(nil)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	st := waitStats(t, p, 30*time.Second, func(s Stats) bool { return s.Reconnecting != "" })
	if !strings.HasPrefix(st.Reconnecting, "fetch segment ") {
		t.Errorf("Reconnecting %q, want it to name the segment fetch", st.Reconnecting)
	}
	f.down.Store(false)
	select {
	case <-p.Done():
	case <-ctx.Done():
		t.Fatal("playback did not end")
	}
	st = p.Stats()
	if p.Err() != nil || st.VideoFrames != frames {
		t.Errorf("ended with %v after %d of %d frames; want every frame", p.Err(), st.VideoFrames, frames)
	}
	if st.Reconnecting != "" {
		t.Errorf("Reconnecting %q after the server came back", st.Reconnecting)
	}
}
