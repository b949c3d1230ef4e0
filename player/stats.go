package player

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/manbang/manbang/player/hls"
)

// Stats describe a playback as it goes; the headless command prints them as
// JSON and the UI's Info overlay shows them.
type Stats struct {
	FirstFrameMS       float64 `json:"first_frame_ms"`   // from Open to the first frame presented
	VideoFrames        int     `json:"video_frames"`     // decoded (not counting those a seek skips)
	PresentedFrames    int     `json:"presented_frames"` // handed to the screen
	DroppedFrames      int     `json:"dropped_frames"`   // decoded but too late to show
	DeinterlacedFrames int     `json:"deinterlaced_frames"`
	DecodeErrors       int     `json:"decode_errors"`
	ContinuityErrors   int     `json:"continuity_errors"`
	AudioMS            float64 `json:"audio_ms"` // decoded audio, in milliseconds
	// AVDriftMS is how far video is from the audio clock (negative:
	// behind it), as a moving average over about ten frames of each
	// frame's offset when shown; AVDriftMSMax is its largest value either
	// way. Frames that set the clock (the first, the first after a seek or
	// a discontinuity) are not counted, nor frames shown without audio.
	AVDriftMS    float64 `json:"av_drift_ms"`
	AVDriftMSMax float64 `json:"av_drift_ms_max"`
	// BufferMS is the media decoded or queued ahead of the clock.
	BufferMS         float64 `json:"buffer_ms"`
	PacketsLost      int     `json:"packets_lost"`
	PacketsRecovered int     `json:"packets_recovered"`
	PacketsReordered int     `json:"packets_reordered"`
	PacketsDuplicate int     `json:"packets_duplicate"`
	// PacketsForeign counts RTP datagrams dropped for coming from another
	// sender than the stream's (or retransmissions of another SSRC).
	PacketsForeign   int     `json:"packets_foreign"`
	JitterMS         float64 `json:"jitter_ms"`
	VariantSwitches  int     `json:"variant_switches"`
	VariantBandwidth int     `json:"variant_bandwidth"`
	SegmentsSkipped  int     `json:"segments_skipped"`
	Width            int     `json:"width"`
	Height           int     `json:"height"`
	Interlaced       bool    `json:"interlaced"`
	VideoCodec       string  `json:"video_codec"`
	AudioCodec       string  `json:"audio_codec"`
	AudioLang        string  `json:"audio_lang,omitempty"`
	AudioOutput      string  `json:"audio_output"`
	BytesRead        int64   `json:"bytes_read"`
	// BitrateKbps is the rate the source delivers at: over the time since
	// the previous call of Stats when that is a second or more ago (a UI
	// polling it sees the current rate), else since Open.
	BitrateKbps float64  `json:"bitrate_kbps"`
	PositionMS  float64  `json:"position_ms"`
	DurationMS  float64  `json:"duration_ms"` // 0 for live
	Seekable    bool     `json:"seekable"`
	Speed       int      `json:"speed"` // 1, or the FF/RW speed
	Paused      bool     `json:"paused"`
	Warnings    []string `json:"warnings,omitempty"` // problems playback survived
	// Reconnecting, while the source retries after a network failure
	// (server down, connection cut), names the failure; empty while data
	// flows. The UI shows it over the picture until playback goes on.
	Reconnecting string `json:"reconnecting,omitempty"`
}

// Stats returns a snapshot of the playback's statistics.
func (p *Player) Stats() Stats {
	p.mu.Lock()
	s := p.stats
	s.Warnings = append([]string(nil), s.Warnings...)
	pl := p.pl
	p.mu.Unlock()
	s.BytesRead = p.in.bytesRead()
	s.BitrateKbps = p.rate.kbps(s.BytesRead, time.Now())
	s.AudioOutput = p.sink.Name()
	if now, ok, _ := p.master.now(); ok && !p.opts.Fast {
		s.BufferMS = msec(pl.bufferLevel(now))
	}
	ss := p.in.sourceStats()
	s.PacketsLost, s.PacketsRecovered = ss.PacketsLost, ss.PacketsRecovered
	s.PacketsReordered, s.PacketsDuplicate, s.JitterMS = ss.PacketsReordered, ss.PacketsDuplicate, ss.JitterMS
	s.PacketsForeign = ss.PacketsForeign
	s.VariantSwitches, s.VariantBandwidth, s.SegmentsSkipped = ss.VariantSwitches, ss.VariantBandwidth, ss.SegmentsSkipped
	s.Reconnecting = ss.Reconnecting
	return s
}

// rateMeter measures the source's bit rate between calls of Stats.
type rateMeter struct {
	mu    sync.Mutex
	start time.Time // of the measure in progress
	n     int64     // bytes read at start
	last  float64   // the last rate measured
}

// kbps returns the rate for n bytes read in all at now.
func (m *rateMeter) kbps(n int64, now time.Time) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	el := now.Sub(m.start)
	switch {
	case el >= time.Second:
		m.last = float64(n-m.n) * 8 / 1000 / el.Seconds()
		m.start, m.n = now, n
	case m.last == 0 && el > 0:
		return float64(n-m.n) * 8 / 1000 / el.Seconds()
	}
	return m.last
}

// bufferLevel is the media buffered ahead of the clock, for adaptive HLS.
func (p *Player) bufferLevel() time.Duration {
	p.mu.Lock()
	pl := p.pl
	p.mu.Unlock()
	if pl == nil {
		return 0
	}
	now, ok, _ := p.master.now()
	if !ok {
		return 0
	}
	return pl.bufferLevel(now)
}

// countingReader counts the bytes the source delivers.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// isEnd reports whether err is the normal end of a track.
func isEnd(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, hls.ErrInterrupted)
}
