package update_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/manbang/manbang/operator/update"
)

// fakeService answers requests as the root update service does: it waits
// for the request file, writes progress, then the result for the request.
func fakeService(t *testing.T, req, status string, result update.Status) {
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	read := func() string {
		id, _ := update.ReadRequest(req, os.Getuid())
		return id
	}
	for read() == "" {
		if time.Now().After(deadline) {
			t.Error("no request written")
			return
		}
		<-tick.C
	}
	// An answer to an older request must not be taken for this one.
	old := result
	old.Request = "older"
	update.WriteStatus(status, old)
	update.WriteStatus(status, update.Status{State: update.StateDownloading, Version: "2.0"})
	<-tick.C
	update.WriteStatus(status, update.Status{State: update.StateWriting, Version: "2.0"})
	<-tick.C
	result.Request = read()
	update.WriteStatus(status, result)
}

func TestRequester(t *testing.T) {
	cases := []struct {
		name    string
		result  update.Status
		version string
		err     error
	}{
		{"installed", update.Status{State: update.StateInstalled, Version: "2.0"}, "2.0", nil},
		{"up to date", update.Status{State: update.StateUpToDate, Version: "1.0"}, "", nil},
		{"unconfirmed", update.Status{State: update.StateUnconfirmed}, "", update.ErrUnconfirmed},
		{"failed", update.Status{State: update.StateFailed, Error: "hash mismatch"}, "", errors.New("update: hash mismatch")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			r := update.Requester{RequestPath: filepath.Join(dir, "run", "request"), StatusPath: filepath.Join(dir, "status", "status.json"), Poll: time.Millisecond}
			done := make(chan struct{})
			go func() {
				defer close(done)
				fakeService(t, r.RequestPath, r.StatusPath, c.result)
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var states []string
			v, err := r.UpdateProgress(ctx, func(state, version string) {
				if len(states) == 0 || states[len(states)-1] != state {
					states = append(states, state)
				}
			})
			<-done
			if v != c.version || (err == nil) != (c.err == nil) || (err != nil && err.Error() != c.err.Error()) {
				t.Fatalf("got %q, %v; want %q, %v", v, err, c.version, c.err)
			}
			if c.err == update.ErrUnconfirmed && !errors.Is(err, update.ErrUnconfirmed) {
				t.Errorf("%v is not ErrUnconfirmed", err)
			}
			// Polling may miss a short state; it must never see one out of order.
			for i, s := range states {
				if (s != update.StateDownloading && s != update.StateWriting) || (i > 0 && s == update.StateDownloading) {
					t.Errorf("progress %v", states)
				}
			}
		})
	}
}

// Without a service, the request waits until the context ends.
func TestRequesterNoService(t *testing.T) {
	dir := t.TempDir()
	r := update.Requester{RequestPath: filepath.Join(dir, "request"), StatusPath: filepath.Join(dir, "status.json"), Poll: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Update(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
}

func TestStatusFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "status.json")
	if _, err := update.ReadStatus(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	want := update.Status{State: update.StateInstalled, Version: "2.0", Request: "abc", Time: time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)}
	if err := update.WriteStatus(p, want); err != nil {
		t.Fatal(err)
	}
	got, err := update.ReadStatus(p)
	if err != nil || got != want {
		t.Errorf("read back %+v, %v", got, err)
	}
	if info, _ := os.Stat(p); info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v: the UI, another user, must read it", info.Mode().Perm())
	}
	for _, bad := range []string{"{", "[]", string(make([]byte, 70<<10))} {
		os.WriteFile(p, []byte(bad), 0o644)
		if _, err := update.ReadStatus(p); err == nil {
			t.Errorf("%.10q read as a status", bad)
		}
	}
}
