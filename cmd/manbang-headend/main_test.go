package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/catalog"
)

// started is a run in the background.
type started struct {
	url    string   // from the "serving" line
	lines  []string // stderr up to the "serving" line
	cancel context.CancelFunc
	done   chan error // run's result
}

var servingLine = regexp.MustCompile(`^manbang-headend: serving (\d+) titles and (\d+) channels on (http://127\.0\.0\.1:\d+)$`)

// start runs the command with args until the test ends, and waits for it
// to say it is serving.
func start(t *testing.T, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &started{cancel: cancel, done: make(chan error, 1)}
	go func() {
		err := run(ctx, args, pw)
		pw.Close()
		s.done <- err
	}()
	t.Cleanup(func() { s.stop(t) })

	serving := make(chan string, 1)
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				serving <- m[3]
			}
		}
		close(lines)
	}()
	select {
	case s.url = <-serving:
	case err := <-s.done:
		s.cancel = nil
		t.Fatalf("run ended before serving: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("no serving line within 2 minutes")
	}
	for len(lines) > 0 {
		s.lines = append(s.lines, <-lines)
	}
	return s
}

// stop cancels the run and checks that it ended well.
func (s *started) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("run did not end within 10s of the cancel")
	}
}

func healthz(t *testing.T, base string) int {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct{ Titles, Channels int }
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %d, %v", resp.StatusCode, err)
	}
	return h.Titles
}

func TestDemoServeAndReuse(t *testing.T) {
	data := t.TempDir()
	s := start(t, "--demo", "--demo-titles", "2", "--demo-channels", "1", "--demo-duration", "2s", "--addr", "127.0.0.1:0", "--data", data)
	if n := healthz(t, s.url); n != 2 {
		t.Errorf("healthz: %d titles, want 2", n)
	}
	progress := strings.Join(s.lines, "\n")
	if !strings.Contains(progress, "[1/3] ") || !strings.Contains(progress, "[3/3] 채널 1: ") {
		t.Errorf("no progress on stderr:\n%s", progress)
	}
	// The serving line comes after the progress (the live engine's
	// goroutines may log after it).
	servingAt := strings.Index(progress, "serving 2 titles and 1 channels on "+s.url)
	if servingAt < 0 || strings.LastIndex(progress, "[3/3] ") > servingAt {
		t.Errorf("stderr has no serving line after the progress:\n%s", progress)
	}
	s.stop(t)
	if _, err := http.Get(s.url + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
	if s, err := catalog.Open(filepath.Join(data, "demo", catalog.FileName)); err != nil || s.Len() != 2 {
		t.Errorf("demo catalog: %v", err)
	} else {
		s.Close()
	}

	// Without --demo, the demo catalog built before is served as it is.
	s = start(t, "--addr", "127.0.0.1:0", "--data", data)
	if n := healthz(t, s.url); n != 2 {
		t.Errorf("second run: %d titles, want 2", n)
	}
	if strings.Contains(strings.Join(s.lines, "\n"), "[1/3]") {
		t.Errorf("second run built titles:\n%s", strings.Join(s.lines, "\n"))
	}
}

func TestRunErrors(t *testing.T) {
	data := t.TempDir()
	tests := []struct {
		args  []string
		want  string
		usage bool
	}{
		{[]string{"--data", data}, "run with --demo to build the demo catalogue", false},
		{[]string{"--nope"}, "flag provided but not defined", true},
		{[]string{"--demo-duration", "soon"}, "invalid value", true},
		{[]string{"extra"}, "unexpected arguments", true},
		{[]string{"ingest"}, "want one FILE", true},
		{[]string{"ingest", "a.mp4"}, "no --title", true},
		{[]string{"ingest", "a.mp4", "--title", "A", "--id", "a/b"}, "IDs are", true},
		{[]string{"ingest", "--data", data, "--title", "A", filepath.Join(data, "missing.mp4")}, "no such file", false},
		{[]string{"import-epg"}, "want one FILE or URL", true},
		{[]string{"import-epg", "--data", data, filepath.Join(data, "missing.xml")}, "no such file", false},
		{[]string{"--demo", "--data", data, "--demo-duration", "10ms"}, "shorter than 1s", false},
		{[]string{"--demo-size", "big"}, `"big" is not WIDTHxHEIGHT`, true},
		{[]string{"--demo", "--data", data, "--demo-size", "641x360"}, "must be even", false},
	}
	for _, tt := range tests {
		var stderr strings.Builder
		err := run(context.Background(), tt.args, &stderr)
		var usage usageError
		if err == nil || !strings.Contains(err.Error(), tt.want) || errors.As(err, &usage) != tt.usage {
			t.Errorf("run %q: error %v (usage %v), want %q (usage %v)", tt.args, err, errors.As(err, &usage), tt.want, tt.usage)
		}
	}
}
