package demux

import "time"

const (
	// tsWrap is where 33-bit PTS/DTS values wrap around.
	tsWrap = int64(1) << 33
	// clockRate is the MPEG system clock rate of PTS and DTS.
	clockRate = 90000
)

// unwrapper maps 33-bit timestamps onto a monotonic 64-bit timeline. Each
// value is placed in the wrap period that puts it closest to the previous
// one, so a stream crossing 2^33 (every ~26.5 hours) keeps counting up
// while small backward steps (B-frame PTS, audio/video interleaving) stay
// small. One unwrapper serves all streams of a program, keeping them on the
// same timeline.
type unwrapper struct {
	last  int64
	valid bool
}

// unwrap returns raw (a 33-bit value) on the unwrapped timeline.
func (u *unwrapper) unwrap(raw int64) int64 {
	raw &= tsWrap - 1
	if !u.valid {
		u.last, u.valid = raw, true
		return raw
	}
	v := raw + (u.last/tsWrap)*tsWrap
	switch {
	case v-u.last > tsWrap/2 && v >= tsWrap:
		v -= tsWrap
	case u.last-v > tsWrap/2:
		v += tsWrap
	}
	u.last = v
	return v
}

// ticksToDuration converts 90 kHz ticks to a time.Duration without
// overflowing for unwrapped values far beyond 2^33.
func ticksToDuration(t int64) time.Duration {
	return time.Duration(t/clockRate)*time.Second + time.Duration(t%clockRate)*time.Second/clockRate
}
