// Package avcodec decodes compressed video and audio with FFmpeg's
// libavcodec. It is the player's only binding to FFmpeg and keeps the C
// surface small: a VideoDecoder turning packets into tightly packed YUV 4:2:0
// frames (deinterlaced with libavfilter's yadif when asked; libavfilter is
// loaded with dlopen only when a stream turns out interlaced), an AudioDecoder
// turning packets into interleaved 16-bit PCM, a Parser splitting a raw
// elementary stream into packets, and a Demuxer reading local media files
// (MP4, Matroska, MP3 and whatever else libavformat knows) into packets with
// the CodecParams their decoders need.
//
// It needs FFmpeg 5.1 or newer (libavcodec 59, libavutil 57). A decoder's
// methods may be called from several goroutines (calls are serialised, so
// Close may come from anywhere), but packets must arrive in stream order. A
// Parser belongs to one goroutine.
//
// No Go memory is ever handed to C: packet data is copied into buffers
// FFmpeg allocates, and samples are copied out of C memory. Pictures are
// too, unless their strides are tight (1080p, 720p): such frames share the
// decoder's reference-counted planes, read-only, until they are Released.
package avcodec

/*
#cgo pkg-config: libavcodec libavformat libavutil libswscale libswresample
#cgo LDFLAGS: -ldl
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"time"
	"unsafe"

	"github.com/manbang/manbang/player/media"
)

// Errors returned by the package. Errors coming from FFmpeg itself are of
// type Error and may also match ErrInvalidData.
var (
	// ErrUnknownCodec means FFmpeg has no decoder (or no parser) of the
	// wanted kind under the given name.
	ErrUnknownCodec = errors.New("avcodec: unknown codec")
	// ErrClosed is returned when a closed decoder or parser is used.
	ErrClosed = errors.New("avcodec: closed")
	// ErrInvalidData is FFmpeg's "invalid data found when processing input",
	// the usual error for corrupt packets.
	ErrInvalidData = Error(C.MB_INVALIDDATA)
)

// maxPacketSize bounds a packet so that its size plus FFmpeg's padding fits
// in a C int.
const maxPacketSize = 1 << 30

// Error is an error code returned by an FFmpeg function (a negative AVERROR).
type Error int

func (e Error) Error() string {
	var buf [128]C.char
	C.mb_strerror(C.int(e), &buf[0], C.size_t(len(buf)))
	return "ffmpeg: " + C.GoString(&buf[0])
}

// LogLevel is FFmpeg's log verbosity.
type LogLevel int

// FFmpeg log levels, from silent to chatty.
const (
	LogQuiet   LogLevel = C.AV_LOG_QUIET
	LogPanic   LogLevel = C.AV_LOG_PANIC
	LogFatal   LogLevel = C.AV_LOG_FATAL
	LogError   LogLevel = C.AV_LOG_ERROR
	LogWarning LogLevel = C.AV_LOG_WARNING
	LogInfo    LogLevel = C.AV_LOG_INFO
	LogVerbose LogLevel = C.AV_LOG_VERBOSE
	LogDebug   LogLevel = C.AV_LOG_DEBUG
)

func init() {
	// Corrupt IPTV input makes FFmpeg print a line per broken macroblock;
	// decode errors reach the caller as Go errors instead.
	SetLogLevel(LogQuiet)
}

// SetLogLevel sets what FFmpeg itself prints to standard error. The package
// starts with LogQuiet.
func SetLogLevel(l LogLevel) { C.av_log_set_level(C.int(l)) }

// findDecoder looks a decoder up by its FFmpeg name and checks its kind.
func findDecoder(name string, kind C.enum_AVMediaType) (*C.AVCodec, error) {
	if name == "" {
		return nil, fmt.Errorf("%w: empty name", ErrUnknownCodec)
	}
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	c := C.avcodec_find_decoder_by_name(cs)
	if c == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownCodec, name)
	}
	if c._type != kind {
		return nil, fmt.Errorf("%w %q: it is not a %s decoder", ErrUnknownCodec, name,
			C.GoString(C.av_get_media_type_string(kind)))
	}
	return c, nil
}

// noPTS is FFmpeg's AV_NOPTS_VALUE, "no timestamp".
const noPTS C.int64_t = math.MinInt64

// timeBase is the time base of the timestamps given to FFmpeg: microseconds.
var timeBase = C.AVRational{num: 1, den: 1000000}

func toTimestamp(d time.Duration) C.int64_t    { return C.int64_t(d / time.Microsecond) }
func fromTimestamp(ts C.int64_t) time.Duration { return time.Duration(ts) * time.Microsecond }

// openContext allocates and opens a decoding context for c, set up from
// the demuxer's codec parameters when there are some.
func openContext(c *C.AVCodec, threads int, params *CodecParams) (*C.AVCodecContext, error) {
	ctx := C.avcodec_alloc_context3(c)
	if ctx == nil {
		return nil, fmt.Errorf("avcodec: allocate %s context: %w", C.GoString(c.name), Error(C.MB_ENOMEM))
	}
	if params != nil {
		if ret := C.avcodec_parameters_to_context(ctx, params.p); ret < 0 {
			C.avcodec_free_context(&ctx)
			return nil, fmt.Errorf("avcodec: %s: codec parameters: %w", C.GoString(c.name), Error(ret))
		}
		runtime.KeepAlive(params)
	}
	ctx.pkt_timebase = timeBase
	if threads > 0 {
		ctx.thread_count = C.int(threads)
	} else {
		ctx.thread_count = 0 // FFmpeg picks one per core
	}
	if ret := C.avcodec_open2(ctx, c, nil); ret < 0 {
		C.avcodec_free_context(&ctx)
		return nil, fmt.Errorf("avcodec: open %s decoder: %w", C.GoString(c.name), Error(ret))
	}
	return ctx, nil
}

// fillPacket copies data into pkt, in C memory FFmpeg may keep a reference
// to, with the packet's timestamps in timeBase. DTS is passed only when it is
// plausible (not after PTS), since demuxers set it equal to PTS when absent.
func fillPacket(pkt *C.AVPacket, p *media.Packet) error {
	C.av_packet_unref(pkt)
	if len(p.Data) > maxPacketSize {
		return fmt.Errorf("avcodec: packet of %d bytes is too large", len(p.Data))
	}
	if ret := C.av_new_packet(pkt, C.int(len(p.Data))); ret < 0 {
		return fmt.Errorf("avcodec: allocate packet of %d bytes: %w", len(p.Data), Error(ret))
	}
	copy(unsafe.Slice((*byte)(unsafe.Pointer(pkt.data)), len(p.Data)), p.Data)
	pkt.pts, pkt.dts = noPTS, noPTS
	if p.HasPTS {
		pkt.pts = toTimestamp(p.PTS)
		if p.DTS <= p.PTS {
			pkt.dts = toTimestamp(p.DTS)
		}
	}
	if p.Keyframe {
		pkt.flags |= C.AV_PKT_FLAG_KEY
	}
	return nil
}

// describe names a packet in error messages.
func describe(p *media.Packet) string {
	if !p.HasPTS {
		return fmt.Sprintf("packet of %d bytes without PTS", len(p.Data))
	}
	return fmt.Sprintf("packet of %d bytes at %v", len(p.Data), p.PTS)
}

// decodePacket sends p to ctx through pkt and collects the frames that
// recv takes out: the send and receive dance that the audio and video
// decoders share. Frames decoded before an error are returned with it.
func decodePacket[F any](name string, ctx *C.AVCodecContext, pkt *C.AVPacket, p *media.Packet, recv func([]F) ([]F, error)) ([]F, error) {
	if err := fillPacket(pkt, p); err != nil {
		return nil, fmt.Errorf("avcodec: %s: %w", name, err)
	}
	var frames []F
	receive := func() (err error) {
		frames, err = recv(frames)
		return err
	}
	sendErr, recvErr := sendPacket(ctx, pkt, receive)
	C.av_packet_unref(pkt)
	if err := receive(); err != nil && recvErr == nil {
		recvErr = err
	}
	if sendErr != nil {
		sendErr = fmt.Errorf("avcodec: %s: decode %s: %w", name, describe(p), sendErr)
	}
	if recvErr != nil {
		recvErr = fmt.Errorf("avcodec: %s: receive frame: %w", name, recvErr)
	}
	return frames, errors.Join(sendErr, recvErr)
}

// sendPacket gives pkt (nil to drain) to ctx. When the decoder is full it
// first receives ready frames through receive, which must take every frame
// it can (until EAGAIN).
func sendPacket(ctx *C.AVCodecContext, pkt *C.AVPacket, receive func() error) (sendErr, recvErr error) {
	for try := 0; ; try++ {
		ret := C.avcodec_send_packet(ctx, pkt)
		if ret == C.MB_EAGAIN && try == 0 {
			if err := receive(); err != nil {
				recvErr = err
			}
			continue
		}
		if ret < 0 {
			return Error(ret), recvErr
		}
		return nil, recvErr
	}
}
