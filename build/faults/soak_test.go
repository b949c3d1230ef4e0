//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestSoak plays demo titles in the box's UI for FAULTS_SOAK (e.g. 30m;
// skipped when unset), changing what plays every 10 s through the
// control endpoint, and checks that RSS grows less than 10% and the open
// file descriptors and threads do not grow, between the end of the first
// minute and the end.
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("FAULTS_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("set FAULTS_SOAK to a duration (make soak: 30m)")
	}
	if os.Getenv("DISPLAY") == "" {
		t.Skip("the box's UI needs a display (make soak runs it under Xvfb)")
	}
	const every = 10 * time.Second
	dir := t.TempDir()
	h := startHeadend(t, "127.0.0.1:0", dir, 30)
	defer h.kill()
	ctx, cancel := context.WithTimeout(context.Background(), d+5*time.Minute)
	defer cancel()
	b := startBox(t, ctx, h.url)
	defer b.stop()
	if _, err := b.waitState(ctx, time.Minute, func(s boxState) bool { return s.Current.Screen == "home" && s.Current.Status == "ready" }); err != nil {
		t.Fatal(err)
	}
	pid := b.cmd.Process.Pid
	var base, last procStat
	start := time.Now()
	changes, failures := 0, 0
	tick := time.NewTicker(every)
	defer tick.Stop()
	right := true
	for time.Since(start) < d {
		// Change what plays: back to Home, the next title, play it.
		step := "right"
		if !right {
			step = "left"
		}
		right = !right
		if err := b.keys(ctx, "back"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.waitState(ctx, 10*time.Second, func(s boxState) bool { return s.Current.Screen == "home" }); err != nil {
			t.Fatal(err)
		}
		if err := b.keys(ctx, step, "ok"); err != nil {
			t.Fatal(err)
		}
		_, err := b.waitState(ctx, 15*time.Second, func(s boxState) bool {
			if s.Current.Screen == "detail" { // a Detail screen before playing: press Play
				b.keys(ctx, "ok")
			}
			return s.Current.Screen == "player" && playing(s)
		})
		changes++
		if err != nil {
			failures++
			t.Logf("change %d: %v", changes, err)
		}
		s, err := readProc(pid)
		if err != nil {
			t.Fatal(err)
		}
		if base.rssKB == 0 && time.Since(start) >= time.Minute {
			base = s
		}
		last = s
		select {
		case <-tick.C:
		case <-b.exited:
			t.Fatalf("the box ended:\n%s", b.stderr)
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
	if base.rssKB == 0 {
		base = last
	}
	rssGrowth := float64(last.rssKB-base.rssKB) / float64(base.rssKB)
	ok := rssGrowth <= 0.10 && last.fds <= base.fds && last.threads <= base.threads+2 && failures == 0
	detail := fmt.Sprintf("%v, %d changes (%d failed); RSS %d → %d KiB (%+.1f%%), fds %d → %d, threads %d → %d; goroutines: not exposed by the box",
		d, changes, failures, base.rssKB, last.rssKB, 100*rssGrowth, base.fds, last.fds, base.threads, last.threads)
	report.add("soak", "demo titles played in the UI, a change every 10 s", verdict(ok), detail)
	t.Log(detail)
	if !ok {
		t.Errorf("soak: %s", detail)
	}
}

// playing says whether the Player screen reports playback.
func playing(s boxState) bool {
	var p struct {
		Current struct {
			State string `json:"state"`
			Stats *struct {
				PresentedFrames int `json:"presented_frames"`
			} `json:"stats"`
		} `json:"current"`
	}
	if json.Unmarshal(s.Raw, &p) != nil {
		return false
	}
	return p.Current.Stats != nil && p.Current.Stats.PresentedFrames > 0
}

// procStat is a process's resident memory, descriptors and threads.
type procStat struct {
	rssKB        int64
	fds, threads int
}

func readProc(pid int) (procStat, error) {
	var s procStat
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for _, l := range splitLines(string(b)) {
		var n int64
		if _, err := fmt.Sscanf(l, "VmRSS: %d kB", &n); err == nil {
			s.rssKB = n
		}
		if _, err := fmt.Sscanf(l, "Threads: %d", &n); err == nil {
			s.threads = int(n)
		}
	}
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return s, err
	}
	s.fds = len(ents)
	return s, nil
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}
