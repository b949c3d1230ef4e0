//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSoak plays in the box's UI for FAULTS_SOAK (e.g. 30m; skipped when
// unset), changing what plays every 10 s through the control endpoint,
// VOD and live in turn: back to Home and the next demo title; then the
// Live TV list, a channel, and CH+ or CH- to the next. It checks that,
// between the end of the first minute and the end, RSS grows less than
// 10% and the open file descriptors, threads and goroutines do not grow,
// comparing what it measures after a VOD change with the same after a VOD
// change, and after a zap with the same after a zap.
// The content is 1080p when the head-end can make its demo at that size
// (--demo-size), else the demo's own size, which the report says.
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
	extra := []string{"--demo-titles", "2", "--demo-channels", "2"}
	size := "the demo's default size (manbang-headend has no --demo-size)"
	if headendHasFlag(t, "demo-size") {
		extra = append(extra, "--demo-size", "1920x1080")
		size = "1920x1080"
	}
	h := startHeadend(t, "127.0.0.1:0", dir, 30, extra...)
	defer h.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), d+5*time.Minute)
	defer cancel()
	// The head-end sends no multicast here: channels come as unicast RTP.
	b := startBox(t, ctx, h.URL, "--live-unicast")
	defer b.Stop()
	if _, err := b.WaitState(ctx, time.Minute, func(s boxState) bool { return s.Current.Screen == "home" && s.Current.Status == "ready" }); err != nil {
		t.Fatal(err)
	}
	pid := b.Pid()
	// Samples are compared with those taken after a change of the same
	// kind: a live channel holds its RTP socket, a VOD title its HTTP
	// connections, and one more descriptor there is no leak.
	var base, last [2]*sample // by kind: VOD, live
	start := time.Now()
	changes, failures, vod, zaps := 0, 0, 0, 0
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := 0; time.Since(start) < d; i++ {
		var err error
		if i%2 == 0 {
			err = b.changeTitle(ctx, i%4 == 0)
			vod++
		} else {
			err = b.zap(ctx, i%4 == 1)
			zaps++
		}
		changes++
		if err != nil {
			failures++
			t.Logf("change %d: %v", changes, err)
		}
		s, err := readProc(pid)
		if err != nil {
			t.Fatal(err)
		}
		g := -1
		if st, err := b.State(ctx); err == nil {
			g = goroutines(st)
		}
		k := i % 2
		if base[k] == nil && time.Since(start) >= time.Minute {
			base[k] = &sample{s, g}
		}
		last[k] = &sample{s, g}
		select {
		case <-tick.C:
		case <-b.Exited():
			t.Fatalf("the box ended:\n%s", b.Stderr())
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
	ok := failures == 0
	var growth []string
	for k, kind := range []string{"after VOD", "after live"} {
		if last[k] == nil {
			continue
		}
		if base[k] == nil {
			base[k] = last[k]
		}
		g, good := base[k].growth(last[k])
		ok = ok && good
		growth = append(growth, kind+": "+g)
	}
	detail := fmt.Sprintf("%v at %s, %d changes (%d VOD titles, %d live with a CH+/CH- zap; %d failed); from the first minute's end to the end, %s",
		d, size, changes, vod, zaps, failures, strings.Join(growth, "; "))
	report.add("soak", "VOD titles and live channels played in the UI, a change every 10 s", verdict(ok), detail)
	t.Log(detail)
	if !ok {
		t.Errorf("soak: %s", detail)
	}
}

// changeTitle goes back to Home and plays the first title of the first
// category row (first) or of the row below it, in turn.
func (b *box) changeTitle(ctx context.Context, first bool) error {
	if err := b.home(ctx); err != nil {
		return err
	}
	if err := b.focusCategory(ctx); err != nil {
		return err
	}
	keys := []string{"left", "left", "left", "ok"}
	if !first {
		keys = append([]string{"down"}, keys...)
	}
	for _, k := range keys {
		if err := b.Keys(ctx, k); err != nil {
			return err
		}
	}
	_, err := b.WaitState(ctx, 15*time.Second, func(s boxState) bool {
		if s.Current.Screen == "detail" { // a Detail screen before playing: press Play
			b.Keys(ctx, "ok")
		}
		return s.Current.Screen == "player" && playing(s)
	})
	return err
}

// zap goes to the Live TV list, plays the focused channel, then changes
// channel with CH+ (or CH-) and waits for the other channel to play.
func (b *box) zap(ctx context.Context, up bool) error {
	if err := b.home(ctx); err != nil {
		return err
	}
	if err := b.Keys(ctx, "red"); err != nil {
		return err
	}
	if _, err := b.WaitState(ctx, 10*time.Second, func(s boxState) bool { return s.Current.Screen == "live" }); err != nil {
		return err
	}
	var s boxState
	var err error
	for try := 0; try < 3; try++ { // a press while the list loads is lost
		if err := b.Keys(ctx, "ok"); err != nil {
			return err
		}
		s, err = b.WaitState(ctx, 5*time.Second, func(s boxState) bool { return s.Current.Screen == "player" && playing(s) })
		if err == nil {
			break
		}
		if s.Current.Screen != "live" {
			return err
		}
	}
	if err != nil {
		return err
	}
	from := channelOf(s)
	key := "ch+"
	if !up {
		key = "ch-"
	}
	if err := b.Keys(ctx, key); err != nil {
		return err
	}
	_, err = b.WaitState(ctx, 15*time.Second, func(s boxState) bool {
		return s.Current.Screen == "player" && channelOf(s) != from && playing(s)
	})
	return err
}

// home goes back to the Home screen, a screen at a time.
func (b *box) home(ctx context.Context) error {
	for range 4 {
		s, err := b.State(ctx)
		if err != nil {
			return err
		}
		if s.Current.Screen == "home" {
			return nil
		}
		if err := b.Keys(ctx, "back"); err != nil {
			return err
		}
		was := s.Current.Screen
		b.WaitState(ctx, 3*time.Second, func(s boxState) bool { return s.Current.Screen != was })
	}
	_, err := b.WaitState(ctx, 10*time.Second, func(s boxState) bool { return s.Current.Screen == "home" })
	return err
}

// focusCategory moves Home's focus down to a row of titles of a
// category (past "continue", "live" and "favourites").
func (b *box) focusCategory(ctx context.Context) error {
	for range 6 {
		s, err := b.State(ctx)
		if err != nil {
			return err
		}
		var h struct {
			Current struct {
				RowIDs []string `json:"row_ids"`
				Focus  *struct {
					Row int `json:"row"`
				} `json:"focus"`
			} `json:"current"`
		}
		json.Unmarshal(s.Raw, &h)
		if f := h.Current.Focus; f != nil && f.Row < len(h.Current.RowIDs) && strings.HasPrefix(h.Current.RowIDs[f.Row], "cat:") {
			return nil
		}
		before := focusRow(s)
		if err := b.Keys(ctx, "down"); err != nil {
			return err
		}
		b.WaitState(ctx, 2*time.Second, func(s boxState) bool { return focusRow(s) != before })
	}
	return fmt.Errorf("no category row on Home")
}

// focusRow returns the row of Home's focus, or -1.
func focusRow(s boxState) int {
	var h struct {
		Current struct {
			Focus *struct {
				Row int `json:"row"`
			} `json:"focus"`
		} `json:"current"`
	}
	if json.Unmarshal(s.Raw, &h) != nil || h.Current.Focus == nil {
		return -1
	}
	return h.Current.Focus.Row
}

// channelOf returns the channel the Player screen plays, if any.
func channelOf(s boxState) string {
	var p struct {
		Current struct {
			ChannelID string `json:"channel_id"`
		} `json:"current"`
	}
	json.Unmarshal(s.Raw, &p)
	return p.Current.ChannelID
}

// goroutines returns the box's goroutine count from its state, or -1
// when the box does not report it.
func goroutines(s boxState) int {
	var g struct {
		Goroutines *int `json:"goroutines"`
	}
	if json.Unmarshal(s.Raw, &g) != nil || g.Goroutines == nil {
		return -1
	}
	return *g.Goroutines
}

// headendHasFlag says whether manbang-headend serve knows --name.
func headendHasFlag(t *testing.T, name string) bool {
	out, _ := exec.Command(filepath.Join(fixture.bin, "manbang-headend"), "serve", "-h").CombinedOutput()
	return strings.Contains(string(out), "-"+name)
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

// sample is what the soak measures of the box after a change.
type sample struct {
	proc       procStat
	goroutines int // -1: not reported
}

// growth describes the change from s to then and says whether it is within
// bounds: RSS at most 10% more, no more descriptors, at most 2 more
// threads and 5 more goroutines (a few come and go with what is on
// screen: a poster loading, a keep-alive).
func (s *sample) growth(then *sample) (string, bool) {
	rss := float64(then.proc.rssKB-s.proc.rssKB) / float64(s.proc.rssKB)
	ok := rss <= 0.10 && then.proc.fds <= s.proc.fds && then.proc.threads <= s.proc.threads+2
	gor := "goroutines: not exposed by the box (no \"goroutines\" in /api/v1/state): NOT CHECKED"
	if s.goroutines >= 0 && then.goroutines >= 0 {
		gor = fmt.Sprintf("goroutines %d → %d", s.goroutines, then.goroutines)
		ok = ok && then.goroutines <= s.goroutines+5
	}
	return fmt.Sprintf("RSS %d → %d KiB (%+.1f%%), fds %d → %d, threads %d → %d, %s",
		s.proc.rssKB, then.proc.rssKB, 100*rss, s.proc.fds, then.proc.fds, s.proc.threads, then.proc.threads, gor), ok
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
