package lirc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/manbang/manbang/remote"
)

// DefaultSocket is where Debian's lircd listens.
const DefaultSocket = "/var/run/lirc/lircd"

// releaseSuffix marks the release lines of a lircd started with --release.
const releaseSuffix = "_EVUP"

// Config configures the LIRC source.
type Config struct {
	// Socket is lircd's output socket (default DefaultSocket).
	Socket string
	// Keys maps button names to remote keys, keyed by lower-case
	// "remote:button" for one remote or "button" for any (see KeyName).
	Keys map[string]remote.Key
	// HoldTimeout: lircd sends no release, only repeats (about every
	// 110 ms); a button not repeated for this long is released (default
	// 250 ms).
	HoldTimeout time.Duration
	// Retry is the wait before reconnecting to a lircd that went away
	// (default 2 s).
	Retry  time.Duration
	Logger *slog.Logger
}

// Source reads button presses from lircd; it implements remote.Source and
// remote.HoldTimeouter. Events are from "lirc".
type Source struct {
	cfg Config
	log *slog.Logger
}

// New returns a source; Run does the work.
func New(cfg Config) *Source {
	if cfg.Socket == "" {
		cfg.Socket = DefaultSocket
	}
	if cfg.HoldTimeout <= 0 {
		cfg.HoldTimeout = 250 * time.Millisecond
	}
	if cfg.Retry <= 0 {
		cfg.Retry = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Source{cfg: cfg, log: cfg.Logger}
}

// KeyName is how a key map name reads as a Keys key: lower case, so that
// KEY_OK and key_ok are one.
func KeyName(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, " \t") {
		return "", fmt.Errorf("lirc: bad button name %q", name)
	}
	return strings.ToLower(name), nil
}

// HoldTimeout implements remote.HoldTimeouter.
func (s *Source) HoldTimeout() time.Duration { return s.cfg.HoldTimeout }

// Run reads from lircd until ctx ends, reconnecting when lircd restarts.
func (s *Source) Run(ctx context.Context, emit func(remote.Event)) error {
	down := false
	for {
		connected, err := s.session(ctx, emit, down)
		if ctx.Err() != nil {
			return nil
		}
		if connected || !down {
			s.log.Warn("lirc: lost lircd; retrying", "socket", s.cfg.Socket, "err", err, "every", s.cfg.Retry)
		}
		down = true
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(s.cfg.Retry):
		}
	}
}

// session reads one connection to lircd to its end. It reports whether it
// got connected.
func (s *Source) session(ctx context.Context, emit func(remote.Event), reconnect bool) (bool, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", s.cfg.Socket)
	if err != nil {
		return false, err
	}
	s.log.Info("lirc: connected to lircd", "socket", s.cfg.Socket, "again", reconnect)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer conn.Close()
	dec := NewDecoder(conn)
	for {
		m, err := dec.Next()
		switch {
		case errors.Is(err, io.EOF):
			return true, errors.New("lircd closed the connection")
		case errors.Is(err, ErrProtocol) || errors.Is(err, ErrBadLine):
			s.log.Warn("lirc: bad data from lircd", "err", err)
			continue
		case err != nil:
			return true, err
		case m.Reply != nil:
			if m.Reply.Command == "SIGHUP" {
				s.log.Info("lirc: lircd reread its configuration")
			}
			continue
		}
		s.button(*m.Button, emit)
	}
}

func (s *Source) button(b Button, emit func(remote.Event)) {
	name, action := b.Name, remote.Press
	if b.Repeat > 0 {
		action = remote.Repeat
	}
	if base, ok := strings.CutSuffix(name, releaseSuffix); ok {
		name, action = base, remote.Release
	}
	k, ok := s.cfg.Keys[strings.ToLower(b.Remote+":"+name)]
	if !ok {
		k, ok = s.cfg.Keys[strings.ToLower(name)]
	}
	if !ok {
		s.log.Debug("lirc: unmapped button", "button", name, "remote", b.Remote)
		return
	}
	emit(remote.Event{Key: k, Action: action, Source: "lirc", Time: time.Now()})
}
