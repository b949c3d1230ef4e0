package live

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// fixtureDir holds the streams made for the tests of this package.
var fixtureDir string

func TestMain(m *testing.M) {
	if helperMain() { // a re-executed test binary inside a network namespace
		return
	}
	dir, err := os.MkdirTemp("", "manbang-live-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var fixtures struct {
	once sync.Once
	path string
	err  error
}

// testStream returns the path of a 2-second MPEG-TS file made by ffmpeg
// once for all tests: H.264 160x120 at 25 fps with a keyframe every
// second, MP2 audio.
func testStream(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg CLI not installed")
	}
	fixtures.once.Do(func() {
		fixtures.path, fixtures.err = makeStream(fixtureDir, "channel.ts")
	})
	if fixtures.err != nil {
		t.Fatal(fixtures.err)
	}
	return fixtures.path
}

var rateFixtures struct {
	mu    sync.Mutex
	paths map[int]string
}

// rateStream returns the path of the test stream padded with null
// packets to a constant bitrate (bits/s), as a channel of that rate
// loads the streamer: made once per rate for all tests.
func rateStream(t testing.TB, bitrate int) string {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg CLI not installed")
	}
	rateFixtures.mu.Lock()
	defer rateFixtures.mu.Unlock()
	if p, ok := rateFixtures.paths[bitrate]; ok {
		return p
	}
	p, err := makeStream(fixtureDir, fmt.Sprintf("channel-%d.ts", bitrate), "-muxrate", strconv.Itoa(bitrate))
	if err != nil {
		t.Fatal(err)
	}
	if rateFixtures.paths == nil {
		rateFixtures.paths = map[int]string{}
	}
	rateFixtures.paths[bitrate] = p
	return p
}

// makeStream writes the test stream into dir, with extra options of
// ffmpeg's MPEG-TS muxer.
func makeStream(dir, name string, muxOpts ...string) (string, error) {
	path := filepath.Join(dir, name)
	args := []string{"-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
		"-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-bf", "0",
		"-c:a", "mp2", "-b:a", "64k", "-f", "mpegts"}
	args = append(append(args, muxOpts...), path)
	out, err := exec.Command("ffmpeg", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("ffmpeg: %v\n%s", err, out)
	}
	return path, nil
}
