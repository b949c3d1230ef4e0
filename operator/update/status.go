package update

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/manbang/manbang/operator/update/bootenv"
)

// The box's UI runs unprivileged and cannot write partitions or the boot
// environment, so it does not run the Agent itself: it asks the root
// update service for a check by writing a request file (a systemd path
// unit starts the service when it changes), and reads what the service
// did from a status file the service writes. See docs/IMAGE.md.

// States of the update service, in Status.State.
const (
	StateChecking    = "checking"    // asking the head-end
	StateDownloading = "downloading" // fetching the image
	StateWriting     = "writing"     // writing the other slot
	StateUpToDate    = "up-to-date"  // nothing newer
	StateInstalled   = "installed"   // a newer image boots next
	StateUnconfirmed = "unconfirmed" // the running slot is not confirmed yet (ErrUnconfirmed)
	StateFailed      = "failed"      // Error says why
)

// Status is what the update service is doing or did last.
type Status struct {
	State string `json:"state"`
	// Version is the version being installed or installed.
	Version string `json:"version,omitempty"`
	// Progress is how far the current state is, from 0 to 1, when known.
	Progress float64 `json:"progress,omitempty"`
	Error    string  `json:"error,omitempty"`
	// Request is the request this status answers (the request file's
	// content when the service began), so that the UI knows the answer
	// to its own request from an older one.
	Request string    `json:"request,omitempty"`
	Time    time.Time `json:"time"`
}

// Done reports whether the status is a result rather than work going on.
func (s Status) Done() bool {
	switch s.State {
	case StateUpToDate, StateInstalled, StateUnconfirmed, StateFailed:
		return true
	}
	return false
}

// maxStatusSize bounds a status file read back.
const maxStatusSize = 64 << 10

// WriteStatus replaces the status file atomically, readable by everyone.
func WriteStatus(path string, s Status) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("update: status: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("update: status: %w", err)
	}
	if err := bootenv.WriteFileAtomic(path, append(b, '\n')); err != nil {
		return fmt.Errorf("update: status: %w", err)
	}
	return os.Chmod(path, 0o644)
}

// ReadStatus reads the status file; a missing file is a zero Status and
// fs.ErrNotExist.
func ReadStatus(path string) (Status, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Status{}, fmt.Errorf("update: status: %w", err)
	}
	if len(b) > maxStatusSize {
		return Status{}, fmt.Errorf("update: status %s is too large", path)
	}
	var s Status
	if err := json.Unmarshal(b, &s); err != nil {
		return Status{}, fmt.Errorf("update: status %s: %w", path, err)
	}
	return s, nil
}

// maxRequest bounds what is read of a request file.
const maxRequest = 64

// requestID is the form of a request: what Requester writes, 16
// lowercase hex digits, and an optional final newline for a request
// written by hand (echo).
var requestID = regexp.MustCompile(`^[0-9a-f]{16}\n?$`)

// ErrNoRequest is returned by ReadRequest when there is no request file.
var ErrNoRequest = errors.New("update: no request")

// ReadRequest returns the ID of the newest request in the request file,
// which the unprivileged UI writes and the root service reads: ErrNoRequest
// when there is none. The file is taken only if it is a regular file
// (opened without following a link, and without waiting on a FIFO) owned
// by the user owner, at most a few bytes, and of the form Requester
// writes; anything else is an error that quotes none of its content.
func ReadRequest(path string, owner int) (string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrNoRequest
	}
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return "", fmt.Errorf("update: request %s is a symbolic link; refused", path)
		}
		return "", fmt.Errorf("update: request: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("update: request: %w", err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	switch {
	case !st.Mode().IsRegular():
		return "", fmt.Errorf("update: request %s is not a regular file (%s); refused", path, st.Mode().Type())
	case !ok || int(sys.Uid) != owner:
		return "", fmt.Errorf("update: request %s is not owned by the UI's user (uid %d); refused", path, owner)
	case st.Size() > maxRequest:
		return "", fmt.Errorf("update: request %s holds %d bytes, more than %d; refused", path, st.Size(), maxRequest)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxRequest+1))
	if err != nil {
		return "", fmt.Errorf("update: request: %w", err)
	}
	return ParseRequest(b)
}

// ParseRequest checks the bytes of a request file and returns its ID.
func ParseRequest(b []byte) (string, error) {
	if len(b) > maxRequest || !requestID.Match(b) {
		return "", fmt.Errorf("update: the request is not %d hex digits; refused", 16)
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// Requester asks the update service for a check and waits for its answer,
// through the request and status files: the UI's side of the service.
type Requester struct {
	// RequestPath is the file the service's path unit watches.
	RequestPath string
	// StatusPath is the file the service writes.
	StatusPath string
	// Poll is how often the status file is read while waiting; default
	// half a second.
	Poll time.Duration
	// Progress, if set, is told of each status read while the service
	// works.
	Progress func(Status)
}

// Update implements the UI's Updater: it requests a check and waits until
// the service answers it or ctx ends. It returns the version installed,
// "" when the box is up to date, or the service's error.
func (r Requester) Update(ctx context.Context) (string, error) {
	s, err := r.Request(ctx)
	if err != nil {
		return "", err
	}
	switch s.State {
	case StateInstalled:
		return s.Version, nil
	case StateUpToDate:
		return "", nil
	case StateUnconfirmed:
		return "", ErrUnconfirmed
	default:
		return "", fmt.Errorf("update: %s", s.Error)
	}
}

// UpdateProgress is Update telling progress of each status the service
// writes while it works: its state (StateDownloading, StateWriting) and
// the version.
func (r Requester) UpdateProgress(ctx context.Context, progress func(state, version string)) (string, error) {
	r.Progress = func(s Status) {
		if progress != nil && (s.State == StateDownloading || s.State == StateWriting) {
			progress(s.State, s.Version)
		}
	}
	return r.Update(ctx)
}

// Request writes a new request and waits for the status that answers it.
func (r Requester) Request(ctx context.Context) (Status, error) {
	id := make([]byte, 8)
	rand.Read(id)
	req := hex.EncodeToString(id)
	if err := os.MkdirAll(filepath.Dir(r.RequestPath), 0o755); err != nil {
		return Status{}, fmt.Errorf("update: request: %w", err)
	}
	if err := bootenv.WriteFileAtomic(r.RequestPath, []byte(req)); err != nil {
		return Status{}, fmt.Errorf("update: request: %w", err)
	}
	poll := r.Poll
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	var last Status
	for {
		s, err := ReadStatus(r.StatusPath)
		switch {
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			// A status being replaced is read again at the next tick.
		case s.Request == req && s.Done():
			return s, nil
		case s != last && !s.Done() && r.Progress != nil:
			r.Progress(s)
		}
		last = s
		select {
		case <-ctx.Done():
			return Status{}, fmt.Errorf("update: no answer from the update service: %w", ctx.Err())
		case <-t.C:
		}
	}
}
