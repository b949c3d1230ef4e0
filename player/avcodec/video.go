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

// maxDimension bounds the pictures the decoder accepts, well above 8K.
const maxDimension = 16384

// defaultPoolSize is the size of the pool a VideoDecoder makes for itself
// when VideoOptions.Pool is nil.
const defaultPoolSize = 8

// VideoOptions configures a VideoDecoder.
type VideoOptions struct {
	// Threads is the number of decoding threads; 0 lets FFmpeg use one per
	// core.
	Threads int
	// Pool supplies the output frames. Nil means a pool private to the
	// decoder.
	Pool *media.Pool
	// HardwareName optionally names a hardware-backed FFmpeg decoder for the
	// same codec, such as "h264_v4l2m2m". It is tried first; when FFmpeg
	// lacks it, it decodes another codec, or it fails to open, the software
	// decoder is used instead and Name says so. Only stand-alone decoders
	// are supported (no hwaccel device setup); frames they keep in device
	// memory are downloaded.
	HardwareName string
	// Params are the stream's codec parameters from a container Demuxer
	// (the avcC or hvcC extradata of H.264 and HEVC in MP4 and Matroska);
	// nil for streams that carry them in-band, as in MPEG-TS.
	Params *CodecParams
	// Deinterlace runs interlaced pictures through libavfilter's yadif, at
	// frame rate (one picture out per picture in: 50i becomes 25p); the
	// frames come out with Interlaced and Deinterlaced set. Progressive
	// pictures are not touched. libavfilter is loaded at the first
	// interlaced picture; when it cannot be, the pictures come out as
	// coded and Deinterlacing says why.
	Deinterlace bool
}

// VideoDecoder turns compressed video packets into media.VideoFrames in
// presentation order.
type VideoDecoder struct {
	mu    sync.Mutex
	ctx   *C.AVCodecContext
	pkt   *C.AVPacket
	frame *C.AVFrame
	sws   *C.struct_SwsContext
	conv  *C.AVFrame // swscale output, when the decoder's format is not 4:2:0
	hw    *C.AVFrame // frame downloaded from device memory
	pool  *media.Pool
	name  string
	next  time.Duration // PTS given to a frame that has none
	deint bool
	di    deinterlacer
	lib   *filterLib // libavfilter, loaded at the first interlaced picture
	// shares lets frames share the decoder's planes (software decoders
	// only: a hardware decoder's pictures may be among the few buffers it
	// cycles through, which frames held by the player would starve).
	shares bool
}

// NewVideoDecoder opens FFmpeg's decoder called codec, one of
// media.CodecH264, media.CodecHEVC or media.CodecMPEG2Video (any FFmpeg
// video decoder name works). An unknown name gives an error matching
// ErrUnknownCodec.
func NewVideoDecoder(codec string, opts VideoOptions) (*VideoDecoder, error) {
	sw, err := findDecoder(codec, C.AVMEDIA_TYPE_VIDEO)
	if err != nil {
		return nil, err
	}
	var ctx *C.AVCodecContext
	if opts.HardwareName != "" {
		ctx = openHardware(opts.HardwareName, sw, opts.Threads, opts.Params)
	}
	hardware := ctx != nil
	if ctx == nil {
		if ctx, err = openContext(sw, opts.Threads, opts.Params); err != nil {
			return nil, err
		}
	}
	d := &VideoDecoder{
		ctx:    ctx,
		pkt:    C.av_packet_alloc(),
		frame:  C.av_frame_alloc(),
		pool:   opts.Pool,
		name:   C.GoString(ctx.codec.name),
		deint:  opts.Deinterlace,
		lib:    avfilter,
		shares: !hardware,
	}
	if d.pkt == nil || d.frame == nil {
		d.Close()
		return nil, fmt.Errorf("avcodec: new %s decoder: %w", codec, Error(C.MB_ENOMEM))
	}
	if d.pool == nil {
		d.pool = media.NewPool(defaultPoolSize)
	}
	return d, nil
}

// openHardware opens the decoder called name if it decodes the same codec
// as sw, and returns nil when that is not possible.
func openHardware(name string, sw *C.AVCodec, threads int, params *CodecParams) *C.AVCodecContext {
	hw, err := findDecoder(name, C.AVMEDIA_TYPE_VIDEO)
	if err != nil || hw.id != sw.id {
		return nil
	}
	ctx, err := openContext(hw, threads, params)
	if err != nil {
		return nil
	}
	return ctx
}

// Name returns the name of the FFmpeg decoder in use, such as "h264" or
// "h264_v4l2m2m".
func (d *VideoDecoder) Name() string { return d.name }

// Decode sends one packet to the decoder and returns the frames that became
// ready, in presentation order, possibly none (decoders hold a few frames
// back to reorder them). An empty or nil packet returns nothing. A corrupt
// packet gives an error but leaves the decoder usable; frames decoded before
// the error are returned with it. Frames must be Released by the caller.
func (d *VideoDecoder) Decode(p *media.Packet) ([]*media.VideoFrame, error) {
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

// Flush drains the decoder at the end of a stream, returning the frames it
// still held, and resets it so that it can decode a new stream (for example
// after a seek or a channel change).
func (d *VideoDecoder) Flush() ([]*media.VideoFrame, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		return nil, ErrClosed
	}
	var frames []*media.VideoFrame
	receive := func() (err error) {
		frames, err = d.receive(frames)
		return err
	}
	sendErr, recvErr := sendPacket(d.ctx, nil, receive)
	if err := receive(); err != nil && recvErr == nil {
		recvErr = err
	}
	if err := d.di.drain(func(out *C.AVFrame, was bool) error {
		return d.emitFiltered(&frames, out, was)
	}); err != nil && recvErr == nil {
		recvErr = err
	}
	C.avcodec_flush_buffers(d.ctx)
	d.next = 0
	if errors.Is(sendErr, Error(C.MB_EOF)) {
		sendErr = nil // already drained
	}
	if err := errors.Join(sendErr, recvErr); err != nil {
		return frames, fmt.Errorf("avcodec: %s: flush: %w", d.name, err)
	}
	return frames, nil
}

// Close frees the decoder. It may be called more than once.
func (d *VideoDecoder) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ctx, pkt, frame, conv, hw := d.ctx, d.pkt, d.frame, d.conv, d.hw
	d.ctx, d.pkt, d.frame, d.conv, d.hw = nil, nil, nil, nil, nil
	if ctx != nil {
		C.avcodec_free_context(&ctx)
	}
	C.av_packet_free(&pkt)
	C.av_frame_free(&frame)
	C.av_frame_free(&conv)
	C.av_frame_free(&hw)
	if d.sws != nil {
		C.sws_freeContext(d.sws)
		d.sws = nil
	}
	d.di.close()
	return nil
}

// receive appends every frame the decoder has ready to frames. A frame
// that cannot be converted is skipped and reported once the rest are in.
func (d *VideoDecoder) receive(frames []*media.VideoFrame) ([]*media.VideoFrame, error) {
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
		err := d.take(&frames, d.frame)
		C.av_frame_unref(d.frame)
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
}

// take turns a decoded picture into frames: through the deinterlacer once
// the stream has shown an interlaced picture, else directly.
func (d *VideoDecoder) take(frames *[]*media.VideoFrame, src *C.AVFrame) error {
	src, err := d.download(src)
	if err != nil {
		return err
	}
	if d.deint && !d.di.active() && C.mb_frame_interlaced(src) != 0 && d.lib.load() != nil {
		d.deint = false // no libavfilter: pictures as coded (Deinterlacing says why)
	}
	if d.deint && (d.di.active() || C.mb_frame_interlaced(src) != 0) {
		if src.best_effort_timestamp != noPTS {
			src.pts = src.best_effort_timestamp
		}
		return d.di.push(src, func(out *C.AVFrame, was bool) error {
			return d.emitFiltered(frames, out, was)
		})
	}
	f, err := d.convert(src)
	if err != nil {
		return err
	}
	*frames = append(*frames, f)
	return nil
}

// emitFiltered converts a picture out of the deinterlacer.
func (d *VideoDecoder) emitFiltered(frames *[]*media.VideoFrame, out *C.AVFrame, wasInterlaced bool) error {
	f, err := d.convert(out)
	if err != nil {
		return err
	}
	f.Interlaced, f.Deinterlaced = wasInterlaced, wasInterlaced
	*frames = append(*frames, f)
	return nil
}

// download copies a picture in device memory to system memory.
func (d *VideoDecoder) download(src *C.AVFrame) (*C.AVFrame, error) {
	if src.hw_frames_ctx != nil {
		if d.hw == nil {
			if d.hw = C.av_frame_alloc(); d.hw == nil {
				return nil, Error(C.MB_ENOMEM)
			}
		}
		C.av_frame_unref(d.hw)
		if ret := C.av_hwframe_transfer_data(d.hw, src, 0); ret < 0 {
			return nil, fmt.Errorf("download hardware frame: %w", Error(ret))
		}
		C.av_frame_copy_props(d.hw, src)
		src = d.hw
	}
	return src, nil
}

// convert copies a decoded picture into a pooled frame.
func (d *VideoDecoder) convert(src *C.AVFrame) (*media.VideoFrame, error) {
	w, h := int(src.width), int(src.height)
	if w <= 0 || h <= 0 || w > maxDimension || h > maxDimension {
		return nil, fmt.Errorf("picture size %dx%d out of range", w, h)
	}
	format := C.enum_AVPixelFormat(src.format)
	full := src.color_range == C.AVCOL_RANGE_JPEG || isJPEGFormat(format)
	pic := src
	if format != C.AV_PIX_FMT_YUV420P && format != C.AV_PIX_FMT_YUVJ420P {
		var err error
		if pic, err = d.toYUV420(src, format); err != nil {
			return nil, err
		}
	}
	out := d.share(pic, w, h)
	if out == nil {
		out = d.pool.Get(w, h)
		cw, ch := out.ChromaWidth(), out.ChromaHeight()
		copyPlane(out.Y, w, h, pic.data[0], pic.linesize[0])
		copyPlane(out.U, cw, ch, pic.data[1], pic.linesize[1])
		copyPlane(out.V, cw, ch, pic.data[2], pic.linesize[2])
	}
	out.PTS = d.pts(src)
	out.ColorSpace = colorSpace(src.colorspace, h)
	out.FullRange = full
	if sar := src.sample_aspect_ratio; sar.num > 0 && sar.den > 0 && sar.num != sar.den {
		out.AspectNum, out.AspectDen = int(sar.num), int(sar.den)
	}
	out.Interlaced = C.mb_frame_interlaced(src) != 0
	return out, nil
}

// share returns a frame over pic's own planes, holding a reference to
// them until the frame is released, when they are tightly packed (stride
// equal to width: 1080p and 720p pictures, whose widths are multiples of
// FFmpeg's stride alignment), or nil when the picture must be copied.
// Sharing saves a copy of every picture and the pooled frame it would go
// to; the decoder's own buffer pool grows by the frames the player holds.
// Converted pictures are always copied: swscale writes every picture
// into the same frame.
func (d *VideoDecoder) share(pic *C.AVFrame, w, h int) *media.VideoFrame {
	cw, ch := (w+1)/2, (h+1)/2
	if !d.shares || pic == d.conv || int(pic.linesize[0]) != w || int(pic.linesize[1]) != cw || int(pic.linesize[2]) != cw ||
		pic.buf[0] == nil || pic.data[0] == nil || pic.data[1] == nil || pic.data[2] == nil {
		return nil
	}
	ref := C.av_frame_alloc()
	if ref == nil {
		return nil
	}
	if C.av_frame_ref(ref, pic) < 0 {
		C.av_frame_free(&ref)
		return nil
	}
	plane := func(i, n int) []byte { return unsafe.Slice((*byte)(unsafe.Pointer(ref.data[i])), n) }
	return d.pool.Wrap(w, h, plane(0, w*h), plane(1, cw*ch), plane(2, cw*ch), func() { C.av_frame_free(&ref) })
}

// toYUV420 converts src to planar 4:2:0 with libswscale, into d.conv. Full
// range formats convert to yuvj420p so that swscale keeps the range.
func (d *VideoDecoder) toYUV420(src *C.AVFrame, format C.enum_AVPixelFormat) (*C.AVFrame, error) {
	if C.sws_isSupportedInput(format) == 0 {
		return nil, fmt.Errorf("unsupported pixel format %s", pixFmtName(format))
	}
	dst := C.enum_AVPixelFormat(C.AV_PIX_FMT_YUV420P)
	if isJPEGFormat(format) {
		dst = C.AV_PIX_FMT_YUVJ420P
	}
	d.sws = C.sws_getCachedContext(d.sws, src.width, src.height, format,
		src.width, src.height, dst, C.SWS_BILINEAR, nil, nil, nil)
	if d.sws == nil {
		return nil, fmt.Errorf("convert pixel format %s: no swscale context", pixFmtName(format))
	}
	if d.conv == nil || d.conv.width != src.width || d.conv.height != src.height || d.conv.format != C.int(dst) {
		if d.conv == nil {
			if d.conv = C.av_frame_alloc(); d.conv == nil {
				return nil, Error(C.MB_ENOMEM)
			}
		}
		C.av_frame_unref(d.conv)
		d.conv.width, d.conv.height, d.conv.format = src.width, src.height, C.int(dst)
		if ret := C.av_frame_get_buffer(d.conv, 0); ret < 0 {
			return nil, fmt.Errorf("allocate conversion frame: %w", Error(ret))
		}
	}
	if ret := C.mb_sws_convert(d.sws, src, d.conv); ret <= 0 {
		return nil, fmt.Errorf("convert pixel format %s: swscale failed", pixFmtName(format))
	}
	return d.conv, nil
}

// pts returns the frame's presentation time: FFmpeg's best-effort
// timestamp (PTS reordered past B-frames, or DTS), else the previous
// frame's time plus its duration.
func (d *VideoDecoder) pts(f *C.AVFrame) time.Duration {
	pts := d.next
	if ts := f.best_effort_timestamp; ts != noPTS {
		pts = fromTimestamp(ts)
	} else if f.pts != noPTS {
		pts = fromTimestamp(f.pts) // out of the deinterlacer
	}
	var dur time.Duration
	if n := C.mb_frame_duration(f); n > 0 {
		dur = fromTimestamp(n)
	} else if fr := d.ctx.framerate; fr.num > 0 && fr.den > 0 {
		dur = time.Second * time.Duration(fr.den) / time.Duration(fr.num)
	}
	d.next = pts + dur
	return pts
}

// copyPlane copies h rows of w bytes, stride bytes apart in C memory, into
// the tightly packed dst.
func copyPlane(dst []byte, w, h int, src *C.uint8_t, stride C.int) {
	base, s := unsafe.Pointer(src), int(stride)
	if s == w {
		copy(dst[:w*h], unsafe.Slice((*byte)(base), w*h))
		return
	}
	for y := 0; y < h; y++ {
		copy(dst[y*w:(y+1)*w], unsafe.Slice((*byte)(unsafe.Add(base, y*s)), w))
	}
}

// colorSpace maps FFmpeg's matrix coefficients to the two the player
// knows. Unspecified means BT.709 for HD pictures and BT.601 for SD.
func colorSpace(cs C.enum_AVColorSpace, height int) media.ColorSpace {
	switch cs {
	case C.AVCOL_SPC_BT709:
		return media.BT709
	case C.AVCOL_SPC_UNSPECIFIED:
		if height > 576 {
			return media.BT709
		}
	}
	return media.BT601
}

// isJPEGFormat reports whether format is one of the deprecated full-range
// "yuvj" formats.
func isJPEGFormat(format C.enum_AVPixelFormat) bool {
	switch format {
	case C.AV_PIX_FMT_YUVJ420P, C.AV_PIX_FMT_YUVJ422P, C.AV_PIX_FMT_YUVJ444P,
		C.AV_PIX_FMT_YUVJ440P, C.AV_PIX_FMT_YUVJ411P:
		return true
	}
	return false
}

func pixFmtName(format C.enum_AVPixelFormat) string {
	if name := C.av_get_pix_fmt_name(format); name != nil {
		return C.GoString(name)
	}
	return fmt.Sprintf("pixel format %d", int(format))
}
