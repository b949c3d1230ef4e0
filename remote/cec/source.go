package cec

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/manbang/manbang/remote"
)

// DefaultDevice is the first CEC adapter.
const DefaultDevice = "/dev/cec0"

// Adapter is a CEC adapter: the thin ioctl layer (Device) or a test's fake.
type Adapter interface {
	// Receive waits for the next message to the box; it fails once the
	// adapter is closed.
	Receive() (Message, error)
	// Transmit queues a message.
	Transmit(Message) error
	// Addresses returns the box's logical and physical addresses.
	Addresses() (logical uint8, physical uint16, err error)
	Close() error
}

// Config configures the CEC source.
type Config struct {
	// Keys maps UI command codes to remote keys (keymap.Resolve with
	// CommandCode).
	Keys map[byte]remote.Key
	// HoldTimeout: a TV repeats User Control Pressed while a button is
	// held and may lose the Released; a button not repeated for this
	// long is released (default 550 ms, as the kernel does).
	HoldTimeout time.Duration
	Logger      *slog.Logger
}

// Source reads the TV's remote from an adapter; it implements
// remote.Source and remote.HoldTimeouter. Events are from "cec". It owns
// the adapter: Run closes it when its context ends, and so does Close.
type Source struct {
	cfg Config
	log *slog.Logger
	a   Adapter

	mu     sync.Mutex
	active bool // the box is the active source
}

// NewSource returns a source reading a.
func NewSource(a Adapter, cfg Config) *Source {
	if cfg.HoldTimeout <= 0 {
		cfg.HoldTimeout = 550 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Source{cfg: cfg, log: cfg.Logger, a: a}
}

// HoldTimeout implements remote.HoldTimeouter.
func (s *Source) HoldTimeout() time.Duration { return s.cfg.HoldTimeout }

// Close releases the adapter.
func (s *Source) Close() error { return s.a.Close() }

// Run reads messages until ctx ends (then it closes the adapter) or the
// adapter fails.
func (s *Source) Run(ctx context.Context, emit func(remote.Event)) error {
	stop := context.AfterFunc(ctx, func() { s.a.Close() })
	defer stop()
	held, holding := byte(0), false
	release := func() {
		if holding {
			holding = false
			if k, ok := s.cfg.Keys[held]; ok {
				emit(remote.Event{Key: k, Action: remote.Release, Source: "cec", Time: time.Now()})
			}
		}
	}
	defer release()
	for {
		m, err := s.a.Receive()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		uc, ok, err := DecodeUserControl(m)
		if err != nil {
			s.log.Warn("cec: "+err.Error(), "from", m.Initiator())
			continue
		}
		if !ok {
			s.answer(m)
			continue
		}
		if !uc.Pressed {
			release()
			continue
		}
		action := remote.Press
		if holding && held == uc.Code {
			action = remote.Repeat
		} else {
			release()
		}
		held, holding = uc.Code, true
		k, ok := s.cfg.Keys[uc.Code]
		if !ok {
			s.log.Debug("cec: unmapped UI command", "command", CommandName(uc.Code))
			continue
		}
		emit(remote.Event{Key: k, Action: action, Source: "cec", Time: time.Now()})
	}
}

// answer replies to what a TV asks a playback device; a TV that gets no
// Menu Status passes no keys on.
func (s *Source) answer(m Message) {
	op, _ := m.Opcode()
	me, phys, err := s.a.Addresses()
	if err != nil || me == logAddrInvalid {
		return
	}
	direct := m.Destination() == me
	var reply Message
	switch {
	case op == OpGiveDevicePowerStatus && direct:
		reply = Message{header(me, m.Initiator()), OpReportPowerStatus, powerOn}
	case op == OpMenuRequest && direct:
		reply = Message{header(me, m.Initiator()), OpMenuStatus, menuActivated}
	case op == OpRequestActiveSource && s.isActive():
		reply = ActiveSource(me, phys)
	case op == OpSetStreamPath && len(m) >= 4 && uint16(m[2])<<8|uint16(m[3]) == phys:
		s.setActive(true)
		reply = ActiveSource(me, phys)
	case op == OpActiveSource && m.Initiator() != me:
		s.setActive(false)
	case op == OpStandby:
		s.setActive(false)
		s.log.Info("cec: the TV asks for standby", "from", m.Initiator())
	}
	if reply != nil {
		if err := s.a.Transmit(reply); err != nil {
			s.log.Warn("cec: reply", "err", err)
		}
	}
}

func (s *Source) isActive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

func (s *Source) setActive(a bool) {
	s.mu.Lock()
	s.active = a
	s.mu.Unlock()
}

// ErrNoAddress means the box has no logical address yet: the HDMI cable is
// out, or the TV did not answer.
var ErrNoAddress = errors.New("cec: no logical address claimed")

// OneTouchPlay switches the TV on and to the box: Image View On to the
// TV, then Active Source to all.
func (s *Source) OneTouchPlay() error {
	me, phys, err := s.a.Addresses()
	if err != nil {
		return err
	}
	if me == logAddrInvalid || phys == 0xffff {
		return ErrNoAddress
	}
	if err := s.a.Transmit(ImageViewOn(me)); err != nil {
		return fmt.Errorf("one touch play: %w", err)
	}
	if err := s.a.Transmit(ActiveSource(me, phys)); err != nil {
		return fmt.Errorf("one touch play: %w", err)
	}
	s.setActive(true)
	return nil
}

// Standby puts the TV in standby.
func (s *Source) Standby() error {
	me, _, err := s.a.Addresses()
	if err != nil {
		return err
	}
	if me == logAddrInvalid {
		return ErrNoAddress
	}
	if err := s.a.Transmit(Standby(me, AddrTV)); err != nil {
		return fmt.Errorf("standby: %w", err)
	}
	s.setActive(false)
	return nil
}
