package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"
)

const (
	// idleSeconds is how long an idle Home is measured.
	idleSeconds = 30
	// idleTargetPct is what an idle Home may cost the box, in % of a core.
	idleTargetPct = 2.0
	// idleQuiet is how long the box must have asked the head-end nothing
	// (its posters are in) before the measurement starts.
	idleQuiet = 3 * time.Second
)

// benchIdleHome measures what Home costs at 1080p when nobody touches it:
// a new box against the head-end in a 1920x1080 window, left alone once
// Home is ready with its rows and the box has stopped fetching (its
// posters), for idleSeconds. It reads the CPU time of the box and of Xvfb,
// which puts every picture the box presents on its screen, over the same
// seconds, and counts the pictures that reached the screen.
func benchIdleHome(ctx context.Context, c config, x *xvfb, r *Results) error {
	// The whole demo, as make run shows it: every category row full, and
	// the live channels' row.
	hp, hurl, err := startDemoHeadend(ctx, c, filepath.Join(c.work, "headend"), 0, 0)
	if err != nil {
		return fmt.Errorf("head-end: %w", err)
	}
	defer hp.stop()
	proxy, err := startWatchProxy(hurl)
	if err != nil {
		return err
	}
	defer proxy.close()
	dw, err := watchDamage(x.display)
	if err != nil {
		return err
	}
	defer dw.Close()
	box := filepath.Join(c.work, "idle-box")
	if err := os.RemoveAll(box); err != nil {
		return err
	}
	p, err := startProcess(ctx, []string{"DISPLAY=" + x.display, "LIBGL_ALWAYS_SOFTWARE=1"},
		filepath.Join(c.bin, "manbang"), "--operator", proxy.url, "--control", "127.0.0.1:0", "--lang", "en", "--log-level", "warn",
		"--window", "1920x1080", "--state", filepath.Join(box, "state"), "--cache", filepath.Join(box, "cache"))
	if err != nil {
		return err
	}
	defer p.stop()
	base, err := p.waitLine(controlLine, 30*time.Second)
	if err != nil {
		return err
	}
	home, err := waitState(ctx, base, 60*time.Second, func(s uiState) bool { return homeReady(s) && s.Current.Rows > 0 })
	if err != nil {
		return err
	}
	settle := time.Now()
	if err := proxy.waitQuiet(ctx, idleQuiet, 60*time.Second); err != nil {
		return err
	}
	fetched := proxy.stats()
	logf("cpu idle: Home ready with %d rows, %d titles; %d requests to the head-end (%d failed, first %q), quiet %v after Home",
		home.Current.Rows, home.Current.Titles, fetched.requests, fetched.failed, fetched.failure, time.Since(settle).Round(time.Millisecond))

	// Nothing is asked of the box during the measurement: the state is
	// read before the first samples and after the last.
	s0, err := getState(ctx, base)
	if err != nil {
		return err
	}
	d0, _ := dw.count()
	box0, err := sampleProc(p.cmd.Process.Pid)
	if err != nil {
		return err
	}
	x0, err := sampleProc(x.cmd.Process.Pid)
	if err != nil {
		return err
	}
	t0 := time.Now()
	select {
	case <-time.After(idleSeconds * time.Second):
	case <-p.exited:
		return fmt.Errorf("the box ended during the measurement")
	case <-ctx.Done():
		return ctx.Err()
	}
	box1, err := sampleProc(p.cmd.Process.Pid)
	if err != nil {
		return err
	}
	x1, err := sampleProc(x.cmd.Process.Pid)
	if err != nil {
		return err
	}
	wall := time.Since(t0)
	d1, derr := dw.count()
	s1, err := getState(ctx, base)
	if err != nil {
		return err
	}
	if derr != nil {
		return fmt.Errorf("damage: %w", derr)
	}
	if s1.Current.Screen != "home" {
		return fmt.Errorf("the box left Home during the measurement (%s)", s1.Current.Screen)
	}
	// The first picture fills the window: the figure is of 1080p only if
	// that was 1920x1080.
	if d1.MaxW != 1920 || d1.MaxH != 1080 {
		return fmt.Errorf("the box's largest picture was %dx%d, not 1920x1080", d1.MaxW, d1.MaxH)
	}
	during := proxy.stats().requests - fetched.requests
	pct := func(a, b procSample) float64 {
		return 100 * float64(b.cpuTicks-a.cpuTicks) / clockTicks / wall.Seconds()
	}
	boxPct, xPct := pct(box0, box1), pct(x0, x1)
	drawn := d1.since(d0)
	turns := s1.Frames - s0.Frames
	full := float64(drawn.Pixels) / (1920 * 1080)
	logf("cpu idle: box %.1f%% of a core, Xvfb %.1f%%; %d pictures on screen (%d operations, %.1f full screens, largest %dx%d), %d render loop turns, %d requests, in %v",
		boxPct, xPct, drawn.Pictures, drawn.Ops, full, d1.MaxW, d1.MaxH, turns, during, wall.Round(time.Millisecond))

	met := "not met"
	if boxPct < idleTargetPct {
		met = "met"
	}
	name := fmt.Sprintf("CPU on an idle Home at 1080p for %d s", idleSeconds)
	setting := fmt.Sprintf("%d rows, %d titles, posters in; %d requests to the head-end during the %d s", home.Current.Rows, home.Current.Titles, during, idleSeconds)
	r.add(Metric{Section: "cpu", Name: name + ": the box", Unit: "% of one core", Better: "lower",
		Values: map[string]float64{"manbang": boxPct}, Note: fmt.Sprintf("target < %g%% of one core: %s; %s", idleTargetPct, met, setting)})
	r.add(Metric{Section: "cpu", Name: name + ": Xvfb", Unit: "% of one core", Better: "lower",
		Values: map[string]float64{"manbang": xPct}, Note: "the X server over the same seconds: software GL puts each picture the box presents into it"})
	r.add(Metric{Section: "cpu", Name: fmt.Sprintf("pictures drawn on an idle Home at 1080p in %d s", idleSeconds), Unit: "frames", Better: "lower",
		Values: map[string]float64{"manbang": float64(drawn.Pictures)},
		Note: fmt.Sprintf("changes reaching the screen (X DAMAGE): %d drawing operations, %.1f full 1920x1080 screens of pixels, largest %dx%d; the render loop turned %d times, %.0f a second (the control endpoint's frames, which counts every turn, drawn or not)",
			drawn.Ops, full, d1.MaxW, d1.MaxH, turns, float64(turns)/wall.Seconds())})
	return nil
}

// watchProxy forwards to a head-end and counts the requests through it,
// so that the harness knows when the box has stopped fetching.
type watchProxy struct {
	srv *http.Server
	url string

	mu       sync.Mutex
	inFlight int
	last     time.Time // when the last request ended
	n        proxyStats
}

// proxyStats counts the requests a watchProxy forwarded.
type proxyStats struct {
	requests int
	failed   int    // answered with a status of 400 or more
	failure  string // the first of them: method, path and status
}

func startWatchProxy(target string) (*watchProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &watchProxy{last: time.Now()}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.inFlight++
		p.n.requests++
		p.mu.Unlock()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		rp.ServeHTTP(sw, r)
		p.mu.Lock()
		p.inFlight--
		p.last = time.Now()
		if sw.status >= 400 {
			if p.n.failed == 0 {
				p.n.failure = fmt.Sprintf("%s %s: %d", r.Method, r.URL.Path, sw.status)
			}
			p.n.failed++
		}
		p.mu.Unlock()
	})}
	ln, err := listenLoopback()
	if err != nil {
		return nil, err
	}
	p.url = "http://" + ln.Addr().String()
	go p.srv.Serve(ln)
	return p, nil
}

// waitQuiet waits until no request has been in flight for quiet.
func (p *watchProxy) waitQuiet(ctx context.Context, quiet, deadline time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		p.mu.Lock()
		ok := p.inFlight == 0 && time.Since(p.last) >= quiet
		p.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(errors.New("the box did not stop fetching from the head-end"), ctx.Err())
		case <-tick.C:
		}
	}
}

func (p *watchProxy) stats() proxyStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

func (p *watchProxy) close() { p.srv.Close() }

// statusWriter remembers the status of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
