package session

import (
	"context"
	"testing"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/media"
)

// recordSink records what reaches the sound output.
type recordSink struct {
	audio.Sink
	got []int16
}

func (r *recordSink) Write(_ context.Context, f *media.AudioFrame) error {
	r.got = append(r.got, f.Samples...)
	return nil
}

func TestVolumeSink(t *testing.T) {
	cases := []struct {
		volume int
		muted  bool
		want   int16
	}{
		{100, false, 10000},
		{50, false, 2500},
		{0, false, 0},
		{100, true, 0},
	}
	for _, c := range cases {
		rec := &recordSink{}
		v := newVolumeSink(rec, c.volume, c.muted)
		v.Write(context.Background(), &media.AudioFrame{Samples: []int16{10000, -10000}, Channels: 2, SampleRate: 48000})
		if rec.got[0] != c.want || rec.got[1] != -c.want {
			t.Errorf("volume %d muted %v: samples %v, want ±%d", c.volume, c.muted, rec.got, c.want)
		}
	}
}
