package session

import (
	"context"
	"math"
	"sync/atomic"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/media"
)

// volumeSink scales the samples written to a sink by the viewer's volume,
// so the remote's volume keys work on every output.
type volumeSink struct {
	audio.Sink
	gain atomic.Uint32 // float32 bits
}

func newVolumeSink(s audio.Sink, volume int, muted bool) *volumeSink {
	v := &volumeSink{Sink: s}
	v.setVolume(volume, muted)
	return v
}

// setVolume sets the gain for a volume from 0 to 100: a curve that sounds
// even to the ear, silent when muted.
func (v *volumeSink) setVolume(volume int, muted bool) {
	g := float32(0)
	if !muted && volume > 0 {
		g = float32(math.Pow(float64(min(volume, 100))/100, 2))
	}
	v.gain.Store(math.Float32bits(g))
}

// Write scales f's samples in place and passes the frame on.
func (v *volumeSink) Write(ctx context.Context, f *media.AudioFrame) error {
	g := math.Float32frombits(v.gain.Load())
	if g < 1 {
		for i, s := range f.Samples {
			f.Samples[i] = int16(float32(s) * g)
		}
	}
	return v.Sink.Write(ctx, f)
}

// Position, SetPaused, Flush, Name and Close are the sink's.
var _ audio.Sink = (*volumeSink)(nil)
