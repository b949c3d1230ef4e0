package rig

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// BoxConfig says how to start a box.
type BoxConfig struct {
	Bin      string // path of the manbang binary
	Operator string // --operator
	// StateDir and CacheDir are the box's own (--state, --cache), so that
	// neither the user's box nor another test's leaks into it.
	StateDir string
	CacheDir string
	Args     []string // more flags, after the others (they win)
}

// Box is a manbang process showing its UI on the display of the
// environment, with its control endpoint on loopback.
type Box struct {
	cmd     *exec.Cmd
	exited  chan struct{}
	control string // http://127.0.0.1:PORT

	mu     sync.Mutex
	stderr bytes.Buffer // the first stderrMax bytes the box wrote
}

const stderrMax = 1 << 20

var controlLine = regexp.MustCompile(`control endpoint on (http://\S+)`)

// StartBox starts `manbang --operator URL --control 127.0.0.1:0 --state
// DIR --cache DIR` and waits for its control endpoint.
func StartBox(ctx context.Context, cfg BoxConfig) (*Box, error) {
	args := append([]string{"--operator", cfg.Operator, "--control", "127.0.0.1:0",
		"--state", cfg.StateDir, "--cache", cfg.CacheDir}, cfg.Args...)
	cmd := exec.Command(cfg.Bin, args...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cfg.Bin, err)
	}
	b := &Box{cmd: cmd, exited: make(chan struct{})}
	go func() {
		cmd.Wait()
		pw.Close()
		close(b.exited)
	}()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			b.keep(sc.Text())
			if m := controlLine.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case b.control = <-found:
		return b, nil
	case <-b.exited:
		return nil, fmt.Errorf("manbang ended before serving its control endpoint (%v):\n%s", cmd.ProcessState, b.Stderr())
	case <-ctx.Done():
		b.Stop()
		return nil, fmt.Errorf("manbang served no control endpoint: %w\n%s", ctx.Err(), b.Stderr())
	}
}

func (b *Box) keep(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stderr.Len() < stderrMax {
		b.stderr.WriteString(line + "\n")
	}
}

// Stderr returns what the box has written to stderr so far (its first
// MiB).
func (b *Box) Stderr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stderr.String()
}

// Pid is the box's process ID.
func (b *Box) Pid() int { return b.cmd.Process.Pid }

// Exited is closed when the box process has ended.
func (b *Box) Exited() <-chan struct{} { return b.exited }

// Stop ends the box: SIGINT, then SIGKILL after 10 s.
func (b *Box) Stop() {
	b.cmd.Process.Signal(os.Interrupt)
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		<-b.exited
	}
}

// State is GET /api/v1/state: the top level, and the fields every
// screen has. Raw is the whole answer, for the fields of each screen.
type State struct {
	Lang     string   `json:"lang"`
	Frames   uint64   `json:"frames"`
	Stack    []string `json:"stack"`
	Overscan int      `json:"overscan"`
	Current  struct {
		Screen string `json:"screen"`
		Status string `json:"status"`
		Error  string `json:"error"`
	} `json:"current"`
	Raw json.RawMessage `json:"-"`
}

// Screen decodes the current screen's JSON into v.
func (s State) Screen(v any) error {
	var top struct {
		Current json.RawMessage `json:"current"`
	}
	if err := json.Unmarshal(s.Raw, &top); err != nil {
		return err
	}
	return json.Unmarshal(top.Current, v)
}

// State asks the box for its state.
func (b *Box) State(ctx context.Context) (State, error) {
	var s State
	raw, err := b.get(ctx, "/api/v1/state")
	if err != nil {
		return s, err
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return s, errors.New("state: no frame drawn yet")
	}
	s.Raw = raw
	return s, json.Unmarshal(raw, &s)
}

// WaitState polls the state until ok says so, or deadline passes, or the
// box ends. The error says which, with the last state seen.
func (b *Box) WaitState(ctx context.Context, deadline time.Duration, ok func(State) bool) (State, error) {
	return b.Poll(ctx, deadline, func(s State) (bool, error) { return ok(s), nil })
}

// Poll polls the state every 20 ms until check says it is done or fails,
// or deadline passes, or the box ends. The error says which, with the
// last state seen.
func (b *Box) Poll(ctx context.Context, deadline time.Duration, check func(State) (done bool, err error)) (State, error) {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var last State
	for {
		s, err := b.State(ctx)
		if err == nil {
			last = s
			done, err := check(s)
			if err != nil {
				return s, fmt.Errorf("%w (state: %s)", err, bytes.TrimSpace(s.Raw))
			}
			if done {
				return s, nil
			}
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("waiting for the box's state: %w (last: %s)", ctx.Err(), bytes.TrimSpace(last.Raw))
		case <-b.exited:
			return last, fmt.Errorf("the box ended; stderr:\n%s", b.Stderr())
		case <-tick.C:
		}
	}
}

// Keys presses and releases remote keys in order (POST /api/v1/keys).
func (b *Box) Keys(ctx context.Context, names ...string) error {
	body, _ := json.Marshal(map[string][]string{"keys": names})
	req, _ := http.NewRequestWithContext(ctx, "POST", b.control+"/api/v1/keys", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("keys %v: %s %s", names, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// Screenshot returns what is on screen now, as PNG.
func (b *Box) Screenshot(ctx context.Context) ([]byte, error) {
	return b.get(ctx, "/api/v1/screenshot.png")
}

func (b *Box) get(ctx context.Context, path string) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", b.control+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s %s", path, resp.Status, bytes.TrimSpace(body))
	}
	return body, nil
}
