package player

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/media"
)

var (
	videoIn = []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"}
	audioIn = []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"}
	h264    = []string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p"}
)

func join(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// countingSink counts presented frames and checks they come in order.
type countingSink struct {
	mu      sync.Mutex
	n       int
	lastPTS time.Duration
	backw   int
}

func (s *countingSink) Present(f *media.VideoFrame) {
	s.mu.Lock()
	if s.n > 0 && f.PTS <= s.lastPTS {
		s.backw++
	}
	s.n++
	s.lastPTS = f.PTS
	s.mu.Unlock()
	f.Release()
}

func play(t *testing.T, locator string, opts Options) (Stats, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := Open(ctx, locator, opts)
	if err != nil {
		return Stats{}, err
	}
	select {
	case <-p.Done():
	case <-ctx.Done():
		t.Fatal("playback did not end within a minute")
	}
	err = p.Err()
	p.Close()
	return p.Stats(), err
}

func TestPlaysFiles(t *testing.T) {
	cases := []struct {
		name       string
		args       []string
		frames     int
		videoCodec string
		audioCodec string
		audioMS    float64
	}{
		{"h264+mp3", join(videoIn, audioIn, []string{"-t", "2"}, h264, []string{"-c:a", "libmp3lame"}), 50, "h264", "mp3", 2000},
		{"h264+aac", join(videoIn, audioIn, []string{"-t", "2"}, h264, []string{"-c:a", "aac"}), 50, "h264", "aac", 2000},
		{"mpeg2+mp2", join(videoIn, audioIn, []string{"-t", "2", "-c:v", "mpeg2video", "-c:a", "mp2"}), 50, "mpeg2video", "mp2", 2000},
		{"video only", join(videoIn, []string{"-t", "2"}, h264), 50, "h264", "", 0},
		{"audio only", join(audioIn, []string{"-t", "2", "-c:a", "libmp3lame"}), 0, "", "mp3", 2000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := makeTS(t, "clip.ts", c.args...)
			for _, fast := range []bool{true, false} {
				sink := &countingSink{}
				st, err := play(t, file, Options{Fast: fast, Audio: audio.NewSilent(nil), Video: sink})
				if err != nil {
					t.Fatalf("fast=%v: %v", fast, err)
				}
				if st.VideoFrames != c.frames || st.PresentedFrames+st.DroppedFrames != c.frames || sink.n != st.PresentedFrames {
					t.Errorf("fast=%v: decoded %d, presented %d (sink saw %d), dropped %d; want %d", fast, st.VideoFrames, st.PresentedFrames, sink.n, st.DroppedFrames, c.frames)
				}
				if sink.backw != 0 {
					t.Errorf("fast=%v: %d frames presented out of order", fast, sink.backw)
				}
				if st.VideoCodec != c.videoCodec || st.AudioCodec != c.audioCodec {
					t.Errorf("fast=%v: codecs %q/%q, want %q/%q", fast, st.VideoCodec, st.AudioCodec, c.videoCodec, c.audioCodec)
				}
				// MP3 and AAC frames overhang the clip's end by up to a frame.
				if st.AudioMS < c.audioMS-60 || st.AudioMS > c.audioMS+100 {
					t.Errorf("fast=%v: %.0f ms of audio, want about %.0f", fast, st.AudioMS, c.audioMS)
				}
				if c.frames > 0 && (st.Width != 320 || st.Height != 240) {
					t.Errorf("fast=%v: size %dx%d", fast, st.Width, st.Height)
				}
				if !fast && c.audioCodec != "" && c.frames > 0 && st.AVDriftMSMax > 40 {
					t.Errorf("A/V drift reached %.0f ms; the limit is 40", st.AVDriftMSMax)
				}
			}
		})
	}
}

// Paced playback takes about as long as the clip: the clock paces it.
func TestPacedPlaybackFollowsTheClock(t *testing.T) {
	file := makeTS(t, "clip.ts", join(videoIn, audioIn, []string{"-t", "2"}, h264, []string{"-c:a", "libmp3lame"})...)
	start := time.Now()
	if _, err := play(t, file, Options{Audio: audio.NewSilent(nil)}); err != nil {
		t.Fatal(err)
	}
	// A generous lower bound only: a loaded machine may be slower, never faster.
	if el := time.Since(start); el < 1500*time.Millisecond {
		t.Errorf("2 s clip played in %v: not paced", el)
	}
}

func TestPauseHoldsVideo(t *testing.T) {
	file := makeTS(t, "clip.ts", join(videoIn, audioIn, []string{"-t", "3"}, h264, []string{"-c:a", "libmp3lame"})...)
	sink := &countingSink{}
	p, err := Open(context.Background(), file, Options{Audio: audio.NewSilent(nil), Video: sink})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	waitUntil(t, "first frames", func() bool { return p.Stats().PresentedFrames >= 5 })
	p.SetPaused(true)
	// Let anything already due through, then no frame may come while paused.
	waitUntil(t, "the pause to settle", func() bool {
		a := p.Stats().PresentedFrames
		time.Sleep(200 * time.Millisecond)
		return p.Stats().PresentedFrames == a
	})
	held := p.Stats().PresentedFrames
	time.Sleep(300 * time.Millisecond)
	if got := p.Stats().PresentedFrames; got != held {
		t.Errorf("paused, yet %d more frames were presented", got-held)
	}
	p.SetPaused(false)
	waitUntil(t, "frames after resume", func() bool { return p.Stats().PresentedFrames > held+5 })
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	good := makeTS(t, "good.ts", join(videoIn, []string{"-t", "2"}, h264)...)
	cases := []struct {
		name    string
		locator string
		openErr string // an error from Open
		playErr string // an error after Done
	}{
		{"missing file", filepath.Join(dir, "none.ts"), "no such file", ""},
		{"unknown scheme", "gopher://x/y", "gopher", ""},
		{"not a stream", writeFile(t, dir, "text.ts", strings.Repeat("not a transport stream\n", 5000)), "not an MPEG-TS stream, nor a media file", ""},
		{"empty", writeFile(t, dir, "empty.ts", ""), "empty.ts: the file is empty", ""},
		{"truncated", truncate(t, good, dir, 150_000), "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			st, err := play(t, c.locator, Options{Fast: true, Audio: audio.NewSilent(nil)})
			want := c.openErr + c.playErr
			if want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if st.VideoFrames == 0 {
					t.Fatal("a truncated stream still has frames to show, got none")
				}
			} else if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want one mentioning %q", err, want)
			}
			waitUntil(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
		})
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func truncate(t *testing.T, src, dir string, n int) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "truncated.ts")
	if err := os.WriteFile(p, b[:min(n, len(b))], 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
