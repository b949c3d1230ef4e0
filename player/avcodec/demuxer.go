package avcodec

/*
#include "shim.h"
#include <libavformat/avformat.h>
#include <libavutil/dict.h>

enum {
	MB_DISPOSITION_ATTACHED_PIC = AV_DISPOSITION_ATTACHED_PIC,
};
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/manbang/manbang/player/media"
)

// CodecParams are the codec parameters a container demuxer found for one
// stream: the codec, its extradata (avcC, hvcC, AudioSpecificConfig…),
// picture size, sample rate and channel layout. A decoder opened with them
// (VideoOptions.Params, AudioOptions.Params) can decode streams that do
// not repeat them in-band, as MP4 and Matroska do not. They are immutable
// and stay valid as long as they are referenced, independently of the
// Demuxer.
type CodecParams struct {
	p *C.AVCodecParameters
}

func newCodecParams(src *C.AVCodecParameters) (*CodecParams, error) {
	p := C.avcodec_parameters_alloc()
	if p == nil {
		return nil, Error(C.MB_ENOMEM)
	}
	if ret := C.avcodec_parameters_copy(p, src); ret < 0 {
		C.avcodec_parameters_free(&p)
		return nil, Error(ret)
	}
	cp := &CodecParams{p: p}
	runtime.AddCleanup(cp, func(p *C.AVCodecParameters) { C.avcodec_parameters_free(&p) }, p)
	return cp, nil
}

// Demuxer reads a local media file with libavformat: any container FFmpeg
// knows (MP4, Matroska, MP3, MPEG-TS…) becomes media.Packets for the
// player's decoders. Stream PIDs are the container's stream indexes.
// Timestamps count from the file's start time, so a file starts at 0. Its
// methods are serialised; Close may come from any goroutine.
type Demuxer struct {
	mu       sync.Mutex
	fc       *C.AVFormatContext
	pkt      *C.AVPacket
	streams  []media.Stream // by stream index
	params   []*CodecParams
	tbs      []C.AVRational
	sars     []C.AVRational // the container's sample aspect ratios
	start    time.Duration  // the container's start time
	duration time.Duration
	format   string
}

// Errors of OpenFile.
var (
	// ErrNoStreams is returned for a file without any audio or video
	// stream that FFmpeg has a decoder for.
	ErrNoStreams = errors.New("no audio or video stream FFmpeg can decode")
	// ErrNotContainer is returned for a file libavformat reads as a
	// picture or as text: not something to play.
	ErrNotContainer = errors.New("not a media file")
)

// isContainer tells media containers from the picture and text formats
// libavformat also probes files as.
func isContainer(format string) bool {
	return !strings.HasSuffix(format, "_pipe") && format != "image2" && format != "tty" &&
		format != "lrc" && !strings.Contains(format, "subtitle") && format != "srt"
}

// fileProtocols is the only protocol libavformat may use for a Demuxer,
// for the file itself and for anything it names: a playlist (.m3u8,
// concat, .ffconcat) on a viewer's stick may not reach out to the network
// or to devices, so nothing about the viewer's own media leaves the box.
const fileProtocols = "file"

// OpenFile opens the media file at path and reads enough of it to know its
// streams. path is a file's path, never a URL: libavformat opens it and
// whatever it refers to with the file protocol only.
func OpenFile(path string) (*Demuxer, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	key, val := C.CString("protocol_whitelist"), C.CString(fileProtocols)
	defer C.free(unsafe.Pointer(key))
	defer C.free(unsafe.Pointer(val))
	var opts *C.AVDictionary
	if ret := C.av_dict_set(&opts, key, val, 0); ret < 0 {
		return nil, fmt.Errorf("avformat: open %s: %w", path, Error(ret))
	}
	var fc *C.AVFormatContext
	ret := C.avformat_open_input(&fc, cpath, nil, &opts)
	C.av_dict_free(&opts)
	if ret < 0 {
		return nil, fmt.Errorf("avformat: open %s: %w", path, Error(ret))
	}
	d := &Demuxer{fc: fc, pkt: C.av_packet_alloc(), format: C.GoString(fc.iformat.name)}
	if !isContainer(d.format) {
		d.Close()
		return nil, fmt.Errorf("avformat: open %s: %w (it reads as %s)", path, ErrNotContainer, d.format)
	}
	if d.pkt == nil {
		d.Close()
		return nil, fmt.Errorf("avformat: open %s: %w", path, Error(C.MB_ENOMEM))
	}
	if ret := C.avformat_find_stream_info(fc, nil); ret < 0 {
		d.Close()
		return nil, fmt.Errorf("avformat: %s: read stream info: %w", path, Error(ret))
	}
	if fc.start_time != noPTS {
		d.start = fromTimestamp(fc.start_time) // AV_TIME_BASE is microseconds too
	}
	if fc.duration != noPTS && fc.duration > 0 {
		d.duration = fromTimestamp(fc.duration)
	}
	playable := false
	for i, st := range unsafe.Slice(fc.streams, fc.nb_streams) {
		s, err := describeAVStream(i, st)
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("avformat: %s: stream %d: %w", path, i, err)
		}
		var cp *CodecParams
		if s.Codec != "" {
			if cp, err = newCodecParams(st.codecpar); err != nil {
				d.Close()
				return nil, fmt.Errorf("avformat: %s: stream %d: %w", path, i, err)
			}
			playable = true
		}
		d.streams = append(d.streams, s)
		d.params = append(d.params, cp)
		d.tbs = append(d.tbs, st.time_base)
		d.sars = append(d.sars, st.sample_aspect_ratio)
	}
	if !playable {
		what := describeStreams(d.format, fc) // before Close frees fc
		d.Close()
		return nil, fmt.Errorf("avformat: open %s: %w (%s)", path, ErrNoStreams, what)
	}
	return d, nil
}

// describeStreams names a file's format and the type and codec of each
// of its streams, for the error about a file with nothing to play.
func describeStreams(format string, fc *C.AVFormatContext) string {
	var b strings.Builder
	b.WriteString(format)
	if fc.nb_streams == 0 {
		return b.String() + ", no streams"
	}
	for i, st := range unsafe.Slice(fc.streams, fc.nb_streams) {
		kind := "data"
		if k := C.av_get_media_type_string(st.codecpar.codec_type); k != nil {
			kind = C.GoString(k)
		}
		fmt.Fprintf(&b, ", stream %d: %s %s", i, kind, C.GoString(C.avcodec_get_name(st.codecpar.codec_id)))
		if st.disposition&C.MB_DISPOSITION_ATTACHED_PIC != 0 {
			b.WriteString(" (cover art)")
		}
	}
	return b.String()
}

// describeAVStream maps a libavformat stream to a media.Stream; cover art
// and streams without a decoder get no codec.
func describeAVStream(i int, st *C.AVStream) (media.Stream, error) {
	if i > math.MaxUint16 {
		return media.Stream{}, errors.New("too many streams")
	}
	s := media.Stream{PID: uint16(i)}
	par := st.codecpar
	switch par.codec_type {
	case C.AVMEDIA_TYPE_VIDEO:
		s.Kind = media.KindVideo
		if st.disposition&C.MB_DISPOSITION_ATTACHED_PIC != 0 {
			return s, nil // an album cover, not a video
		}
	case C.AVMEDIA_TYPE_AUDIO:
		s.Kind = media.KindAudio
	default:
		return s, nil
	}
	s.Codec = codecName(par.codec_id)
	key := C.CString("language")
	defer C.free(unsafe.Pointer(key))
	if e := C.av_dict_get(st.metadata, key, nil, 0); e != nil {
		s.Language = C.GoString(e.value)
	}
	return s, nil
}

// codecName returns the decoder name the player uses for a codec: the
// media.Codec constants where there is one (MP3 then goes to go-mp3), else
// FFmpeg's default decoder, or "" when FFmpeg has none.
func codecName(id C.enum_AVCodecID) string {
	switch id {
	case C.AV_CODEC_ID_H264:
		return media.CodecH264
	case C.AV_CODEC_ID_HEVC:
		return media.CodecHEVC
	case C.AV_CODEC_ID_MPEG2VIDEO:
		return media.CodecMPEG2Video
	case C.AV_CODEC_ID_MP3:
		return media.CodecMP3
	case C.AV_CODEC_ID_MP2:
		return media.CodecMP2
	case C.AV_CODEC_ID_AAC:
		return media.CodecAAC
	case C.AV_CODEC_ID_AC3:
		return media.CodecAC3
	}
	if c := C.avcodec_find_decoder(id); c != nil {
		return C.GoString(c.name)
	}
	return ""
}

// Format returns the name of the container format, such as "matroska,webm"
// or "mov,mp4,m4a,3gp,3g2,mj2".
func (d *Demuxer) Format() string { return d.format }

// Streams returns the file's streams, by index. Streams without Codec are
// not played (cover art, subtitles, codecs FFmpeg cannot decode).
func (d *Demuxer) Streams() []media.Stream { return append([]media.Stream(nil), d.streams...) }

// Params returns the codec parameters of the stream with the given PID
// (index), or nil.
func (d *Demuxer) Params(pid uint16) *CodecParams {
	if int(pid) >= len(d.params) {
		return nil
	}
	return d.params[pid]
}

// SampleAspect returns the sample aspect ratio the container gives the
// stream with the given PID (Matroska's display size, MP4's pasp), or 0, 0
// when it gives none: frames whose codec says nothing of their shape are
// to be shown at it.
func (d *Demuxer) SampleAspect(pid uint16) (num, den int) {
	if int(pid) >= len(d.sars) || d.sars[pid].num <= 0 || d.sars[pid].den <= 0 {
		return 0, 0
	}
	return int(d.sars[pid].num), int(d.sars[pid].den)
}

// Duration returns the file's duration, or 0 when unknown.
func (d *Demuxer) Duration() time.Duration { return d.duration }

// Next returns the next packet of a stream with a codec, in file order. It
// returns io.EOF at the end of the file.
func (d *Demuxer) Next() (*media.Packet, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fc == nil {
		return nil, ErrClosed
	}
	for {
		ret := C.av_read_frame(d.fc, d.pkt)
		switch {
		case ret == C.MB_EOF:
			return nil, io.EOF
		case ret == C.MB_EAGAIN:
			continue
		case ret < 0:
			return nil, fmt.Errorf("avformat: read: %w", Error(ret))
		}
		p := d.packet()
		C.av_packet_unref(d.pkt)
		if p != nil {
			return p, nil
		}
	}
}

// packet copies d.pkt into a media.Packet, or returns nil for a packet of
// a stream that is not played.
func (d *Demuxer) packet() *media.Packet {
	i := int(d.pkt.stream_index)
	if i < 0 || i >= len(d.streams) || d.streams[i].Codec == "" || d.pkt.size <= 0 || d.pkt.size > maxPacketSize {
		return nil
	}
	p := &media.Packet{
		Stream:   d.streams[i],
		Data:     C.GoBytes(unsafe.Pointer(d.pkt.data), d.pkt.size),
		Keyframe: d.pkt.flags&C.AV_PKT_FLAG_KEY != 0,
	}
	tb := d.tbs[i]
	pts, dts := d.pkt.pts, d.pkt.dts
	if pts == noPTS {
		pts = dts // Matroska and raw streams often carry one only
	}
	if dts == noPTS {
		dts = pts
	}
	if pts != noPTS {
		p.PTS = fromTimestamp(C.av_rescale_q(pts, tb, timeBase)) - d.start
		p.DTS = fromTimestamp(C.av_rescale_q(dts, tb, timeBase)) - d.start
		p.HasPTS = true
	}
	return p
}

// Seek moves to the last keyframe at or before t (from the start of the
// file); Next then returns packets from there. The caller skips what comes
// before t if it wants t exactly.
func (d *Demuxer) Seek(t time.Duration) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fc == nil {
		return ErrClosed
	}
	ts := toTimestamp(max(t, 0) + d.start)
	if ret := C.avformat_seek_file(d.fc, -1, math.MinInt64, ts, ts, 0); ret < 0 {
		if ret = C.av_seek_frame(d.fc, -1, ts, C.AVSEEK_FLAG_BACKWARD); ret < 0 {
			return fmt.Errorf("avformat: seek to %v: %w", t, Error(ret))
		}
	}
	return nil
}

// Close closes the file. It may be called more than once.
func (d *Demuxer) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	C.av_packet_free(&d.pkt)
	if d.fc != nil {
		C.avformat_close_input(&d.fc)
	}
	return nil
}
