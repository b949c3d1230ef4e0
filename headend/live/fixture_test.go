package live

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// makeStream writes the test stream into dir.
func makeStream(dir, name string) (string, error) {
	path := filepath.Join(dir, name)
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
		"-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-bf", "0",
		"-c:a", "mp2", "-b:a", "64k", "-f", "mpegts", path).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("ffmpeg: %v\n%s", err, out)
	}
	return path, nil
}
