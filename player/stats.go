package player

import (
	"io"
	"sync/atomic"
	"time"
)

// Stats describe a playback as it goes; the headless command prints them as
// JSON and the UI's Info overlay shows them.
type Stats struct {
	FirstFrameMS     float64 `json:"first_frame_ms"`   // from Open to the first frame presented
	VideoFrames      int     `json:"video_frames"`     // decoded
	PresentedFrames  int     `json:"presented_frames"` // handed to the screen
	DroppedFrames    int     `json:"dropped_frames"`   // decoded but too late to show
	DecodeErrors     int     `json:"decode_errors"`
	ContinuityErrors int     `json:"continuity_errors"`
	AudioMS          float64 `json:"audio_ms"` // decoded audio, in milliseconds
	AVDriftMSMax     float64 `json:"av_drift_ms_max"`
	PacketsLost      int     `json:"packets_lost"`
	PacketsRecovered int     `json:"packets_recovered"`
	VariantSwitches  int     `json:"variant_switches"`
	Width            int     `json:"width"`
	Height           int     `json:"height"`
	Interlaced       bool    `json:"interlaced"`
	VideoCodec       string  `json:"video_codec"`
	AudioCodec       string  `json:"audio_codec"`
	AudioLang        string  `json:"audio_lang,omitempty"`
	AudioOutput      string  `json:"audio_output"`
	BytesRead        int64   `json:"bytes_read"`
	BitrateKbps      float64 `json:"bitrate_kbps"`
	PositionMS       float64 `json:"position_ms"`
	Paused           bool    `json:"paused"`
}

// Stats returns a snapshot of the playback's statistics.
func (p *Player) Stats() Stats {
	p.mu.Lock()
	s := p.stats
	p.mu.Unlock()
	s.BytesRead = p.counter.n.Load()
	if el := time.Since(p.started).Seconds(); el > 0 {
		s.BitrateKbps = float64(s.BytesRead) * 8 / 1000 / el
	}
	s.AudioOutput = p.sink.Name()
	return s
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
