package hls

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/player/internal/fftest"
)

func TestMain(m *testing.M) { fftest.Main(m, "hls-test") }

// hlsFixture makes (once per run) a 6-second H.264+MP3 HLS stream with
// ffmpeg in a directory of its own, with the given picture size, segment
// length and extra HLS options, and returns the directory.
func hlsFixture(t testing.TB, name, size string, segSeconds int, extra ...string) string {
	t.Helper()
	return fftest.Make(t, name, func(dir string) error {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		args := []string{"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25", "-f", "lavfi", "-i", "sine",
			"-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "libmp3lame",
			"-f", "hls", "-hls_time", fmt.Sprint(segSeconds), "-hls_list_size", "0"}
		args = append(args, extra...)
		return fftest.FFmpeg(append(args, filepath.Join(dir, "index.m3u8"))...)
	})
}

// vodFixture is the stream of the brief: 320x240, 2-second segments.
func vodFixture(t testing.TB) string {
	return hlsFixture(t, "vod", "320x240", 2, "-hls_segment_filename", filepath.Join(fftest.Dir(), "vod", "seg%d.ts"))
}

// segmentFiles returns the segment file names of the playlist in dir, in
// playlist order.
func segmentFiles(t testing.TB, dir string) []string {
	t.Helper()
	var names []string
	for _, line := range strings.Split(string(readFile(t, filepath.Join(dir, "index.m3u8"))), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	if len(names) == 0 {
		t.Fatalf("no segments in %s", dir)
	}
	return names
}

// concat returns the contents of the named files in dir, one after another.
func concat(t testing.TB, dir string, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, n := range names {
		b.Write(readFile(t, filepath.Join(dir, n)))
	}
	return b.Bytes()
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serve starts an HTTP server on 127.0.0.1 for h, closed when the test ends.
func serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// readAll reads r to its end, failing the test if that takes more than
// limit: a hang shows as a failure, not a stuck test run.
func readAll(t testing.TB, r io.Reader, limit time.Duration) ([]byte, error) {
	t.Helper()
	return waitRead(t, readInBackground(r), limit)
}

// readResult is what reading a stream to its end gave.
type readResult struct {
	b   []byte
	err error
}

// readInBackground reads r to its end on a goroutine of its own.
func readInBackground(r io.Reader) <-chan readResult {
	done := make(chan readResult, 1)
	go func() {
		b, err := io.ReadAll(r)
		done <- readResult{b, err}
	}()
	return done
}

// waitRead waits at most limit for a background read to end.
func waitRead(t testing.TB, done <-chan readResult, limit time.Duration) ([]byte, error) {
	t.Helper()
	select {
	case res := <-done:
		return res.b, res.err
	case <-time.After(limit):
		t.Fatalf("reading did not end within %v", limit)
		return nil, nil
	}
}

// counter counts requests per path.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) hit(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[path]++
	return c.n[path]
}

func (c *counter) get(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}

// fakeClock makes waiting instant: After advances the clock by d and
// fires at once, so live reloads and retries run as fast as the server
// answers, in the same order as with real time.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}
