package live

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/player/demux"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/player/rtp"
)

// The tests play the engine's streams to the box's own receiver
// (package rtp) and demuxer (package demux): what a set-top box would do.

// quiet is the engines' logger in tests.
var quiet = slog.New(slog.DiscardHandler)

// waitLimit bounds every wait of the tests for something to happen.
const waitLimit = 30 * time.Second

// seen is one demuxed packet, without its data.
type seen struct {
	kind          media.Kind
	pts           time.Duration
	keyframe      bool
	discontinuity bool
	at            time.Time // when the demuxer returned it
}

// watcher demuxes a stream on a goroutine and keeps what it saw.
type watcher struct {
	changed chan struct{}
	done    chan struct{}

	mu    sync.Mutex
	pkts  []seen
	stats demux.Stats
	err   error
}

// watch demuxes r until it fails (it is closed).
func watch(t *testing.T, r io.Reader) *watcher {
	w := &watcher{changed: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		d := demux.NewTS(context.Background(), r)
		for {
			p, err := d.Next()
			w.mu.Lock()
			w.stats = d.Stats()
			if err != nil {
				w.err = err
			} else {
				w.pkts = append(w.pkts, seen{p.Stream.Kind, p.PTS, p.Keyframe, p.Discontinuity, time.Now()})
			}
			w.mu.Unlock()
			select {
			case w.changed <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	return w
}

// until waits for cond on what the watcher has seen.
func (w *watcher) until(t *testing.T, what string, cond func(pkts []seen, st demux.Stats) bool) {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		w.mu.Lock()
		ok, err, n := cond(w.pkts, w.stats), w.err, len(w.pkts)
		w.mu.Unlock()
		if ok {
			return
		}
		if err != nil {
			t.Fatalf("waiting for %s: demux ended after %d packets: %v", what, n, err)
		}
		select {
		case <-w.changed:
		case <-deadline:
			t.Fatalf("waiting for %s: not after %v (%d packets)", what, waitLimit, n)
		}
	}
}

// snapshot returns what the watcher has seen so far.
func (w *watcher) snapshot() ([]seen, demux.Stats) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]seen(nil), w.pkts...), w.stats
}

// videoSpan returns the PTS range of the video seen.
func videoSpan(pkts []seen) (first, last time.Duration, ok bool) {
	for _, p := range pkts {
		if p.kind != media.KindVideo {
			continue
		}
		if !ok {
			first, ok = p.pts, true
		}
		last = max(last, p.pts)
	}
	return first, last, ok
}

// box is a set-top box's receiver of one stream, and what it demuxed.
type box struct {
	rx *rtp.Receiver
	w  *watcher
}

// newBox opens an RTP receiver on a free loopback port and demuxes what
// it receives. Close runs at the end of the test.
func newBox(t *testing.T, cfg rtp.Config) *box {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = waitLimit
	}
	rx, err := rtp.Open(context.Background(), "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := &box{rx: rx, w: watch(t, rx)}
	t.Cleanup(func() {
		rx.Close()
		<-b.w.done
	})
	return b
}

func (b *box) addr() *net.UDPAddr { return b.rx.LocalAddr() }

// startEngine starts an engine on loopback with one channel of the test
// stream, and closes it at the end of the test.
func startEngine(t *testing.T, cfg Config, ch Channel) *Engine {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	if ch.Source == "" {
		ch.Source = testStream(t)
	}
	if ch.ID == "" {
		ch.ID = "ch1"
	}
	e := New(cfg)
	if err := e.AddChannel(ch); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// channelStats returns the statistics of the engine's only channel.
func channelStats(t *testing.T, e *Engine) ChannelStats {
	t.Helper()
	st := e.Stats()
	if len(st.Channels) != 1 {
		t.Fatalf("%d channels", len(st.Channels))
	}
	return st.Channels[0]
}

// waitEngine waits for cond on the engine's only channel.
func waitEngine(t *testing.T, e *Engine, what string, cond func(ChannelStats) bool) ChannelStats {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	tick := time.NewTicker(10 * time.Millisecond) // polling, not a timed assertion
	defer tick.Stop()
	for {
		st := channelStats(t, e)
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %+v", what, st)
		}
		<-tick.C
	}
}
