package audio

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ebitengine/oto/v3"

	"github.com/manbang/manbang/player/media"
)

// DeviceRate is the sample rate the sound device is opened at; every stream
// is resampled to it, because oto allows one context per process.
const DeviceRate = 48000

const bytesPerSecond = DeviceRate * 2 * 2 // stereo, 16-bit

var (
	otoOnce sync.Once
	otoCtx  *oto.Context
	otoErr  error
	logOnce sync.Once
)

// openContext opens the process's one oto context. oto.NewContext can
// report success and close ready while the ALSA backend has failed (no sound
// card); the failure then shows only in Err, and a player would stall after
// its first buffer, so Err is checked here.
func openContext() (*oto.Context, error) {
	otoOnce.Do(func() {
		ctx, ready, err := oto.NewContext(&oto.NewContextOptions{
			SampleRate:   DeviceRate,
			ChannelCount: 2,
			Format:       oto.FormatSignedInt16LE,
			BufferSize:   50 * time.Millisecond,
		})
		if err != nil {
			otoErr = fmt.Errorf("audio: open device: %w", err)
			return
		}
		select {
		case <-ready:
		case <-time.After(3 * time.Second):
			otoErr = fmt.Errorf("audio: open device: no answer within 3s")
			return
		}
		if err := ctx.Err(); err != nil {
			otoErr = fmt.Errorf("audio: open device: %w", err)
			return
		}
		otoCtx = ctx
	})
	return otoCtx, otoErr
}

// Open returns a sink on the sound device, or, where no device opens, a
// silent sink; the fallback is logged once per process. A viewer's box never
// refuses to play for want of audio.
func Open(log *slog.Logger) Sink {
	d, err := OpenDevice()
	if err == nil {
		return d
	}
	logOnce.Do(func() {
		if log == nil {
			log = slog.Default()
		}
		log.Warn("no sound device; playing with a silent clock-driven sink", "err", err)
	})
	return NewSilent(nil)
}

// Device is a Sink on the sound device.
type Device struct {
	mu     sync.Mutex
	cond   *sync.Cond
	player *oto.Player
	res    *Resampler
	pcm    []byte // queued bytes not yet handed to oto
	marks  []mark // media time at byte offsets of the written stream
	// written and consumed count real audio bytes, excluding the silence
	// handed to oto while the queue was empty.
	written, consumed int64
	closed            bool
	scratch           []int16
}

type mark struct {
	offset int64
	pts    time.Duration
}

// OpenDevice opens the sound device.
func OpenDevice() (*Device, error) {
	ctx, err := openContext()
	if err != nil {
		return nil, err
	}
	d := &Device{res: NewResampler(DeviceRate)}
	d.cond = sync.NewCond(&d.mu)
	d.player = ctx.NewPlayer(deviceReader{d})
	d.player.Play()
	return d, nil
}

// Name implements Sink.
func (d *Device) Name() string { return "alsa" }

type deviceReader struct{ d *Device }

// Read hands queued audio to oto, or silence while the queue is empty, so
// that oto's player never sees EOF.
func (r deviceReader) Read(p []byte) (int, error) {
	d := r.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return 0, errClosed
	}
	n := copy(p, d.pcm)
	d.pcm = d.pcm[n:]
	d.consumed += int64(n)
	if n == 0 {
		clear(p)
		n = len(p)
	}
	d.cond.Broadcast()
	return n, nil
}

// Write implements Sink.
func (d *Device) Write(ctx context.Context, f *media.AudioFrame) error {
	d.scratch = d.res.Stereo(d.scratch[:0], f)
	buf := make([]byte, 2*len(d.scratch))
	for i, s := range d.scratch {
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(s))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.marks = append(d.marks, mark{offset: d.written, pts: f.PTS})
	d.pcm = append(d.pcm, buf...)
	d.written += int64(len(buf))
	limit := int64(bufferTarget) * bytesPerSecond / int64(time.Second)
	for !d.closed && int64(len(d.pcm)) > limit && ctx.Err() == nil {
		stop := context.AfterFunc(ctx, d.wake)
		d.cond.Wait()
		stop()
	}
	if d.closed {
		return errClosed
	}
	return ctx.Err()
}

// wake wakes a waiting Write, under the lock so that it cannot be lost
// between the Write's check of its context and its Wait (see Silent.wake).
func (d *Device) wake() {
	d.mu.Lock()
	d.cond.Broadcast()
	d.mu.Unlock()
}

// Position implements Sink.
func (d *Device) Position() (time.Duration, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.marks) == 0 {
		return 0, false
	}
	played := d.consumed - int64(d.player.BufferedSize())
	if played < d.marks[0].offset {
		return d.marks[0].pts, d.consumed > 0
	}
	i := len(d.marks) - 1
	for i > 0 && d.marks[i].offset > played {
		i--
	}
	d.marks = d.marks[i:] // what lies before is heard
	m := d.marks[0]
	return m.pts + time.Duration(played-m.offset)*time.Second/bytesPerSecond, true
}

// SetPaused implements Sink.
func (d *Device) SetPaused(p bool) {
	if p {
		d.player.Pause()
	} else {
		d.player.Play()
	}
}

// Flush implements Sink.
func (d *Device) Flush() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pcm, d.marks = nil, nil
	d.consumed, d.written = 0, 0
	d.cond.Broadcast()
}

// Close implements Sink.
func (d *Device) Close() error {
	d.mu.Lock()
	d.closed = true
	d.cond.Broadcast()
	d.mu.Unlock()
	return d.player.Close()
}
