// Package fftest makes the streams of a package's tests with the ffmpeg CLI
// (a real encoder and packager), once per test run: the package's TestMain
// calls Main, and each test asks Make for the fixture it needs by name, so
// tests that share a stream share its encoding.
//
// It is imported by tests only. Its state is per test binary, which is one
// package's tests.
package fftest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	dir  string
	mu   sync.Mutex
	made = map[string]string{}
)

// Main is a TestMain: it makes the run's fixture directory (named after
// prefix), runs the tests, removes the directory and exits with the tests'
// code.
func Main(m *testing.M, prefix string) {
	d, err := os.MkdirTemp("", prefix+"-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fftest:", err)
		os.Exit(1)
	}
	dir = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}

// Dir is the run's fixture directory (empty before Main).
func Dir() string { return dir }

// Make returns Dir()/name, made by build the first time a test of the run
// asks for it; build gets that path. The test is skipped when the ffmpeg
// CLI is not installed and fails when build does.
func Make(t testing.TB, name string, build func(path string) error) string {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg CLI not installed (make deps)")
	}
	if dir == "" {
		t.Fatal("fftest: Make before Main: the package's TestMain must call fftest.Main")
	}
	mu.Lock()
	defer mu.Unlock()
	if p, ok := made[name]; ok {
		return p
	}
	p := filepath.Join(dir, name)
	if err := build(p); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	made[name] = p
	return p
}

// FFmpeg runs the ffmpeg CLI, quietly and overwriting its output, and
// returns an error carrying ffmpeg's own messages when it fails.
func FFmpeg(args ...string) error {
	all := append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}, args...)
	if out, err := exec.Command("ffmpeg", all...).CombinedOutput(); err != nil {
		return fmt.Errorf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}
