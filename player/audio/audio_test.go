package audio

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/player/media"
)

// fakeTime is a manual clock for the silent sink.
type fakeTime struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeTime) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeTime) advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func tone(pts time.Duration, rate, channels int, d time.Duration) *media.AudioFrame {
	n := int(d * time.Duration(rate) / time.Second)
	s := make([]int16, n*channels)
	for i := 0; i < n; i++ {
		v := int16(10000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
		for c := 0; c < channels; c++ {
			s[i*channels+c] = v
		}
	}
	return &media.AudioFrame{PTS: pts, SampleRate: rate, Channels: channels, Samples: s}
}

func TestSilentPositionFollowsTime(t *testing.T) {
	ft := &fakeTime{t: time.Unix(0, 0)}
	s := NewSilent(ft.now)
	ctx := context.Background()
	if _, ok := s.Position(); ok {
		t.Fatal("position valid before any audio")
	}
	// 100 ms of audio starting at 5 s: under the buffer target, so no block.
	if err := s.Write(ctx, tone(5*time.Second, 48000, 2, 100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		advance time.Duration
		want    time.Duration
	}{
		{0, 5 * time.Second},
		{40 * time.Millisecond, 5040 * time.Millisecond},
		// Past the written end the clock stops: an underrun, not a runaway.
		{time.Second, 5100 * time.Millisecond},
	}
	for _, c := range cases {
		ft.advance(c.advance)
		if got, _ := s.Position(); got != c.want {
			t.Errorf("after +%v: position %v, want %v", c.advance, got, c.want)
		}
	}
	// After the underrun, new audio restarts the clock at its own PTS.
	if err := s.Write(ctx, tone(5100*time.Millisecond, 48000, 2, 100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	ft.advance(10 * time.Millisecond)
	if got, _ := s.Position(); got != 5110*time.Millisecond {
		t.Errorf("after underrun: position %v, want 5.11s", got)
	}
	s.SetPaused(true)
	ft.advance(time.Second)
	if got, _ := s.Position(); got != 5110*time.Millisecond {
		t.Errorf("paused: position %v, want 5.11s", got)
	}
}

func TestSilentWriteBlocksUntilCancelled(t *testing.T) {
	ft := &fakeTime{t: time.Unix(0, 0)} // time never advances: the buffer never drains
	s := NewSilent(ft.now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Write(ctx, tone(0, 48000, 2, time.Second)) }()
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Fatalf("Write after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Write did not return after its context ended")
	}
	go func() { done <- s.Write(context.Background(), tone(time.Second, 48000, 2, time.Second)) }()
	s.Close()
	select {
	case err := <-done:
		if err != errClosed {
			t.Fatalf("Write after Close = %v, want errClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Write did not return after Close")
	}
}

func TestResampler(t *testing.T) {
	cases := []struct {
		name     string
		rate     int
		channels int
	}{
		{"48k stereo passes through", 48000, 2},
		{"44.1k stereo", 44100, 2},
		{"22.05k mono", 22050, 1},
		{"32k stereo", 32000, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewResampler(48000)
			var out []int16
			// Ten 100 ms frames must come out as one second at 48 kHz stereo.
			for i := 0; i < 10; i++ {
				out = r.Stereo(out, tone(time.Duration(i)*100*time.Millisecond, c.rate, c.channels, 100*time.Millisecond))
			}
			frames := len(out) / 2
			if frames < 48000-2 || frames > 48000+2 {
				t.Fatalf("got %d output frames, want 48000±2", frames)
			}
			// The 440 Hz tone survives: count rising zero crossings of the left channel.
			crossings := 0
			for i := 1; i < frames; i++ {
				if out[2*(i-1)] < 0 && out[2*i] >= 0 {
					crossings++
				}
			}
			if crossings < 436 || crossings > 444 {
				t.Fatalf("tone has %d cycles per second, want 440±4", crossings)
			}
		})
	}
}

func TestOpenFallsBackToSilent(t *testing.T) {
	s := Open(nil)
	defer s.Close()
	if _, err := OpenDevice(); err != nil && s.Name() != "silent" {
		t.Fatalf("no device (%v) but Open returned %q", err, s.Name())
	}
}

// A Write waiting for the buffer to drain wakes however short its wait: a
// timer that fires before the writer is waiting must not be lost, or the
// audio, and the clock with it, freezes for good. The clock stands still
// for a while, so the writer waits again and again for one sample's time;
// once the clock moves on, the Write must return.
func TestSilentWriteShortWaits(t *testing.T) {
	ft := &fakeTime{t: time.Unix(0, 0)}
	s := NewSilent(ft.now)
	if err := s.Write(context.Background(), tone(0, 48000, 2, bufferTarget)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	one := &media.AudioFrame{PTS: bufferTarget, SampleRate: 48000, Channels: 2, Samples: make([]int16, 2)}
	go func() { done <- s.Write(context.Background(), one) }()
	spin := time.NewTimer(300 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Write returned (%v) before the clock moved", err)
	case <-spin.C:
	}
	ft.advance(time.Second)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Write still waits after the clock moved: a wake-up was lost")
	}
}
