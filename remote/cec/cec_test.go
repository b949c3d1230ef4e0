package cec

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
)

func msg(s string) Message {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return Message(b)
}

func TestDecodeUserControl(t *testing.T) {
	// Messages as cec-ctl --monitor-all shows them from a TV (0) to a
	// playback device (4).
	for _, c := range []struct {
		hex  string
		want UserControl
		ok   bool
		err  bool
	}{
		{"04 44 00", UserControl{Pressed: true, Code: 0x00, From: 0}, true, false},
		{"04 44 71", UserControl{Pressed: true, Code: 0x71, From: 0}, true, false},
		{"04 44 60 01", UserControl{Pressed: true, Code: 0x60, From: 0}, true, false}, // play function, play mode
		{"04 45", UserControl{From: 0}, true, false},
		{"54 44 2a", UserControl{Pressed: true, Code: 0x2a, From: 5}, true, false},
		{"04 44", UserControl{}, false, true},
		{"04 8f", UserControl{}, false, false},
		{"04", UserControl{}, false, false}, // a poll
	} {
		got, ok, err := DecodeUserControl(msg(c.hex))
		if got != c.want || ok != c.ok || (err != nil) != c.err {
			t.Errorf("%s: %+v, %v, %v; want %+v, %v, error %v", c.hex, got, ok, err, c.want, c.ok, c.err)
		}
	}
	if _, err := ParseMessage(nil); !errors.Is(err, ErrMessage) {
		t.Error("ParseMessage(nil) succeeded")
	}
	if _, err := ParseMessage(make([]byte, 17)); !errors.Is(err, ErrMessage) {
		t.Error("ParseMessage of 17 bytes succeeded")
	}
}

func TestCommandNames(t *testing.T) {
	for _, c := range []struct {
		name string
		code byte
		ok   bool
	}{
		{"select", 0x00, true}, {"UP", 0x01, true}, {"device-root-menu", 0x09, true}, {"back", 0x0d, true},
		{"number-0-or-number-10", 0x20, true}, {"number_9", 0x29, true}, {"channel-up", 0x30, true},
		{"previous-channel", 0x32, true}, {"display-information", 0x35, true}, {"mute", 0x43, true},
		{"fast-forward", 0x49, true}, {"f1-blue", 0x71, true}, {"f4-yellow", 0x74, true},
		{"0x44", 0x44, true}, {"0x100", 0, false}, {"launch", 0, false},
	} {
		code, err := CommandCode(c.name)
		if (err == nil) != c.ok || code != c.code {
			t.Errorf("CommandCode(%q) = %#x, %v", c.name, code, err)
		}
	}
	if CommandName(0x72) != "f2-red" || CommandName(0xee) != "0xee" {
		t.Errorf("CommandName: %q %q", CommandName(0x72), CommandName(0xee))
	}
}

func TestKernelStructs(t *testing.T) {
	b := marshalMsg(kernelMsg{msg: msg("40 04"), timeout: 1000, sequence: 7})
	if binary.LittleEndian.Uint32(b[16:]) != 2 || binary.LittleEndian.Uint32(b[20:]) != 1000 ||
		binary.LittleEndian.Uint32(b[24:]) != 7 || b[32] != 0x40 || b[33] != 0x04 {
		t.Errorf("struct cec_msg layout wrong: % x", b)
	}
	// A received message as the kernel fills it: rx_ts, len 3, msg, rx_status OK.
	var in [msgSize]byte
	binary.LittleEndian.PutUint64(in[8:], 123456789)
	binary.LittleEndian.PutUint32(in[16:], 3)
	copy(in[32:], []byte{0x04, 0x44, 0x01})
	in[49] = 1
	m, err := unmarshalMsg(&in)
	if err != nil || !bytes.Equal(m.msg, []byte{0x04, 0x44, 0x01}) || m.rxStatus != 1 || m.txStatus != 0 {
		t.Errorf("unmarshal: %+v, %v", m, err)
	}
	binary.LittleEndian.PutUint32(in[16:], 17)
	if _, err := unmarshalMsg(&in); err == nil {
		t.Error("length 17 accepted")
	}
	la := playbackLogAddrs("Manbang set-top box")
	if la[7] != 1 || la[6] != 5 || string(bytes.TrimRight(la[16:31], "\x00")) != "Manbang set-to" ||
		la[30] != 0 || la[31] != 4 || la[35] != 3 || la[39] != 0x10 || binary.LittleEndian.Uint32(la[8:]) != 0xffffffff {
		t.Errorf("struct cec_log_addrs layout wrong: % x", la)
	}
}

// fakeAdapter replays recorded messages and records what is sent.
type fakeAdapter struct {
	in      chan Message
	closed  chan struct{}
	once    sync.Once
	mu      sync.Mutex
	sent    []string
	logical uint8
	phys    uint16
}

func newFakeAdapter() *fakeAdapter {
	return &fakeAdapter{in: make(chan Message), closed: make(chan struct{}), logical: 4, phys: 0x1000}
}

func (f *fakeAdapter) Receive() (Message, error) {
	select {
	case m := <-f.in:
		return m, nil
	case <-f.closed:
		return nil, errors.New("closed")
	}
}

func (f *fakeAdapter) Transmit(m Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, m.String())
	return nil
}

func (f *fakeAdapter) Addresses() (uint8, uint16, error) { return f.logical, f.phys, nil }
func (f *fakeAdapter) Close() error {
	f.once.Do(func() { close(f.closed) })
	return nil
}

func (f *fakeAdapter) takeSent() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := strings.Join(f.sent, " | ")
	f.sent = nil
	return s
}

var testKeys = map[byte]remote.Key{0x00: remote.KeyOK, 0x01: remote.KeyUp, 0x71: remote.KeyBlue, 0x0d: remote.KeyBack}

func TestSource(t *testing.T) {
	a := newFakeAdapter()
	src := NewSource(a, Config{Keys: testKeys, Logger: slog.New(slog.DiscardHandler)})
	events := make(chan remote.Event, 32)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, func(ev remote.Event) { events <- ev }) }()

	// Each recorded message, and what the source makes of it: the events
	// and the replies it sends.
	steps := []struct {
		in, events, sent string
	}{
		{"04 44 00", "ok press", ""},
		{"04 44 00", "ok repeat", ""}, // the TV repeats while the button is held
		{"04 45", "ok release", ""},
		{"04 45", "", ""}, // a second release: nothing
		{"04 44 01", "up press", ""},
		{"04 44 71", "up release, blue press", ""}, // another button without a release
		{"04 44 55", "blue release", ""},           // unmapped: releases what was held, says nothing
		{"04 45", "", ""},
		{"04 44", "", ""}, // malformed: ignored
		{"04 8f", "", "40 90 00"},
		{"04 8d 02", "", "40 8e 00"},
		{"0f 85", "", ""},                  // not the active source: no answer
		{"0f 86 10 00", "", "4f 82 10 00"}, // the TV switches to the box
		{"0f 85", "", "4f 82 10 00"},
		{"0f 82 20 00", "", ""},
		{"0f 85", "", ""},
		{"05 8f", "", ""}, // to another device
		{"04 44 0d", "back press", ""},
	}
	for _, s := range steps {
		a.in <- msg(s.in)
		var got []string
		for range strings.Count(s.events, ",") + btoi(s.events != "") {
			select {
			case ev := <-events:
				if ev.Source != "cec" {
					t.Errorf("source %q", ev.Source)
				}
				got = append(got, fmt.Sprintf("%v %v", ev.Key, ev.Action))
			case <-time.After(2 * time.Second):
				t.Fatalf("%s: no event", s.in)
			}
		}
		// The next message is taken only once this one is handled, so the
		// replies to this one have been sent by then.
		a.in <- msg("04")
		if g := strings.Join(got, ", "); g != s.events {
			t.Errorf("%s: events %q; want %q", s.in, g, s.events)
		}
		if sent := a.takeSent(); sent != s.sent {
			t.Errorf("%s: sent %q; want %q", s.in, sent, s.sent)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	select {
	case ev := <-events:
		if ev.Key != remote.KeyBack || ev.Action != remote.Release {
			t.Errorf("at the end: %v %v; want back released", ev.Key, ev.Action)
		}
	default:
		t.Error("the key held at the end was not released")
	}
	select {
	case <-a.closed:
	default:
		t.Error("Run did not close the adapter")
	}
	if src.HoldTimeout() != 550*time.Millisecond {
		t.Errorf("hold timeout %v", src.HoldTimeout())
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestOneTouchPlayAndStandby(t *testing.T) {
	a := newFakeAdapter()
	src := NewSource(a, Config{})
	if err := src.OneTouchPlay(); err != nil {
		t.Fatal(err)
	}
	if s := a.takeSent(); s != "40 04 | 4f 82 10 00" {
		t.Errorf("One Touch Play sent %q", s)
	}
	if err := src.Standby(); err != nil || a.takeSent() != "40 36" {
		t.Errorf("Standby: %v", err)
	}
	a.logical = logAddrInvalid
	if err := src.OneTouchPlay(); !errors.Is(err, ErrNoAddress) {
		t.Errorf("One Touch Play without an address: %v", err)
	}
	if FormatPhysical(0x1200) != "1.2.0.0" {
		t.Error(FormatPhysical(0x1200))
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"04 44 00", "04 45", "04 44", "04", "0f 86 10 00", "04 8f"} {
		f.Add([]byte(msg(s)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		uc, ok, err := DecodeUserControl(m)
		op, hasOp := m.Opcode()
		if ok && (!hasOp || (op != OpUserControlPressed && op != OpUserControlReleased) || uc.From != m.Initiator()) {
			t.Fatalf("%v decoded as %+v", m, uc)
		}
		if err != nil && ok {
			t.Fatalf("%v: both an error and a decode", m)
		}
		_ = m.Operands()
		_ = m.Destination()
		var k [msgSize]byte
		copy(k[:], b)
		if km, err := unmarshalMsg(&k); err == nil && len(km.msg) > maxMsg {
			t.Fatalf("kernel message of %d bytes", len(km.msg))
		}
	})
}
