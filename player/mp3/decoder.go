// Package mp3 decodes MPEG-1/2 Layer III audio packets with the pure Go
// github.com/hajimehoshi/go-mp3, keeping its bit reservoir across packets.
package mp3

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/manbang/manbang/player/media"
)

// stallLimit is how long Decode and Flush wait for the decoding goroutine
// when it makes no progress. Decoding a frame takes well under a
// millisecond; this only bounds the damage if it ever gets stuck.
const stallLimit = time.Second

// maxDrift is how far a packet's PTS may stray from the running sample
// count before the clock re-anchors to it.
const maxDrift = time.Second

// ErrClosed is returned when a closed Decoder is used.
var ErrClosed = errors.New("mp3: decoder closed")

// Decoder turns MP3 packets into 16-bit stereo media.AudioFrames (mono
// sources come out with both channels equal) at the source's sample rate.
// It decodes on a goroutine of its own, started by the first Decode and
// ended by Close. A Decoder is safe for use by several goroutines, though
// packets must come in stream order.
type Decoder struct {
	mu       sync.Mutex
	w        *worker
	closed   bool
	next     time.Duration // PTS of the next sample out
	anchored bool          // next comes from a packet PTS
}

// NewDecoder returns a decoder; it starts nothing until the first Decode.
func NewDecoder() *Decoder { return &Decoder{} }

// Decode feeds one packet (any slice of the stream: whole frames, parts of
// frames or several frames) and returns the audio decoded so far: all of
// the complete frames fed until now. It waits for the decoding goroutine
// only while that makes progress; audio it has not finished comes with a
// later call. Corrupt input gives an error or no audio; the decoder then
// picks up again at the next frame header.
//
// Timestamps follow the first packet's PTS plus the samples emitted since,
// re-anchored when a packet has Discontinuity set (which also resets the
// decoder, as after a channel change) or when its PTS strays more than a
// second from that count.
func (d *Decoder) Decode(p *media.Packet) ([]*media.AudioFrame, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	if p == nil {
		return nil, nil
	}
	var frames []*media.AudioFrame
	var errs []error
	if p.Discontinuity && d.w != nil {
		frames, errs = d.collect(frames, errs, 0)
		d.w.stop()
		d.w = nil
	}
	if p.HasPTS {
		drift := p.PTS - d.next
		if !d.anchored || p.Discontinuity || drift > maxDrift || drift < -maxDrift {
			d.next, d.anchored = p.PTS, true
		}
	}
	if len(p.Data) == 0 {
		return frames, errors.Join(errs...)
	}
	if d.w == nil {
		d.w = startWorker()
	}
	if err := d.w.feed(p.Data); err != nil {
		errs = append(errs, fmt.Errorf("mp3: packet of %d bytes (pts %v) dropped: %w", len(p.Data), p.PTS, err))
	}
	frames, errs = d.collect(frames, errs, stallLimit)
	return frames, errors.Join(errs...)
}

// Flush waits for everything fed so far to be decoded, returns it, and
// resets the decoder so that the next packet starts a new stream, with a
// new clock.
func (d *Decoder) Flush() ([]*media.AudioFrame, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	if d.w == nil {
		return nil, nil
	}
	frames, errs := d.collect(nil, nil, stallLimit)
	d.w.stop()
	d.w = nil
	d.next, d.anchored = 0, false
	return frames, errors.Join(errs...)
}

// Close stops the decoding goroutine and waits for it to end. It may be
// called more than once.
func (d *Decoder) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w != nil {
		d.w.stop()
		d.w = nil
	}
	d.closed = true
	return nil
}

// collect waits for the worker to use its input (unless stall is 0), then
// turns the audio it made into frames stamped with the running clock.
func (d *Decoder) collect(frames []*media.AudioFrame, errs []error, stall time.Duration) ([]*media.AudioFrame, []error) {
	if stall > 0 {
		d.w.wait(stall)
	}
	chunks, err := d.w.take()
	if err != nil {
		errs = append(errs, err)
	}
	for _, c := range chunks {
		f := &media.AudioFrame{
			PTS:        d.next,
			SampleRate: c.rate,
			Channels:   2,
			Samples:    make([]int16, len(c.data)/2),
		}
		for i := range f.Samples {
			f.Samples[i] = int16(binary.LittleEndian.Uint16(c.data[2*i:]))
		}
		d.next += f.Duration()
		frames = append(frames, f)
	}
	return frames, errs
}
