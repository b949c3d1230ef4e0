package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Memory while playing (issue 3: "RSS while playing 1080p30 under 120 MB;
// no growth over a 10-minute play"): each player plays the 1080p30 H.264
// clip, looped to the duration, paced in real time with no window and no
// sound device, while the harness samples its VmRSS every memorySample.
// The figures are the peak of the samples and the growth: the mean of the
// last minute's samples over the first minute's (a quarter of the run
// each when it is shorter than four minutes).
const (
	// defaultMemoryDuration is the play of make bench; BENCH_MEMORY
	// (a Go duration, e.g. 2m) shortens it for a quick check.
	defaultMemoryDuration = 10 * time.Minute
	memorySample          = 5 * time.Second
	// memoryBudgetMB is the bound on Manbang's RSS, in MB; the
	// figures are in MiB (VmRSS kB / 1024).
	memoryBudgetMB = 120
)

// memoryDuration returns how long each player plays.
func memoryDuration() (time.Duration, error) {
	s := os.Getenv("BENCH_MEMORY")
	if s == "" {
		return defaultMemoryDuration, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 20*time.Second {
		return 0, fmt.Errorf("BENCH_MEMORY=%q: want a duration of 20s or more", s)
	}
	return d, nil
}

// benchMemory measures the RSS of manbang play --headless beside mpv
// (--vo=null --ao=null) on the same looped file. ffplay is left out: with
// -nodisp it does not decode video at all, so its figure would not
// compare.
func benchMemory(ctx context.Context, c config, st streams, _ *xvfb, r *Results) error {
	d, err := memoryDuration()
	if err != nil {
		return err
	}
	file, err := loopedClip(ctx, c.work, st.H264, d)
	if err != nil {
		return err
	}
	runs := []struct {
		player string
		args   []string
	}{
		{"manbang", []string{filepath.Join(c.bin, "manbang"), "play", "--headless", "--log-level", "error", file}},
		{"mpv", []string{"mpv", "--no-config", "--hwdec=no", "--vo=null", "--ao=null", "--really-quiet", file}},
	}
	peak := Metric{Section: "memory", Name: "peak RSS playing 1080p30 H.264, headless", Unit: "MiB", Better: "lower", Values: map[string]float64{},
		Note: fmt.Sprintf("VmRSS sampled every %v over %v, the players side by side; the issue's bound is %d MB (%.1f MiB)", memorySample, d, memoryBudgetMB, memoryBudgetMB*1e6/(1<<20))}
	growth := Metric{Section: "memory", Name: "RSS growth, last minute over first", Unit: "%", Better: "lower", Values: map[string]float64{},
		Note: "mean of the last minute's samples over the first minute's (a quarter of the run each under 4 minutes)"}
	if r.Series == nil {
		r.Series = map[string][]float64{}
	}
	// The players play side by side: RSS is not a timing figure, each
	// paced 1080p30 decode needs well under a core, and the run takes d
	// instead of twice d.
	type result struct {
		samples []float64
		err     error
	}
	results := make([]result, len(runs))
	var wg sync.WaitGroup
	for i, run := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i].samples, results[i].err = sampleRSS(ctx, run.args, d)
		}()
	}
	wg.Wait()
	for i, run := range runs {
		samples, err := results[i].samples, results[i].err
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.Notes = append(r.Notes, fmt.Sprintf("memory: %s: %v", run.player, err))
			logf("memory: %s: %v", run.player, err)
			continue
		}
		p, g := rssFigures(samples, d)
		peak.Values[run.player], growth.Values[run.player] = p, g
		r.Series["memory rss "+run.player] = samples
		logf("memory %s: peak RSS %.0f MiB, growth %+.1f%%", run.player, p, g)
	}
	r.add(peak)
	r.add(growth)
	return nil
}

// loopedClip returns the clip looped (stream copy, continuous timestamps)
// to at least d, made once in the work directory.
func loopedClip(ctx context.Context, work, clip string, d time.Duration) (string, error) {
	loops := int((d+time.Duration(clipSeconds)*time.Second-1)/(time.Duration(clipSeconds)*time.Second)) + 1
	out := filepath.Join(work, fmt.Sprintf("h264-1080p30-loop%d.ts", loops))
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	tmp := out + ".tmp"
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-stream_loop", fmt.Sprint(loops-1), "-i", clip, "-c", "copy", "-f", "mpegts", tmp)
	if b, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("memory: loop the clip: %w: %s", err, b)
	}
	return out, os.Rename(tmp, out)
}

// sampleRSS runs args for d, sampling the process's VmRSS (MiB) every
// memorySample, and then stops it.
func sampleRSS(ctx context.Context, args []string, d time.Duration) ([]float64, error) {
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "SDL_AUDIODRIVER=dummy")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	start := time.Now()
	tick := time.NewTicker(memorySample)
	defer tick.Stop()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	var samples []float64
	for {
		select {
		case <-tick.C:
			if s, err := sampleProc(cmd.Process.Pid); err == nil {
				samples = append(samples, float64(s.rssKB)/1024)
			}
		case <-deadline.C:
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
			return samples, nil
		case err := <-exited:
			return nil, fmt.Errorf("ended after %v: %v", time.Since(start).Round(time.Second), err)
		case <-ctx.Done():
			cmd.Process.Kill()
			<-exited
			return nil, ctx.Err()
		}
	}
}

// rssFigures returns the peak of the samples and the growth in percent:
// the mean of the last window over the first, a window being a minute,
// or a quarter of the run when that is shorter than four minutes.
func rssFigures(samples []float64, d time.Duration) (peak, growth float64) {
	if len(samples) == 0 {
		return 0, 0
	}
	peak = slices.Max(samples)
	window := min(time.Minute, d/4)
	n := max(1, int(window/memorySample))
	n = min(n, len(samples))
	mean := func(s []float64) float64 {
		var sum float64
		for _, v := range s {
			sum += v
		}
		return sum / float64(len(s))
	}
	first, last := mean(samples[:n]), mean(samples[len(samples)-n:])
	if first > 0 {
		growth = 100 * (last - first) / first
	}
	return peak, growth
}
