//go:build faults

package faults

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/build/internal/rig"
)

// startHeadend starts the demo head-end on addr with data in dir and
// waits until it serves (the first start builds the demo media); extra
// flags come last, so they override the defaults. The head-end is killed
// when the test ends, also when it fails half way.
func startHeadend(t *testing.T, addr, dir string, titleSecs int, extra ...string) *rig.Headend {
	t.Helper()
	args := append([]string{"--demo", "--demo-titles", "1", "--demo-channels", "-1",
		"--demo-duration", fmt.Sprintf("%ds", titleSecs), "--addr", addr, "--data", dir}, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h, err := rig.StartHeadend(ctx, rig.HeadendConfig{Bin: filepath.Join(fixture.bin, "manbang-headend"), Args: args})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Kill)
	return h
}

// titlePlaylist finds the demo title's playlist under dir (a master
// playlist if there is one, else the media playlist) and returns its path
// below the media directory.
func titlePlaylist(t *testing.T, dir string) string {
	t.Helper()
	media := filepath.Join(dir, "demo", "media")
	var master, any string
	filepath.WalkDir(media, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".m3u8") {
			return nil
		}
		rel, _ := filepath.Rel(media, path)
		if any == "" {
			any = filepath.ToSlash(rel)
		}
		if b, err := os.ReadFile(path); err == nil && master == "" && strings.Contains(string(b), "#EXT-X-STREAM-INF") {
			master = filepath.ToSlash(rel)
		}
		return nil
	})
	switch {
	case master != "":
		return master
	case any != "":
		return any
	}
	t.Fatalf("no playlist under %s", media)
	return ""
}

// TestHeadendKilledMidPlay kills the head-end with SIGKILL while a VOD
// title plays, restarts it on the same address 10 s later, and checks
// that the box carried on to the end of the title and lost no more
// playing time than the outage and 3 s. It drives the headless player;
// the UI's error screen and backoff are not checked here.
func TestHeadendKilledMidPlay(t *testing.T) {
	// Down longer than the box's read-ahead, so that it must retry.
	const titleSecs = 30
	down := 10 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	h := startHeadend(t, addr, dir, titleSecs)
	url := h.URL + "/media/" + titlePlaylist(t, dir)

	done := make(chan played, 1)
	go func() {
		done <- play(t, 3*time.Minute, url, "--stall-timeout", "30s", "--log-level", "error")
	}()
	var killedAt, backAt time.Time
	select {
	case p := <-done:
		h.Kill()
		t.Fatalf("playback ended before the head-end was killed: %+v\n%s", p.stats, p.stderr)
	case <-time.After(4 * time.Second): // the fault's schedule: kill 4 s into the title
	}
	h.Kill()
	killedAt = time.Now()
	select {
	case p := <-done:
		report.add("server", "head-end killed (SIGKILL) and restarted mid-play, headless box", verdict(false),
			fmt.Sprintf("criterion: plays to the end, loses at most the outage + 3 s. The box gave up while the head-end was down for %v: %s", down, lastLine(p.stderr)))
		t.Fatalf("playback ended while the head-end was down: %+v\n%s", p.stats, p.stderr)
	case <-time.After(down):
	}
	h = startHeadend(t, addr, dir, titleSecs)
	backAt = time.Now()
	defer h.Kill()
	p := <-done
	st := p.stats
	// Time the box lost: its wall time beyond the title and its start.
	lost := p.wall - time.Duration(titleSecs)*time.Second - time.Duration(st.FirstFrameMS)*time.Millisecond
	downFor := backAt.Sub(killedAt)
	ok := p.exitOK && st.PositionMS >= float64(titleSecs-1)*1000 && lost <= downFor+3*time.Second
	detail := fmt.Sprintf("criterion: plays to the end, no error exit, loses at most the outage + 3 s. down %.1f s; box lost %.1f s of playing time; position at end %.1f s of %d; %d decode errors",
		downFor.Seconds(), lost.Seconds(), st.PositionMS/1000, titleSecs, st.DecodeErrors)
	report.add("server", "head-end killed (SIGKILL) and restarted mid-play, headless box", verdict(ok), detail)
	t.Log(detail)
	if !ok {
		t.Errorf("the box did not carry on within 3 s of the server's return: %s (exit ok %v)\n%s", detail, p.exitOK, p.stderr)
	}
}

// TestServerGarbageAPI points the box's UI at a server answering garbage
// and checks it neither crashes nor hangs: skipped without a display.
func TestServerGarbageAPI(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("the box's UI needs a display (make faults runs it under Xvfb)")
	}
	srv := newGarbageServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := startBox(t, ctx, srv)
	defer b.Stop()
	s, err := b.WaitState(ctx, 30*time.Second, func(s boxState) bool {
		return s.Current.Screen == "home" && s.Current.Status == "error"
	})
	ok := err == nil
	detail := fmt.Sprintf("Home status %q, error %q", s.Current.Status, s.Current.Error)
	if err != nil {
		detail = err.Error()
	}
	report.add("server", "operator API answers garbage", verdict(ok), detail)
	if !ok {
		t.Errorf("the box did not show an error for a garbage API: %v", err)
	}
}
