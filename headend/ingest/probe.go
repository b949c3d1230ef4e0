package ingest

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Source is what ffprobe says about an input file.
type Source struct {
	Duration time.Duration
	Width    int // of the first video stream
	Height   int
	FPS      float64 // frames per second of the video, 0 if unknown
	HasAudio bool
}

// parseProbe reads the JSON of "ffprobe -of json -show_streams
// -show_format".
func parseProbe(b []byte) (Source, error) {
	var p struct {
		Streams []struct {
			CodecType    string `json:"codec_type"`
			Width        int    `json:"width"`
			Height       int    `json:"height"`
			AvgFrameRate string `json:"avg_frame_rate"`
			Duration     string `json:"duration"`
			Disposition  struct {
				AttachedPic int `json:"attached_pic"`
			} `json:"disposition"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return Source{}, fmt.Errorf("ffprobe output: %w", err)
	}
	var s Source
	video := false
	for _, st := range p.Streams {
		switch st.CodecType {
		case "video":
			if video || st.Disposition.AttachedPic != 0 || st.Width <= 0 || st.Height <= 0 {
				continue
			}
			video = true
			s.Width, s.Height = st.Width, st.Height
			s.FPS = parseRate(st.AvgFrameRate)
			if s.Duration == 0 {
				s.Duration = parseSeconds(st.Duration)
			}
		case "audio":
			s.HasAudio = true
		}
	}
	if d := parseSeconds(p.Format.Duration); d > 0 {
		s.Duration = d
	}
	switch {
	case !video:
		return Source{}, fmt.Errorf("no video stream")
	case s.Width > 16384 || s.Height > 16384:
		return Source{}, fmt.Errorf("video of %dx%d is too large", s.Width, s.Height)
	case s.Duration <= 0:
		return Source{}, fmt.Errorf("unknown duration")
	}
	return s, nil
}

// parseSeconds parses a duration in seconds such as "12.345000"; 0 if it
// is not one.
func parseSeconds(s string) time.Duration {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 1e7 || math.IsNaN(f) {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// parseRate parses a frame rate such as "25/1" or "30000/1001"; 0 if it
// is not one.
func parseRate(s string) float64 {
	var n, d float64
	if _, err := fmt.Sscanf(s, "%g/%g", &n, &d); err != nil || d <= 0 || n <= 0 {
		return 0
	}
	if r := n / d; r < 1000 {
		return r
	}
	return 0
}
