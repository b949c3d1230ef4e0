package audio

import "github.com/manbang/manbang/player/media"

// Resampler converts interleaved 16-bit audio of any rate and of one or two
// channels to stereo at a fixed output rate by linear interpolation. It keeps
// its phase across frames, so consecutive frames join without clicks. Linear
// interpolation is enough for a TV speaker and costs almost nothing on a
// set-top CPU.
type Resampler struct {
	outRate int
	inRate  int
	pos     float64  // position of the next output sample, in input samples, relative to prev
	prev    [2]int16 // last input sample of the previous frame
	hasPrev bool
}

// NewResampler returns a resampler to outRate stereo.
func NewResampler(outRate int) *Resampler { return &Resampler{outRate: outRate} }

// Stereo converts f to interleaved stereo at the output rate, appending to dst.
func (r *Resampler) Stereo(dst []int16, f *media.AudioFrame) []int16 {
	if f.Channels <= 0 || f.SampleRate <= 0 {
		return dst
	}
	if f.SampleRate != r.inRate {
		r.inRate, r.pos, r.hasPrev = f.SampleRate, 0, false
	}
	n := len(f.Samples) / f.Channels
	at := func(i int) (int16, int16) {
		if i < 0 {
			return r.prev[0], r.prev[1]
		}
		s := f.Samples[i*f.Channels:]
		if f.Channels == 1 {
			return s[0], s[0]
		}
		return s[0], s[1]
	}
	if f.SampleRate == r.outRate {
		for i := 0; i < n; i++ {
			a, b := at(i)
			dst = append(dst, a, b)
		}
	} else {
		step := float64(f.SampleRate) / float64(r.outRate)
		start := -1.0
		if !r.hasPrev {
			start = 0
		}
		if r.pos < start {
			r.pos = start
		}
		for ; r.pos <= float64(n-1); r.pos += step {
			i := int(r.pos)
			if r.pos < 0 {
				i = -1
			}
			frac := r.pos - float64(i)
			a0, b0 := at(i)
			a1, b1 := at(i + 1)
			dst = append(dst, lerp(a0, a1, frac), lerp(b0, b1, frac))
		}
		r.pos -= float64(n)
	}
	if n > 0 {
		r.prev[0], r.prev[1] = at(n - 1)
		r.hasPrev = true
	}
	return dst
}

func lerp(a, b int16, t float64) int16 {
	return int16(float64(a) + (float64(b)-float64(a))*t)
}
