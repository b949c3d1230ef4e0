// Package media holds the types that cross the player's stage boundaries:
// compressed packets from the demuxer and decoded frames from the decoders.
// It has no behaviour beyond small helpers, so every stage can import it.
package media

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Kind says what a stream carries.
type Kind int

// Stream kinds.
const (
	KindUnknown Kind = iota
	KindVideo
	KindAudio
)

// Codec names used across the player, matching FFmpeg's short decoder names
// so that the avcodec package can look them up directly.
const (
	CodecH264       = "h264"
	CodecHEVC       = "hevc"
	CodecMPEG2Video = "mpeg2video"
	CodecMP3        = "mp3"
	CodecMP2        = "mp2"
	CodecAAC        = "aac"
	CodecAC3        = "ac3"
)

// Stream describes one elementary stream of a program.
type Stream struct {
	PID      uint16
	Kind     Kind
	Codec    string // one of the Codec constants, or "" if unsupported
	Language string // ISO 639 code from the PMT, if any
}

// Packet is one access unit (a PES payload) of an elementary stream.
type Packet struct {
	Stream   Stream
	PTS      time.Duration // presentation time; valid when HasPTS
	DTS      time.Duration
	HasPTS   bool
	Keyframe bool // random access indicator, where the container says so
	Data     []byte
	// Discontinuity is set on the first packet after a timeline break
	// (HLS discontinuity, PCR jump, SSRC change): clocks must re-anchor.
	Discontinuity bool
}

// ColorSpace is the matrix used to turn YUV into RGB.
type ColorSpace int

// Colour matrices.
const (
	BT601 ColorSpace = iota
	BT709
)

// YUVToRGB returns the column-major matrix and offset that turn sampled
// YUV (each in [0, 1]) into RGB: rgb = m * (yuv - off), for the GL
// shader and for pictures made on the CPU (thumbnails) alike. Limited range
// stretches luma 16-235 and chroma 16-240 to the full scale.
func YUVToRGB(cs ColorSpace, full bool) (m [9]float32, off [3]float32) {
	kr, kb := 0.299, 0.114 // BT.601
	if cs == BT709 {
		kr, kb = 0.2126, 0.0722
	}
	kg := 1 - kr - kb
	ys, cscale := 1.0, 1.0
	off = [3]float32{0, 128.0 / 255, 128.0 / 255}
	if !full {
		ys, cscale = 255.0/219, 255.0/224
		off[0] = 16.0 / 255
	}
	rCr := 2 * (1 - kr) * cscale
	bCb := 2 * (1 - kb) * cscale
	gCb := -2 * kb * (1 - kb) / kg * cscale
	gCr := -2 * kr * (1 - kr) / kg * cscale
	m = [9]float32{
		float32(ys), float32(ys), float32(ys), // Y column
		0, float32(gCb), float32(bCb), // Cb column
		float32(rCr), float32(gCr), 0, // Cr column
	}
	return m, off
}

// VideoFrame is a decoded picture in planar YUV 4:2:0, with tightly packed
// planes (stride equals plane width), so that it uploads to GL ES 2 textures
// without row-length support. Frames come from a Pool; call Release when the
// frame is no longer needed, and do not touch its planes after that (on
// Linux they live outside the Go heap, and go away with the frame). The
// planes are read-only: a wrapped frame (Pool.Wrap) shares them with the
// decoder, which may still predict later pictures from them.
type VideoFrame struct {
	PTS        time.Duration
	Width      int
	Height     int
	Y, U, V    []byte // Y is Width*Height; U and V are ((Width+1)/2)*((Height+1)/2)
	ColorSpace ColorSpace
	FullRange  bool
	AspectNum  int // sample aspect ratio; 0 means square pixels
	AspectDen  int
	// Interlaced says the picture was coded interlaced (two fields);
	// Deinterlaced, that the decoder has since made it progressive.
	Interlaced   bool
	Deinterlaced bool
	// Serial is unique to each Get from a pool, so a renderer can tell a
	// new picture from a recycled frame that reuses the same memory.
	Serial uint64
	pool   *Pool
	// free gives a wrapped frame's planes back to their owner; cleanup
	// does it instead when the frame is dropped without Release.
	free    func()
	cleanup runtime.Cleanup
}

// ChromaWidth returns the width of the U and V planes.
func (f *VideoFrame) ChromaWidth() int { return (f.Width + 1) / 2 }

// ChromaHeight returns the height of the U and V planes.
func (f *VideoFrame) ChromaHeight() int { return (f.Height + 1) / 2 }

// DisplayAspect returns the width/height ratio the picture must be shown at.
func (f *VideoFrame) DisplayAspect() float64 {
	if f.Height == 0 {
		return 16.0 / 9.0
	}
	a := float64(f.Width) / float64(f.Height)
	if f.AspectNum > 0 && f.AspectDen > 0 {
		a *= float64(f.AspectNum) / float64(f.AspectDen)
	}
	return a
}

// Shared reports whether the frame's planes belong to someone else, as
// those of Pool.Wrap do, rather than to the pool.
func (f *VideoFrame) Shared() bool { return f.free != nil }

// Release returns the frame's buffers to its pool. It is safe to call on a
// frame that came from no pool, and on nil.
func (f *VideoFrame) Release() {
	if f == nil || f.pool == nil {
		return
	}
	if f.free != nil {
		free := f.free
		f.free, f.pool = nil, nil
		f.cleanup.Stop()
		f.Y, f.U, f.V = nil, nil, nil
		free()
		return
	}
	f.pool.put(f)
}

// Pool recycles VideoFrames of the same size so that decoding does not
// allocate a fresh picture for every frame.
type Pool struct {
	mu     sync.Mutex
	free   []*VideoFrame
	max    int
	serial atomic.Uint64
}

// NewPool returns a pool that keeps at most max idle frames.
func NewPool(max int) *Pool { return &Pool{max: max} }

// Get returns a frame with planes sized for width x height. Its PTS and
// colour fields are reset; plane contents are undefined.
func (p *Pool) Get(width, height int) *VideoFrame {
	cw, ch := (width+1)/2, (height+1)/2
	p.mu.Lock()
	for i := len(p.free) - 1; i >= 0; i-- {
		f := p.free[i]
		if f.Width == width && f.Height == height {
			p.free = append(p.free[:i], p.free[i+1:]...)
			p.mu.Unlock()
			*f = VideoFrame{Width: width, Height: height, Y: f.Y, U: f.U, V: f.V, pool: p, Serial: p.serial.Add(1)}
			return f
		}
	}
	p.mu.Unlock()
	f := &VideoFrame{Width: width, Height: height, pool: p, Serial: p.serial.Add(1)}
	ys, cs := width*height, cw*ch
	b := allocPlanes(f, ys+2*cs)
	f.Y, f.U, f.V = b[:ys:ys], b[ys:ys+cs:ys+cs], b[ys+cs:]
	return f
}

// Wrap returns a frame over planes that belong to someone else, such as a
// decoder's reference-counted picture, without copying them: free gives
// them back when the frame is released (or, should it never be, when the
// frame becomes unreachable). The planes must be tightly packed, sized as
// Get's are, and stay valid until free is called; free must be safe to
// call from any goroutine. The pool keeps nothing of a wrapped frame, but
// numbers it in the same Serial sequence as the frames it makes.
func (p *Pool) Wrap(width, height int, y, u, v []byte, free func()) *VideoFrame {
	f := &VideoFrame{Width: width, Height: height, Y: y, U: u, V: v, pool: p, Serial: p.serial.Add(1), free: free}
	f.cleanup = runtime.AddCleanup(f, func(free func()) { free() }, free)
	return f
}

func (p *Pool) put(f *VideoFrame) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) >= p.max {
		p.free = p.free[1:]
	}
	p.free = append(p.free, f)
}

// AudioFrame is decoded audio as interleaved signed 16-bit samples.
type AudioFrame struct {
	PTS        time.Duration
	SampleRate int
	Channels   int
	Samples    []int16 // interleaved, len = frames*Channels
}

// Duration returns how long the frame plays.
func (a *AudioFrame) Duration() time.Duration {
	if a.SampleRate == 0 || a.Channels == 0 {
		return 0
	}
	return time.Duration(len(a.Samples)/a.Channels) * time.Second / time.Duration(a.SampleRate)
}

// SourceStats is what a source knows of the transport under the stream:
// packet loss and recovery for RTP, segments and variants for HLS.
type SourceStats struct {
	PacketsLost      int     // RTP packets never received
	PacketsRecovered int     // RTP packets lost, then repaired by retransmission
	PacketsReordered int     // RTP packets put back in order by the jitter buffer
	PacketsDuplicate int     // RTP packets received twice and dropped
	JitterMS         float64 // RFC 3550 interarrival jitter
	SSRCChanges      int     // sender restarts seen
	PacketsForeign   int     // RTP datagrams from another source than the stream's, dropped
	VariantSwitches  int     // HLS adaptive switches
	VariantBandwidth int     // bits/s of the HLS variant playing
	SegmentsSkipped  int     // HLS segments that could not be fetched
	// Reconnecting, while the source retries after a network failure,
	// names the failure ("fetch segment 9: connection refused"); empty
	// while data flows.
	Reconnecting string
}

// StatsSource is implemented by sources (readers of stream bytes) that
// report transport statistics; the player copies them into its Stats.
type StatsSource interface {
	SourceStats() SourceStats
}
