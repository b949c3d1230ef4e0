package avcodec

/*
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"

	"github.com/manbang/manbang/player/media"
)

// maxAudioSamples bounds the sample frames one decoded audio frame may hold
// (AC-3 has 1536, AAC 1024; this leaves room for odd decoders).
const maxAudioSamples = 1 << 16

// AudioDecoder turns compressed audio packets into interleaved signed 16-bit
// media.AudioFrames at the source's sample rate: mono stays mono, anything
// with more channels is mixed down to stereo.
type AudioDecoder struct {
	mu    sync.Mutex
	ctx   *C.AVCodecContext
	pkt   *C.AVPacket
	frame *C.AVFrame
	swr   *C.SwrContext
	out   unsafe.Pointer // C buffer for swresample output
	outN  int            // its size in bytes
	name  string
	next  time.Duration // PTS given to a frame that has none

	// What swr was set up for.
	inFormat, inRate, inChannels C.int
	inLayout                     C.AVChannelLayout
}

// AudioOptions configures an AudioDecoder.
type AudioOptions struct {
	// Params are the stream's codec parameters from a container Demuxer
	// (AAC's AudioSpecificConfig in MP4, Vorbis headers in Matroska);
	// nil for streams that carry them in-band, as in MPEG-TS.
	Params *CodecParams
}

// NewAudioDecoder opens FFmpeg's decoder called codec: media.CodecAAC,
// media.CodecMP2, media.CodecAC3 or media.CodecMP3 (any FFmpeg audio decoder
// name works). An unknown name gives an error matching ErrUnknownCodec.
func NewAudioDecoder(codec string) (*AudioDecoder, error) {
	return NewAudioDecoderWith(codec, AudioOptions{})
}

// NewAudioDecoderWith is NewAudioDecoder with options.
func NewAudioDecoderWith(codec string, opts AudioOptions) (*AudioDecoder, error) {
	c, err := findDecoder(codec, C.AVMEDIA_TYPE_AUDIO)
	if err != nil {
		return nil, err
	}
	ctx, err := openContext(c, 1, opts.Params)
	if err != nil {
		return nil, err
	}
	d := &AudioDecoder{
		ctx:   ctx,
		pkt:   C.av_packet_alloc(),
		frame: C.av_frame_alloc(),
		name:  C.GoString(c.name),
	}
	if d.pkt == nil || d.frame == nil {
		d.Close()
		return nil, fmt.Errorf("avcodec: new %s decoder: %w", codec, Error(C.MB_ENOMEM))
	}
	return d, nil
}

// Name returns the name of the FFmpeg decoder in use.
func (d *AudioDecoder) Name() string { return d.name }

// Decode sends one packet to the decoder and returns the audio that became
// ready. An empty or nil packet returns nothing. A corrupt packet gives an
// error but leaves the decoder usable.
func (d *AudioDecoder) Decode(p *media.Packet) ([]*media.AudioFrame, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		return nil, ErrClosed
	}
	if p == nil || len(p.Data) == 0 {
		return nil, nil
	}
	return decodePacket(d.name, d.ctx, d.pkt, p, d.receive)
}

// Flush drains the decoder at the end of a stream and resets it for a new
// one.
func (d *AudioDecoder) Flush() ([]*media.AudioFrame, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		return nil, ErrClosed
	}
	var frames []*media.AudioFrame
	receive := func() (err error) {
		frames, err = d.receive(frames)
		return err
	}
	sendErr, recvErr := sendPacket(d.ctx, nil, receive)
	if err := receive(); err != nil && recvErr == nil {
		recvErr = err
	}
	C.avcodec_flush_buffers(d.ctx)
	d.next = 0
	if errors.Is(sendErr, Error(C.MB_EOF)) {
		sendErr = nil
	}
	if err := errors.Join(sendErr, recvErr); err != nil {
		return frames, fmt.Errorf("avcodec: %s: flush: %w", d.name, err)
	}
	return frames, nil
}

// Close frees the decoder. It may be called more than once.
func (d *AudioDecoder) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ctx, pkt, frame := d.ctx, d.pkt, d.frame
	d.ctx, d.pkt, d.frame = nil, nil, nil
	if ctx != nil {
		C.avcodec_free_context(&ctx)
	}
	C.av_packet_free(&pkt)
	C.av_frame_free(&frame)
	swr := d.swr
	d.swr = nil
	C.swr_free(&swr)
	C.av_channel_layout_uninit(&d.inLayout)
	C.free(d.out)
	d.out, d.outN = nil, 0
	return nil
}

// receive appends every frame the decoder has ready to frames.
func (d *AudioDecoder) receive(frames []*media.AudioFrame) ([]*media.AudioFrame, error) {
	var firstErr error
	for {
		ret := C.avcodec_receive_frame(d.ctx, d.frame)
		if ret == C.MB_EAGAIN || ret == C.MB_EOF {
			return frames, firstErr
		}
		if ret < 0 {
			if firstErr == nil {
				firstErr = Error(ret)
			}
			return frames, firstErr
		}
		f, err := d.convert(d.frame)
		C.av_frame_unref(d.frame)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if f != nil {
			frames = append(frames, f)
		}
	}
}

// convert resamples a decoded frame to interleaved 16-bit samples.
func (d *AudioDecoder) convert(f *C.AVFrame) (*media.AudioFrame, error) {
	rate, n, channels := int(f.sample_rate), int(f.nb_samples), int(f.ch_layout.nb_channels)
	if rate <= 0 || channels <= 0 || n < 0 || n > maxAudioSamples {
		return nil, fmt.Errorf("audio frame of %d samples, %d channels at %d Hz out of range", n, channels, rate)
	}
	if n == 0 {
		return nil, nil
	}
	outChannels := 2
	if channels == 1 {
		outChannels = 1
	}
	if err := d.setupResampler(f, outChannels); err != nil {
		return nil, err
	}
	// Same rate in and out: at most the input plus what swr buffered.
	max := int(C.swr_get_out_samples(d.swr, C.int(n)))
	if max < n {
		max = n
	}
	if size := max * outChannels * 2; size > d.outN {
		C.free(d.out)
		if d.out = C.malloc(C.size_t(size)); d.out == nil {
			d.outN = 0
			return nil, Error(C.MB_ENOMEM)
		}
		d.outN = size
	}
	got := C.mb_swr_convert(d.swr, (*C.uint8_t)(d.out), C.int(max), f)
	if got < 0 {
		return nil, fmt.Errorf("resample: %w", Error(got))
	}
	pts := d.next
	if ts := f.best_effort_timestamp; ts != noPTS {
		pts = fromTimestamp(ts)
	}
	out := &media.AudioFrame{
		PTS:        pts,
		SampleRate: rate,
		Channels:   outChannels,
		Samples:    make([]int16, int(got)*outChannels),
	}
	copy(out.Samples, unsafe.Slice((*int16)(d.out), len(out.Samples)))
	d.next = pts + out.Duration()
	return out, nil
}

// setupResampler (re)creates the resampler when the input shape changes.
func (d *AudioDecoder) setupResampler(f *C.AVFrame, outChannels int) error {
	if d.swr != nil && d.inFormat == f.format && d.inRate == f.sample_rate &&
		d.inChannels == f.ch_layout.nb_channels && C.av_channel_layout_compare(&d.inLayout, &f.ch_layout) == 0 {
		return nil
	}
	if ret := C.mb_swr_open(&d.swr, f, C.int(outChannels)); ret < 0 {
		C.swr_free(&d.swr)
		return fmt.Errorf("set up resampler for %d channels at %d Hz: %w", int(f.ch_layout.nb_channels), int(f.sample_rate), Error(ret))
	}
	C.av_channel_layout_uninit(&d.inLayout)
	if ret := C.av_channel_layout_copy(&d.inLayout, &f.ch_layout); ret < 0 {
		C.swr_free(&d.swr)
		return Error(ret)
	}
	d.inFormat, d.inRate, d.inChannels = f.format, f.sample_rate, f.ch_layout.nb_channels
	return nil
}
