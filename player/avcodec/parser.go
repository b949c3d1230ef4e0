package avcodec

/*
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Parser splits a raw elementary stream (Annex-B H.264 or HEVC, an MPEG-2
// video stream, ADTS AAC, MPEG audio, AC-3) into the packets a decoder
// wants, with FFmpeg's parser for the codec. Bytes may arrive in chunks of
// any size.
type Parser struct {
	parser *C.AVCodecParserContext
	ctx    *C.AVCodecContext
	buf    unsafe.Pointer // C copy of the input, with FFmpeg's padding
	bufN   int
}

// NewParser returns a parser for codec, a decoder name such as
// media.CodecH264. Codecs without an FFmpeg parser give an error matching
// ErrUnknownCodec.
func NewParser(codec string) (*Parser, error) {
	c, err := findDecoder(codec, C.AVMEDIA_TYPE_VIDEO)
	if err != nil {
		if c, err = findDecoder(codec, C.AVMEDIA_TYPE_AUDIO); err != nil {
			return nil, err
		}
	}
	p := &Parser{parser: C.av_parser_init(C.int(c.id))}
	if p.parser == nil {
		return nil, fmt.Errorf("%w: no parser for %q", ErrUnknownCodec, codec)
	}
	if p.ctx = C.avcodec_alloc_context3(c); p.ctx == nil {
		p.Close()
		return nil, fmt.Errorf("avcodec: new %s parser: %w", codec, Error(C.MB_ENOMEM))
	}
	return p, nil
}

// Parse consumes data and returns the packets completed so far. The last
// packet of a stream stays inside until Flush.
func (p *Parser) Parse(data []byte) ([][]byte, error) {
	if p.parser == nil {
		return nil, ErrClosed
	}
	if len(data) == 0 {
		return nil, nil
	}
	if len(data) > maxPacketSize {
		return nil, fmt.Errorf("avcodec: parse %d bytes: too large a chunk", len(data))
	}
	if need := len(data) + C.MB_PADDING; need > p.bufN {
		C.free(p.buf)
		if p.buf = C.malloc(C.size_t(need)); p.buf == nil {
			p.bufN = 0
			return nil, fmt.Errorf("avcodec: parse: %w", Error(C.MB_ENOMEM))
		}
		p.bufN = need
	}
	buf := unsafe.Slice((*byte)(p.buf), len(data)+C.MB_PADDING)
	copy(buf, data)
	clear(buf[len(data):])
	var out [][]byte
	in, left := (*C.uint8_t)(p.buf), len(data)
	for left > 0 {
		pkt, used := p.parse(in, left)
		if used < 0 {
			return out, fmt.Errorf("avcodec: parse: %w", Error(used))
		}
		if pkt != nil {
			out = append(out, pkt)
		}
		if used == 0 && pkt == nil {
			break // cannot happen with FFmpeg's parsers; never spin
		}
		in = (*C.uint8_t)(unsafe.Add(unsafe.Pointer(in), used))
		left -= used
	}
	return out, nil
}

// Flush returns the packet still being assembled at the end of a stream, if
// any, and makes the parser ready for a new stream.
func (p *Parser) Flush() ([][]byte, error) {
	if p.parser == nil {
		return nil, ErrClosed
	}
	var out [][]byte
	if pkt, _ := p.parse(nil, 0); pkt != nil {
		out = append(out, pkt)
	}
	// FFmpeg's parsers keep state past a flush; start afresh.
	C.av_parser_close(p.parser)
	if p.parser = C.av_parser_init(C.int(p.ctx.codec_id)); p.parser == nil {
		return out, fmt.Errorf("avcodec: reset parser: %w", Error(C.MB_ENOMEM))
	}
	return out, nil
}

// parse runs the parser once and copies any packet it completes to Go
// memory, since it may point into the parser's own buffer.
func (p *Parser) parse(in *C.uint8_t, n int) ([]byte, int) {
	var pkt *C.uint8_t
	var size C.int
	used := C.av_parser_parse2(p.parser, p.ctx, &pkt, &size, in, C.int(n), noPTS, noPTS, 0)
	if used < 0 || size <= 0 || pkt == nil {
		return nil, int(used)
	}
	return C.GoBytes(unsafe.Pointer(pkt), size), int(used)
}

// Close frees the parser. It may be called more than once.
func (p *Parser) Close() error {
	if p.parser != nil {
		C.av_parser_close(p.parser)
		p.parser = nil
	}
	if p.ctx != nil {
		C.avcodec_free_context(&p.ctx)
	}
	C.free(p.buf)
	p.buf, p.bufN = nil, 0
	return nil
}
