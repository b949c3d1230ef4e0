// Package rig runs the real binaries for the suites under build/ (the
// fault suite, the walk-through): a manbang-headend process, and a
// manbang box process driven only through its control endpoint, as a
// viewer's remote would drive it: keys in, state JSON and screenshots out.
package rig

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"syscall"
)

// HeadendConfig says how to start a head-end.
type HeadendConfig struct {
	Bin  string   // path of the manbang-headend binary
	Args []string // its command line (--demo, --addr, --data...)
	// Lines, if set, gets every line the head-end writes to stderr (the
	// demo's progress while ffmpeg makes it, then its log).
	Lines func(line string)
}

// Headend is a manbang-headend process.
type Headend struct {
	URL    string // where it serves, http://HOST:PORT
	cmd    *exec.Cmd
	exited chan struct{}
}

var servingLine = regexp.MustCompile(`serving .* on (http://\S+)`)

// StartHeadend starts the head-end and waits until it serves (the first
// start of a demo makes its media with ffmpeg: a minute or more), or ctx
// ends, or the process does.
func StartHeadend(ctx context.Context, cfg HeadendConfig) (*Headend, error) {
	cmd := exec.Command(cfg.Bin, cfg.Args...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cfg.Bin, err)
	}
	h := &Headend{cmd: cmd, exited: make(chan struct{})}
	go func() {
		cmd.Wait()
		pw.Close()
		close(h.exited)
	}()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if cfg.Lines != nil {
				cfg.Lines(sc.Text())
			}
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pr) // a line too long for the scanner must not block the head-end
	}()
	select {
	case h.URL = <-found:
		return h, nil
	case <-h.exited:
		return nil, fmt.Errorf("manbang-headend ended before serving (%v)", cmd.ProcessState)
	case <-ctx.Done():
		h.Kill()
		return nil, fmt.Errorf("manbang-headend did not serve: %w", ctx.Err())
	}
}

// Kill ends the head-end with SIGKILL, as a crash would, and waits for
// it; killing an ended head-end does nothing.
func (h *Headend) Kill() {
	select {
	case <-h.exited:
		return
	default:
	}
	h.cmd.Process.Signal(syscall.SIGKILL)
	<-h.exited
}

// Exited is closed when the head-end process has ended.
func (h *Headend) Exited() <-chan struct{} { return h.exited }
