package evdev

import (
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
)

// BenchmarkEvdevToChannel measures input latency: from an input_event
// record written to a device to its event on the Hub's channel, through
// the record reader, the key map, the repeater and the merger. The target
// is under 5 ms; the p99 is reported as p99-ms.
func BenchmarkEvdevToChannel(b *testing.B) {
	dir := b.TempDir()
	w := fifo(b, dir, "event0")
	hub := remote.NewHub(remote.HubConfig{Logger: slog.New(slog.DiscardHandler)})
	defer hub.Close()
	hub.Add("evdev", New(Config{Dir: dir, Keys: testKeys, Opener: &fileOpener{}, Logger: slog.New(slog.DiscardHandler)}))
	source := "evdev:" + filepath.Join(dir, "event0")
	press, release := records(0x160, 1), records(0x160, 0)
	wait := func(action remote.Action) time.Duration {
		start := time.Now()
		b := press
		if action == remote.Release {
			b = release
		}
		if _, err := w.Write(b); err != nil {
			panic(err)
		}
		for {
			select {
			case ev := <-hub.Events():
				if ev.Action == action && ev.Source == source {
					return time.Since(start)
				}
			case <-time.After(5 * time.Second):
				panic("no event from the hub within 5 s")
			}
		}
	}
	wait(remote.Press) // the device is found
	wait(remote.Release)
	lat := make([]time.Duration, 0, 2*b.N)
	b.ResetTimer()
	for range b.N {
		lat = append(lat, wait(remote.Press), wait(remote.Release))
	}
	b.StopTimer()
	slices.Sort(lat)
	p99 := lat[len(lat)*99/100]
	b.ReportMetric(float64(p99)/float64(time.Millisecond), "p99-ms")
	if p99 > 5*time.Millisecond {
		b.Errorf("p99 input latency %v; the target is under 5 ms", p99)
	}
}
