package player

import (
	"errors"
	"net/http"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/player/audio"
)

// gop is the keyframe interval of the test clips (-g 25 at 25 fps).
const gop = time.Second

// longClip is the 20-second clip of the seek tests, as HLS in 2-second
// segments and as an MP4 file.
func longHLS(t testing.TB) string {
	return serveDir(t, makeHLS(t, "long", 2, join(videoIn, audioIn, []string{"-t", "20"}, h264, []string{"-c:a", "aac"})...)) + "/index.m3u8"
}

func longMP4(t testing.TB) string {
	return makeFile(t, "long.mp4", join(videoIn, audioIn, []string{"-t", "20"}, h264, []string{"-c:a", "aac"})...)
}

// longTS is the clip as a plain MPEG-TS file, and longHTTPTS the same
// over HTTP (http.FileServer answers Range requests).
func longTS(t testing.TB) string {
	return makeTS(t, "long.ts", join(videoIn, audioIn, []string{"-t", "20"}, h264, []string{"-bf", "2", "-c:a", "aac"})...)
}

func longHTTPTS(t testing.TB) string {
	file := longTS(t)
	return serveDir(t, filepath.Dir(file)) + "/" + filepath.Base(file)
}

// seekables are the locators of the clip that seek.
var seekables = map[string]func(testing.TB) string{"hls": longHLS, "mp4": longMP4, "ts": longTS, "http ts": longHTTPTS}

func TestSeek(t *testing.T) {
	for name, locator := range seekables {
		t.Run(name, func(t *testing.T) {
			loc := locator(t)
			before := runtime.NumGoroutine()
			log := newFrameLog()
			p, err := Open(t.Context(), loc, Options{Audio: audio.NewSilent(nil), Video: log})
			if err != nil {
				t.Fatal(err)
			}
			log.wait(t, p, 1)
			start := log.since(0)[0]
			if !p.Seekable() || p.SeekError() != nil || p.Duration() < 19*time.Second {
				t.Fatalf("seekable %v (%v), duration %v", p.Seekable(), p.SeekError(), p.Duration())
			}
			for _, to := range []time.Duration{10 * time.Second, 2500 * time.Millisecond, 17 * time.Second, 0} {
				if err := p.Seek(to); err != nil {
					t.Fatal(err)
				}
				// Nothing from before the seek comes after it returns.
				n := log.len()
				log.wait(t, p, n+3)
				got := log.since(n)
				// Decode-and-discard: the first frame shown is the one at
				// the position asked for, well within a GOP.
				if d := got[0] - start - to; d < 0 || d >= gop {
					t.Errorf("seek to %v: first frame at %v", to, got[0]-start)
				}
				if d := got[0] - start - to; d > 40*time.Millisecond {
					t.Logf("seek to %v: first frame %v after", to, d)
				}
				if pos := p.Stats().PositionMS; pos < msec(to) || pos > msec(to+gop) {
					t.Errorf("seek to %v: position %.0f ms", to, pos)
				}
			}
			// Past the end: an error, and playback goes on.
			for _, to := range []time.Duration{p.Duration(), time.Hour} {
				if err := p.Seek(to); !errors.Is(err, ErrPastEnd) {
					t.Errorf("Seek(%v) past the end = %v, want ErrPastEnd", to, err)
				}
			}
			n := log.len()
			log.wait(t, p, n+3)
			// Sound comes back after a seek.
			a := p.Stats().AudioMS
			waitUntil(t, "audio after the seeks", func() bool { return p.Stats().AudioMS > a+200 })
			p.Close()
			if err := p.Seek(time.Second); err == nil {
				t.Error("Seek after Close succeeded")
			}
			waitUntil(t, "goroutines to end", func() bool {
				http.DefaultClient.CloseIdleConnections()
				return runtime.NumGoroutine() <= before
			})
		})
	}
}

// StartAt plays from a position: the frames from there to the end, every
// one of them.
func TestStartAt(t *testing.T) {
	for name, locator := range seekables {
		sink := &countingSink{}
		st, err := play(t, locator(t), Options{Fast: true, Audio: audio.NewSilent(nil), Video: sink, StartAt: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if st.VideoFrames != 250 || sink.n != 250 || st.PositionMS < 19900 || st.AudioMS < 9900 || st.AudioMS > 10200 {
			t.Errorf("%s: %d frames (%d shown) ending at %.0f ms, %.0f ms of audio; want the last 250 frames and 10 s of audio",
				name, st.VideoFrames, sink.n, st.PositionMS, st.AudioMS)
		}
	}
}

// Fast-forward and rewind step through keyframes; speed 1 plays on from
// where they got to.
func TestSpeed(t *testing.T) {
	for name, locator := range seekables {
		t.Run(name, func(t *testing.T) {
			log := newFrameLog()
			p, err := Open(t.Context(), locator(t), Options{Audio: audio.NewSilent(nil), Video: log, StartAt: 6 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			log.wait(t, p, 1)
			start := log.since(0)[0] - 6*time.Second
			if err := p.SetSpeed(3); err == nil {
				t.Error("speed 3 accepted")
			}
			check := func(speed int) {
				t.Helper()
				if err := p.SetSpeed(speed); err != nil {
					t.Fatal(err)
				}
				n := log.len()
				log.wait(t, p, n+3)
				got := log.since(n)[:3]
				for i, pts := range got {
					// Keyframes only: whole seconds into the clip.
					if off := (pts - start) % gop; off > time.Millisecond && off < gop-time.Millisecond {
						t.Errorf("speed %d: frame %d at %v is not a keyframe", speed, i, pts-start)
					}
					if i > 0 && (pts-got[i-1])*time.Duration(speed) <= 0 {
						t.Errorf("speed %d: frames at %v then %v", speed, got[i-1]-start, pts-start)
					}
				}
				if st := p.Stats(); st.Speed != speed {
					t.Errorf("Stats().Speed = %d, want %d", st.Speed, speed)
				}
			}
			check(4)
			check(-8)
			if err := p.SetSpeed(1); err != nil {
				t.Fatal(err)
			}
			n := log.len()
			log.wait(t, p, n+10)
			// Every frame again, not keyframes (a busy machine may drop one).
			got := log.since(n)
			consecutive := 0
			for i := 1; i < 10; i++ {
				if d := got[i] - got[i-1]; d == 40*time.Millisecond {
					consecutive++
				} else if d <= 0 || d >= gop {
					t.Fatalf("normal speed again: frames %v apart", d)
				}
			}
			if consecutive < 5 {
				t.Errorf("normal speed again: %v", got[:10])
			}
			// Fast-forward runs into the end, which ends playback.
			if err := p.SetSpeed(32); err != nil {
				t.Fatal(err)
			}
			select {
			case <-p.Done():
			case <-time.After(30 * time.Second):
				t.Fatal("fast-forward did not reach the end")
			}
			if err := p.Err(); err != nil {
				t.Errorf("ended with %v", err)
			}
		})
	}
}

// Rewind stops at the first picture and holds it.
func TestRewindToStart(t *testing.T) {
	for name, locator := range map[string]func(testing.TB) string{"mp4": longMP4, "ts": longTS} {
		t.Run(name, func(t *testing.T) {
			log := newFrameLog()
			p, err := Open(t.Context(), locator(t), Options{Audio: audio.NewSilent(nil), Video: log, StartAt: 3 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			log.wait(t, p, 1)
			if err := p.SetSpeed(-32); err != nil {
				t.Fatal(err)
			}
			n := log.len()
			log.wait(t, p, n+1)
			waitUntil(t, "the start", func() bool { return p.Stats().PositionMS == 0 })
			if st := p.Stats(); st.Speed != -32 {
				t.Errorf("speed %d", st.Speed)
			}
			select {
			case <-p.Done():
				t.Fatal("rewinding to the start ended playback")
			default:
			}
		})
	}
}

// Seeks, speed changes and Close from several goroutines at once end
// cleanly: no deadlock, no goroutine left.
func TestSeekCloseRace(t *testing.T) {
	for name, locator := range seekables {
		t.Run(name, func(t *testing.T) {
			loc := locator(t)
			before := runtime.NumGoroutine()
			for round := 0; round < 3; round++ {
				log := newFrameLog()
				p, err := Open(t.Context(), loc, Options{Audio: audio.NewSilent(nil), Video: log})
				if err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				for g := 0; g < 3; g++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := 0; i < 5; i++ {
							p.Seek(time.Duration(g*5+i) * time.Second)
							p.SetSpeed([]int{4, -2, 1}[i%3])
						}
					}()
				}
				if round > 0 {
					log.wait(t, p, 1)
				}
				closed := make(chan struct{})
				go func() {
					p.Close()
					close(closed)
				}()
				select {
				case <-closed:
				case <-time.After(30 * time.Second):
					t.Fatal("Close did not return")
				}
				wg.Wait()
			}
			waitUntil(t, "goroutines to end", func() bool {
				http.DefaultClient.CloseIdleConnections()
				return runtime.NumGoroutine() <= before
			})
		})
	}
}
