//go:build faults

package faults

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// box is the box's UI process, driven through its control endpoint.
type box struct {
	cmd     *exec.Cmd
	exited  chan struct{}
	control string
	stderr  *strings.Builder
}

var controlLine = regexp.MustCompile(`control endpoint on (http://\S+)`)

// startBox starts `manbang --operator URL --control 127.0.0.1:0` on the
// display of the environment and waits for its control endpoint. The box
// has state and cache directories of its own, empty: it is a new box, and
// what another test's box (or the user's own) kept does not leak into it.
func startBox(t *testing.T, ctx context.Context, operator string, extra ...string) *box {
	t.Helper()
	args := append([]string{"--operator", operator, "--control", "127.0.0.1:0", "--lang", "en", "--log-level", "warn",
		"--state", t.TempDir(), "--cache", t.TempDir()}, extra...)
	cmd := exec.Command(filepath.Join(fixture.bin, "manbang"), args...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &box{cmd: cmd, exited: make(chan struct{}), stderr: &strings.Builder{}}
	go func() {
		cmd.Wait()
		pw.Close()
		close(b.exited)
	}()
	found := make(chan string, 1)
	lines := make(chan string, 256)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := controlLine.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	select {
	case b.control = <-found:
	case <-b.exited:
		t.Fatalf("manbang ended before serving its control endpoint")
	case <-ctx.Done():
		b.stop()
		t.Fatalf("no control endpoint: %v", ctx.Err())
	}
	go func() {
		for l := range lines {
			if b.stderr.Len() < 1<<20 {
				b.stderr.WriteString(l + "\n")
			}
		}
	}()
	return b
}

// stop ends the box: SIGTERM, then SIGKILL after 10 s.
func (b *box) stop() {
	b.cmd.Process.Signal(os.Interrupt)
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		<-b.exited
	}
}

// boxState is what the suite reads of GET /api/v1/state.
type boxState struct {
	Frames  uint64 `json:"frames"`
	Current struct {
		Screen string `json:"screen"`
		Status string `json:"status"`
		Error  string `json:"error"`
	} `json:"current"`
	Raw json.RawMessage `json:"-"`
}

func (b *box) state(ctx context.Context) (boxState, error) {
	var s boxState
	req, _ := http.NewRequestWithContext(ctx, "GET", b.control+"/api/v1/state", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return s, err
	}
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("state: %s", resp.Status)
	}
	s.Raw = raw
	return s, json.Unmarshal(raw, &s)
}

// waitState polls the state until ok says so or deadline passes.
func (b *box) waitState(ctx context.Context, deadline time.Duration, ok func(boxState) bool) (boxState, error) {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var last boxState
	for {
		s, err := b.state(ctx)
		if err == nil {
			last = s
			if ok(s) {
				return s, nil
			}
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("waiting for the box's state: %w (last: %s)", ctx.Err(), last.Raw)
		case <-b.exited:
			return last, fmt.Errorf("the box ended; stderr:\n%s", b.stderr)
		case <-tick.C:
		}
	}
}

// keys sends remote keys through the control endpoint.
func (b *box) keys(ctx context.Context, names ...string) error {
	body, _ := json.Marshal(map[string][]string{"keys": names})
	req, _ := http.NewRequestWithContext(ctx, "POST", b.control+"/api/v1/keys", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("keys %v: %s", names, resp.Status)
	}
	return nil
}

// newGarbageServer answers every request with 200 and random bytes.
func newGarbageServer(t *testing.T) string {
	rng := rand.New(rand.NewPCG(5, 9))
	b := make([]byte, 8192)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
