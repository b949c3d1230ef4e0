package player

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/internal/fftest"
)

// A plain TS stream that cannot seek says why, and plays on: a server
// that ignores Range requests, or one that does not say how long the
// stream is.
func TestTSNotSeekable(t *testing.T) {
	file := longTS(t)
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		length bool
		reason string
	}{
		{"no ranges", true, "byte ranges"},
		{"no length", false, "length of the stream is unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "video/mp2t")
				if c.length {
					w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				}
				w.Write(body) // the whole body, Range or not
			})) + "/clip.ts"
			log := newFrameLog()
			p, err := Open(t.Context(), url, Options{Audio: audio.NewSilent(nil), Video: log})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			log.wait(t, p, 1)
			if p.Seekable() || p.Duration() != 0 {
				t.Errorf("seekable %v, duration %v", p.Seekable(), p.Duration())
			}
			if err := p.SeekError(); !errors.Is(err, ErrNotSeekable) || !strings.Contains(err.Error(), c.reason) {
				t.Errorf("SeekError() = %v, want ErrNotSeekable saying %q", err, c.reason)
			}
			for _, op := range []func() error{func() error { return p.Seek(5 * time.Second) }, func() error { return p.SetSpeed(4) }} {
				if err := op(); !errors.Is(err, ErrNotSeekable) || !strings.Contains(err.Error(), c.reason) {
					t.Errorf("got %v, want ErrNotSeekable saying %q", err, c.reason)
				}
			}
			n := log.len()
			log.wait(t, p, n+3)
		})
	}
}

// ptsTicks converts a timestamp to 90 kHz ticks.
func ptsTicks(d time.Duration) int64 {
	return int64(d/time.Second)*90000 + (int64(d%time.Second)*9+50000)/100000
}

// sinceWrapped is how long after from a timestamp is, across a 2^33 wrap.
func sinceWrapped(pts, from time.Duration) time.Duration {
	t := (ptsTicks(pts) - ptsTicks(from)) & (1<<33 - 1)
	return time.Duration(t/90000)*time.Second + time.Duration(t%90000)*time.Second/90000
}

// A file whose timestamps start 10 s before they wrap around 2^33 seeks on
// both sides of the wrap and across it, and reports its whole duration.
func TestTSSeekAcrossWrap(t *testing.T) {
	offset := fmt.Sprintf("%.3f", float64(1<<33)/90000-10)
	file := makeTS(t, "wrap.ts", join(videoIn, audioIn, []string{"-t", "16"}, h264, []string{"-c:a", "aac", "-output_ts_offset", offset})...)
	for name, loc := range map[string]string{"file": file, "http": serveDir(t, fftest.Dir()) + "/" + strings.TrimPrefix(file, fftest.Dir()+"/")} {
		t.Run(name, func(t *testing.T) {
			log := newFrameLog()
			p, err := Open(t.Context(), loc, Options{Audio: audio.NewSilent(nil), Video: log})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			log.wait(t, p, 1)
			start := log.since(0)[0]
			if d := p.Duration(); d < 15900*time.Millisecond || d > 16100*time.Millisecond {
				t.Fatalf("duration %v, want 16 s", d)
			}
			if st := p.Stats(); st.DurationMS != msec(p.Duration()) || !st.Seekable {
				t.Errorf("Stats: duration %.0f ms, seekable %v", st.DurationMS, st.Seekable)
			}
			for _, to := range []time.Duration{12500 * time.Millisecond, 5 * time.Second, 9500 * time.Millisecond, 0, 15 * time.Second} {
				if err := p.Seek(to); err != nil {
					t.Fatal(err)
				}
				n := log.len()
				log.wait(t, p, n+1)
				if d := sinceWrapped(log.since(n)[0], start) - to; d < 0 || d >= gop {
					t.Errorf("seek to %v: first frame at %v", to, to+d)
				}
				// Decoders keep microseconds: the offset's timestamps
				// fall between them, a fraction of one off.
				if pos := p.Stats().PositionMS; pos < msec(to)-0.001 || pos > msec(to+gop) {
					t.Errorf("seek to %v: position %.0f ms", to, pos)
				}
				if ce := p.Stats().ContinuityErrors; ce != 0 {
					t.Errorf("seek to %v: %d continuity errors", to, ce)
				}
			}
		})
	}
}

// Playback from a seek reads the file from the keyframe on, not from the
// start.
func TestTSSeekSkipsBytes(t *testing.T) {
	file := longTS(t)
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	st, err := play(t, file, Options{Fast: true, Audio: audio.NewSilent(nil), StartAt: 15 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if st.BytesRead <= 0 || st.BytesRead > fi.Size()/2 {
		t.Errorf("read %d of %d bytes to play the last 5 of 20 s", st.BytesRead, fi.Size())
	}
}
