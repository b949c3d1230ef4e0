package evdev

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/manbang/manbang/remote"
)

// Config configures the evdev source.
type Config struct {
	// Dir holds the device nodes, event* (default /dev/input).
	Dir string
	// Keys maps key codes to remote keys (keymap.Resolve with KeyCode).
	Keys map[uint16]remote.Key
	// Opener opens devices (default System{}, the real ioctls).
	Opener Opener
	// Accept picks the devices to take (default: IsRemote). Devices not
	// taken are left alone, and not grabbed.
	Accept func(path string, info Info) bool
	// Rescan is how often the directory is listed even when inotify says
	// nothing changed (default 5 s).
	Rescan time.Duration
	Logger *slog.Logger
}

// Source reads every remote under Dir; it implements remote.Source. Events
// are from "evdev:" and the device's path.
type Source struct {
	cfg Config
	log *slog.Logger
}

// New returns a source; Run does the work.
func New(cfg Config) *Source {
	if cfg.Dir == "" {
		cfg.Dir = "/dev/input"
	}
	if cfg.Opener == nil {
		cfg.Opener = System{}
	}
	if cfg.Accept == nil {
		cfg.Accept = func(_ string, info Info) bool { return IsRemote(info) }
	}
	if cfg.Rescan <= 0 {
		cfg.Rescan = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Source{cfg: cfg, log: cfg.Logger}
}

// identity tells a device node from a new one at the same path (replugged,
// or its permissions changed by udev).
type identity struct {
	dev, ino, rdev uint64
	mode, uid, gid uint32
}

func identify(fi os.FileInfo) identity {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return identity{}
	}
	return identity{uint64(st.Dev), uint64(st.Ino), uint64(st.Rdev), uint32(st.Mode), st.Uid, st.Gid}
}

type openDevice struct {
	id  identity
	dev Device
}

type ended struct {
	path string
	id   identity
	err  error
}

// Run takes the remotes under Dir until ctx ends, and those that appear
// later. A device that fails or goes away is let go; its held keys are
// released.
func (s *Source) Run(ctx context.Context, emit func(remote.Event)) error {
	var wg sync.WaitGroup
	open := map[string]openDevice{}
	skip := map[string]identity{} // not a remote, failed, or read to its end
	done := make(chan ended, 8)
	defer func() {
		for _, d := range open {
			d.dev.Close()
		}
		wg.Wait()
	}()

	changed := make(chan struct{}, 1)
	if stop, err := watchDir(s.cfg.Dir, changed); err != nil {
		s.log.Info("evdev: no inotify; rescanning periodically", "dir", s.cfg.Dir, "err", err, "every", s.cfg.Rescan)
	} else {
		defer stop()
	}
	tick := time.NewTicker(s.cfg.Rescan)
	defer tick.Stop()

	for {
		s.scan(ctx, open, skip, done, &wg, emit)
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-tick.C:
		case e := <-done:
			if d, ok := open[e.path]; ok && d.id == e.id {
				delete(open, e.path)
				skip[e.path] = e.id
				d.dev.Close()
				s.log.Info("evdev: device gone", "path", e.path, "err", e.err)
			}
		}
	}
}

func (s *Source) scan(ctx context.Context, open map[string]openDevice, skip map[string]identity, done chan<- ended, wg *sync.WaitGroup, emit func(remote.Event)) {
	entries, err := os.ReadDir(s.cfg.Dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Warn("evdev: list devices", "dir", s.cfg.Dir, "err", err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "event") {
			continue
		}
		path := filepath.Join(s.cfg.Dir, e.Name())
		fi, err := os.Stat(path)
		if err != nil {
			continue
		}
		seen[path] = true
		id := identify(fi)
		if d, ok := open[path]; ok {
			if d.id == id {
				continue
			}
			d.dev.Close() // replaced under us: its reader ends and reports
			delete(open, path)
		}
		if old, ok := skip[path]; ok && old == id {
			continue
		}
		delete(skip, path)
		dev, err := s.take(path)
		if err != nil {
			skip[path] = id
			s.log.Warn("evdev: "+err.Error(), "path", path)
			continue
		}
		if dev == nil {
			skip[path] = id
			continue
		}
		open[path] = openDevice{id, dev}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.read(dev, "evdev:"+path, emit)
			select {
			case done <- ended{path, id, err}:
			case <-ctx.Done():
			}
		}()
	}
	for path, d := range open {
		if !seen[path] {
			d.dev.Close()
			delete(open, path)
			s.log.Info("evdev: device removed", "path", path)
		}
	}
	for path := range skip {
		if !seen[path] {
			delete(skip, path)
		}
	}
}

// take opens the device at path and grabs it if it is a remote; it returns
// nil and no error for a device that is not.
func (s *Source) take(path string) (Device, error) {
	dev, err := s.cfg.Opener.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	info, err := dev.Info()
	if err != nil {
		dev.Close()
		return nil, fmt.Errorf("query: %w", err)
	}
	if !s.cfg.Accept(path, info) {
		dev.Close()
		return nil, nil
	}
	if err := dev.Grab(); err != nil {
		dev.Close()
		return nil, fmt.Errorf("grab %q: %w", info.Name, err)
	}
	s.log.Info("evdev: remote found", "path", path, "name", info.Name)
	return dev, nil
}

// read sends dev's key events until it fails or is closed, then releases
// the keys it holds.
func (s *Source) read(dev Device, source string, emit func(remote.Event)) error {
	held := map[remote.Key]bool{}
	releaseAll := func() {
		for k := range held {
			emit(remote.Event{Key: k, Action: remote.Release, Source: source, Time: time.Now()})
			delete(held, k)
		}
	}
	defer releaseAll()
	buf := make([]byte, 64*RecordSize)
	n := 0
	for {
		m, err := dev.Read(buf[n:])
		n += m
		p := buf[:n]
		for len(p) >= RecordSize {
			r, _ := ParseRecord(p)
			p = p[RecordSize:]
			switch {
			case r.Type == evKey:
				s.key(r, source, held, emit)
			case r.Type == evSyn && r.Code == synDropped:
				releaseAll() // the kernel lost events: start clean
			}
		}
		n = copy(buf, p)
		if err != nil {
			return err
		}
		if m == 0 {
			return errors.New("device returned no data")
		}
	}
}

func (s *Source) key(r Record, source string, held map[remote.Key]bool, emit func(remote.Event)) {
	k, ok := s.cfg.Keys[r.Code]
	if !ok {
		s.log.Debug("evdev: unmapped key", "source", source, "key", KeyName(r.Code), "value", r.Value)
		return
	}
	ev := remote.Event{Key: k, Source: source, Time: time.Now()}
	switch r.Value {
	case 0:
		if !held[k] {
			return
		}
		delete(held, k)
		ev.Action = remote.Release
	case 1:
		held[k] = true
		ev.Action = remote.Press
	case 2:
		held[k] = true
		ev.Action = remote.Repeat
	default:
		return
	}
	emit(ev)
}
