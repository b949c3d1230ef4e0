package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// process is a child whose stderr is searched for a line.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	lines  chan string
}

// startProcess starts args with env added and sends its stderr lines on
// lines (dropping them when nobody reads).
func startProcess(ctx context.Context, env []string, args ...string) (*process, error) {
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, exited: make(chan struct{}), lines: make(chan string, 64)}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}()
	go func() {
		cmd.Wait()
		pw.Close()
		close(p.exited)
	}()
	return p, nil
}

// waitLine waits for a stderr line matching re and returns its first
// submatch.
func (p *process) waitLine(re *regexp.Regexp, deadline time.Duration) (string, error) {
	t := time.NewTimer(deadline)
	defer t.Stop()
	for {
		select {
		case l := <-p.lines:
			if m := re.FindStringSubmatch(l); m != nil {
				return m[1], nil
			}
		case <-p.exited:
			return "", fmt.Errorf("%s ended before printing %q", p.cmd.Path, re)
		case <-t.C:
			return "", fmt.Errorf("%s: no %q after %v", p.cmd.Path, re, deadline)
		}
	}
}

// stop ends the process: SIGTERM, then SIGKILL after 5 s.
func (p *process) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

var (
	headendLine = regexp.MustCompile(`serving .* on (http://\S+)`)
	controlLine = regexp.MustCompile(`control endpoint on (http://\S+)`)
)

// startHeadend starts the demo head-end with a few short titles and no
// channels on loopback and returns its URL.
func startHeadend(ctx context.Context, c config, dataDir string) (*process, string, error) {
	return startDemoHeadend(ctx, c, dataDir, 12, -1)
}

// startDemoHeadend starts the demo head-end on loopback with titles of
// the demo's titles and channels of its channels (0: all, -1: none), each
// title 6 s long, and returns its URL. The media are kept in dataDir, so
// head-ends of different sizes can share it.
func startDemoHeadend(ctx context.Context, c config, dataDir string, titles, channels int) (*process, string, error) {
	p, err := startProcess(ctx, nil, filepath.Join(c.bin, "manbang-headend"), "--demo", "--demo-titles", strconv.Itoa(titles),
		"--demo-channels", strconv.Itoa(channels), "--demo-duration", "6s", "--addr", "127.0.0.1:0", "--data", dataDir)
	if err != nil {
		return nil, "", err
	}
	url, err := p.waitLine(headendLine, 10*time.Minute)
	if err != nil {
		p.stop()
		return nil, "", err
	}
	return p, url, nil
}

// uiState is what the bench reads of GET /api/v1/state.
type uiState struct {
	Frames  uint64 `json:"frames"`
	Current struct {
		Screen string `json:"screen"`
		Status string `json:"status"`
		Rows   int    `json:"rows"`
		Titles int    `json:"titles"`
		Focus  *struct {
			Row  int `json:"row"`
			Tile int `json:"tile"`
			Col  int `json:"col"`
		} `json:"focus"`
	} `json:"current"`
}

func getState(ctx context.Context, base string) (uiState, error) {
	var s uiState
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/state", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("state: %s", resp.Status)
	}
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// waitState polls the state every millisecond until ok says so.
func waitState(ctx context.Context, base string, deadline time.Duration, ok func(uiState) bool) (uiState, error) {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		s, err := getState(ctx, base)
		if err == nil && ok(s) {
			return s, nil
		}
		select {
		case <-ctx.Done():
			return s, fmt.Errorf("ui state: %w (last: %+v, %v)", ctx.Err(), s, err)
		case <-tick.C:
		}
	}
}

func sendKey(ctx context.Context, base, key string) error {
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/keys", strings.NewReader(`{"key":"`+key+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("key %s: %s", key, resp.Status)
	}
	return nil
}

func homeReady(s uiState) bool { return s.Current.Screen == "home" && s.Current.Status == "ready" }

// benchUIControl measures cold start to an interactive Home and the time
// from a key sent to the control endpoint to the state of a frame drawn
// after it, over five starts.
func benchUIControl(ctx context.Context, c config, x *xvfb, r *Results) error {
	hp, url, err := startHeadend(ctx, c, filepath.Join(c.work, "headend"))
	if err != nil {
		return fmt.Errorf("head-end: %w", err)
	}
	defer hp.stop()
	var cold, key []float64
	var last error
	for i := range 5 {
		// A new box each time: empty state and cache directories, so that
		// the start is cold (the warm one is headend/coldstart's figure).
		dirs := filepath.Join(c.work, fmt.Sprintf("coldbox-%d", i))
		if err := os.RemoveAll(dirs); err != nil {
			return err
		}
		start := time.Now()
		p, err := startProcess(ctx, []string{"DISPLAY=" + x.display, "LIBGL_ALWAYS_SOFTWARE=1"},
			filepath.Join(c.bin, "manbang"), "--operator", url, "--control", "127.0.0.1:0", "--lang", "en", "--log-level", "warn",
			"--state", filepath.Join(dirs, "state"), "--cache", filepath.Join(dirs, "cache"))
		if err != nil {
			return err
		}
		err = func() error {
			defer p.stop()
			base, err := p.waitLine(controlLine, 30*time.Second)
			if err != nil {
				return err
			}
			s, err := waitState(ctx, base, 30*time.Second, homeReady)
			if err != nil {
				return err
			}
			cold = append(cold, ms(time.Since(start)))
			for _, k := range []string{"right", "left", "right", "left", "down", "up"} {
				before := s
				t := time.Now()
				if err := sendKey(ctx, base, k); err != nil {
					return err
				}
				s, err = waitState(ctx, base, 5*time.Second, func(n uiState) bool {
					return n.Frames > before.Frames && focusOf(n) != focusOf(before)
				})
				if err != nil {
					return fmt.Errorf("after key %s: %w", k, err)
				}
				key = append(key, ms(time.Since(t)))
			}
			return nil
		}()
		if err != nil {
			last = err
		}
	}
	if len(cold) == 0 {
		return errors.Join(errors.New("no start reached Home"), last)
	}
	cs, ks := summarize(cold, 5-len(cold)), summarize(key, 0)
	r.add(Metric{Section: "ui", Name: "cold start to interactive Home (control endpoint)", Unit: "ms", Better: "lower",
		Values: map[string]float64{"manbang": cs.Median}, Note: fmt.Sprintf("median of %d starts, p95 %.0f ms, under Xvfb + llvmpipe", cs.N, cs.P95)})
	if ks.N > 0 {
		r.add(Metric{Section: "ui", Name: "key to frame on Home (control endpoint)", Unit: "ms", Better: "lower",
			Values: map[string]float64{"manbang": ks.Median}, Note: fmt.Sprintf("median of %d keys, p95 %.1f ms; includes the HTTP round trip", ks.N, ks.P95)})
	}
	if last != nil {
		r.Notes = append(r.Notes, "ui control: "+last.Error())
	}
	return nil
}

func focusOf(s uiState) string {
	if s.Current.Focus == nil {
		return ""
	}
	return fmt.Sprintf("%d/%d/%d", s.Current.Focus.Row, s.Current.Focus.Tile, s.Current.Focus.Col)
}
