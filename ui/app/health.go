package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// notify tells the service manager that the UI is up, after its first
// frame.
func (a *App) notify(now time.Time) {
	if n := a.cfg.Notifier; n != nil && a.frames == 1 {
		a.notified(n.Ready())
	}
	a.pet(now)
}

// pet pets the service manager's watchdog from the loop (the Notifier
// sends at most every few seconds, and never waits); Wake brings the loop
// round in time even when nothing else happens. A frozen loop stops
// petting it, and the service manager restarts the UI.
func (a *App) pet(now time.Time) {
	n := a.cfg.Notifier
	if n == nil {
		return
	}
	a.petted = now
	a.notified(n.Watchdog(now))
}

// notified logs the first notification that failed: the socket is the
// same every time.
func (a *App) notified(err error) {
	if err != nil && !a.notifyErr {
		a.notifyErr = true
		a.log.Warn("service manager notification", "err", err)
	}
}

// checkHealthy writes the healthy marker once Home was shown with its
// rows and a video frame was presented in this run, in either order: the
// box then works as far as a viewer can tell, and the update service may
// confirm the slot it booted.
func (a *App) checkHealthy() {
	if a.healthy || a.cfg.HealthyMarker == "" || len(a.stack) == 0 {
		return
	}
	if a.home != nil && a.top() == a.home && a.cat != nil {
		a.sawHome = true
	}
	if !a.sawHome || !a.sawFrame {
		return
	}
	a.healthy = true
	path, at := a.cfg.HealthyMarker, a.now()
	a.goPost(func(context.Context) {
		if err := writeMarker(path, fmt.Sprintf("healthy %s\n", at.UTC().Format(time.RFC3339))); err != nil {
			a.log.Warn("healthy marker", "err", err)
			return
		}
		a.log.Info("healthy: Home shown and a frame played", "marker", path)
	})
}

// writeMarker writes a small file whole: a watcher never sees half of it.
func writeMarker(path, content string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
