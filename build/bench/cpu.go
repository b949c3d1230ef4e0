package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// benchCPU runs the section's steps that -only selects: cpu/play, each
// player playing 1080p30 on screen, and cpu/idle, the box on an idle Home.
func benchCPU(ctx context.Context, c config, st streams, x *xvfb, r *Results) error {
	steps := []struct {
		name string
		fn   func() error
	}{
		{"play", func() error { return benchPlayCPU(ctx, c, st, x, r) }},
		{"idle", func() error { return benchIdleHome(ctx, c, x, r) }},
	}
	var failed []error
	for _, s := range steps {
		if !c.want("cpu/" + s.name) {
			continue
		}
		logf("cpu: %s", s.name)
		if err := s.fn(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed = append(failed, fmt.Errorf("%s: %w", s.name, err))
		}
	}
	return errors.Join(failed...)
}

// benchPlayCPU plays the long 1080p30 clip on screen with each player and
// reads its CPU time and peak RSS from /proc.
func benchPlayCPU(ctx context.Context, c config, st streams, x *xvfb, r *Results) error {
	secs := c.cpuSeconds
	runs := []struct {
		player string
		args   []string
	}{
		{"manbang", []string{filepath.Join(c.bin, "manbang"), "play", "--log-level", "error", st.Long}},
		{"mpv", []string{"mpv", "--no-config", "--hwdec=no", "--ao=null", "--geometry=1280x720", "--really-quiet", st.Long}},
		{"ffplay", []string{"ffplay", "-hide_banner", "-loglevel", "error", "-x", "1280", "-y", "720", "-autoexit", st.Long}},
	}
	cpu := Metric{Section: "cpu", Name: fmt.Sprintf("CPU playing 1080p30 H.264 for %d s", secs), Unit: "% of one core", Better: "lower", Values: map[string]float64{}}
	rss := Metric{Section: "cpu", Name: "peak RSS playing 1080p30 H.264", Unit: "MiB", Better: "lower", Values: map[string]float64{}}
	if r.Series == nil {
		r.Series = map[string][]float64{}
	}
	for _, run := range runs {
		cmd := exec.CommandContext(ctx, run.args[0], run.args[1:]...)
		cmd.Env = append(os.Environ(), "DISPLAY="+x.display, "SDL_AUDIODRIVER=dummy", "LIBGL_ALWAYS_SOFTWARE=1")
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("%s: %w", run.player, err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var last procSample
		var series []float64
		tick := time.NewTicker(time.Second)
		deadline := time.After(time.Duration(secs) * time.Second)
		var early error
	loop:
		for {
			select {
			case <-tick.C:
				if s, err := sampleProc(cmd.Process.Pid); err == nil {
					last = s
					series = append(series, float64(s.rssKB)/1024)
				}
			case <-deadline:
				if s, err := sampleProc(cmd.Process.Pid); err == nil {
					last = s
				}
				break loop
			case err := <-exited:
				early = fmt.Errorf("%s ended after %v: %v", run.player, time.Since(start).Round(time.Second), err)
				break loop
			case <-ctx.Done():
				cmd.Process.Kill()
				<-exited
				tick.Stop()
				return ctx.Err()
			}
		}
		tick.Stop()
		wall := time.Since(start)
		if early == nil {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
		}
		if early != nil && wall < time.Duration(secs)*time.Second*9/10 {
			r.Notes = append(r.Notes, early.Error())
			logf("cpu: %v", early)
			continue
		}
		pct := 100 * float64(last.cpuTicks) / clockTicks / wall.Seconds()
		cpu.Values[run.player] = pct
		rss.Values[run.player] = float64(last.hwmKB) / 1024
		r.Series["rss "+run.player] = series
		logf("cpu %s: %.0f%% of a core, peak RSS %.0f MiB", run.player, pct, float64(last.hwmKB)/1024)
	}
	r.add(cpu)
	r.add(rss)
	return nil
}
