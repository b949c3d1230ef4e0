// Package thumb makes the thumbnails of the viewer's videos for the media
// browser: one picture from about a tenth of the way in (past the black
// and the titles at the start), scaled to fit a box, as RGBA. It decodes
// with one thread on the caller's goroutine, which must not be the
// render loop's, and reads no more of the file than it must.
package thumb

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"time"

	"github.com/manbang/manbang/player/avcodec"
	"github.com/manbang/manbang/player/media"
)

// ErrNoVideo is returned for a file with no video stream to decode.
var ErrNoVideo = errors.New("thumb: no video stream")

// maxPackets bounds the packets read looking for a picture, so that a
// broken file cannot keep a thumbnail worker for long.
const maxPackets = 2000

// Video returns a picture of the video at path from about a tenth of its
// duration in (its start when the duration is unknown or seeking fails),
// scaled to fit maxW×maxH at its display aspect.
func Video(ctx context.Context, path string, maxW, maxH int) (*image.RGBA, error) {
	if maxW <= 0 || maxH <= 0 {
		return nil, fmt.Errorf("thumb: size %dx%d", maxW, maxH)
	}
	d, err := avcodec.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("thumb: %w", err)
	}
	defer d.Close()
	var vs *media.Stream
	for _, s := range d.Streams() {
		if s.Kind == media.KindVideo && s.Codec != "" {
			vs = &s
			break
		}
	}
	if vs == nil {
		return nil, fmt.Errorf("%w in %s", ErrNoVideo, path)
	}
	dec, err := avcodec.NewVideoDecoder(vs.Codec, avcodec.VideoOptions{Threads: 1, Params: d.Params(vs.PID)})
	if err != nil {
		return nil, fmt.Errorf("thumb: %s: %w", path, err)
	}
	defer dec.Close()
	at := d.Duration() / 10
	if at > 0 {
		if err := d.Seek(at); err != nil {
			at = 0
			d.Seek(0)
		}
	}
	f, err := firstFrame(ctx, d, dec, vs.PID, at)
	if err != nil {
		return nil, fmt.Errorf("thumb: %s: %w", path, err)
	}
	defer f.Release()
	if n, dd := d.SampleAspect(vs.PID); f.AspectNum <= 0 && n > 0 {
		f.AspectNum, f.AspectDen = n, dd
	}
	return Scale(f, maxW, maxH), nil
}

// firstFrame decodes until a picture at or past at (or the first one, if
// none comes past at before the file ends).
func firstFrame(ctx context.Context, d *avcodec.Demuxer, dec *avcodec.VideoDecoder, pid uint16, at time.Duration) (*media.VideoFrame, error) {
	var early *media.VideoFrame
	take := func(frames []*media.VideoFrame) *media.VideoFrame {
		var got *media.VideoFrame
		for _, f := range frames {
			switch {
			case got == nil && f.PTS >= at:
				got = f
			case got == nil && early == nil:
				early = f
			default:
				f.Release()
			}
		}
		return got
	}
	for i := 0; i < maxPackets; i++ {
		if err := ctx.Err(); err != nil {
			early.Release()
			return nil, err
		}
		p, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			early.Release()
			return nil, err
		}
		if p.Stream.PID != pid {
			continue
		}
		frames, err := dec.Decode(p)
		if f := take(frames); f != nil {
			early.Release()
			return f, nil
		}
		if err != nil && early == nil && i > 100 {
			return nil, err
		}
	}
	frames, _ := dec.Flush()
	if f := take(frames); f != nil {
		early.Release()
		return f, nil
	}
	if early != nil {
		return early, nil
	}
	return nil, errors.New("no picture decoded")
}
