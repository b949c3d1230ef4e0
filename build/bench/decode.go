package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// playStats is the part of manbang's `play --json` output the bench reads.
type playStats struct {
	FirstFrameMS     float64 `json:"first_frame_ms"`
	VideoFrames      int     `json:"video_frames"`
	PresentedFrames  int     `json:"presented_frames"`
	DroppedFrames    int     `json:"dropped_frames"`
	DecodeErrors     int     `json:"decode_errors"`
	ContinuityErrors int     `json:"continuity_errors"`
	PacketsLost      int     `json:"packets_lost"`
	PacketsRecovered int     `json:"packets_recovered"`
	VariantSwitches  int     `json:"variant_switches"`
	Width            int     `json:"width"`
	Height           int     `json:"height"`
}

// manbangPlay runs `manbang play --headless --json ARGS` and decodes its
// statistics. A non-zero exit with statistics printed is returned with
// both.
func manbangPlay(ctx context.Context, bin string, args ...string) (playStats, time.Duration, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "manbang"), append([]string{"play", "--headless", "--json"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	runErr := cmd.Run()
	wall := time.Since(start)
	var st playStats
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		return st, wall, fmt.Errorf("manbang play %v: %v (stderr: %s)", args, err, tail(errb.String()))
	}
	if runErr != nil {
		return st, wall, fmt.Errorf("manbang play %v: %w (stderr: %s)", args, runErr, tail(errb.String()))
	}
	return st, wall, nil
}

var ffmpegFrame = regexp.MustCompile(`frame=\s*(\d+)`)

// ffmpegDecode decodes file to the null muxer and returns the frames.
func ffmpegDecode(ctx context.Context, threads int, file string) (int, time.Duration, error) {
	var errb bytes.Buffer
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-benchmark", "-threads", strconv.Itoa(threads),
		"-i", file, "-f", "null", "-")
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return 0, wall, fmt.Errorf("ffmpeg: %w: %s", err, tail(errb.String()))
	}
	m := ffmpegFrame.FindAllStringSubmatch(errb.String(), -1)
	if len(m) == 0 {
		return 0, wall, fmt.Errorf("ffmpeg: no frame count in: %s", tail(errb.String()))
	}
	n, _ := strconv.Atoi(m[len(m)-1][1])
	return n, wall, nil
}

func tail(s string) string {
	if len(s) > 600 {
		return "…" + s[len(s)-600:]
	}
	return s
}

// benchDecode measures decode throughput of both clips. A first pair of
// runs, not counted, brings both programs and their libraries into the
// page cache. Then each repeat runs manbang and ffmpeg back to back, in
// turn first, so that a burst of load from elsewhere on a shared machine
// falls on both about equally; the note adds the median of the per-repeat
// ratios, which such bursts move less than the ratio of the medians.
func benchDecode(ctx context.Context, c config, st streams, _ *xvfb, r *Results) error {
	for _, clip := range []struct{ name, file string }{{"H.264", st.H264}, {"HEVC", st.HEVC}} {
		if _, _, err := manbangPlay(ctx, c.bin, "--fast", "--threads", strconv.Itoa(c.threads), "--log-level", "error", clip.file); err != nil {
			return err
		}
		if _, _, err := ffmpegDecode(ctx, c.threads, clip.file); err != nil {
			return err
		}
		var mb, ff, ratios []float64
		var note string
		for i := range c.repeats {
			var s playStats
			var wall, fwall time.Duration
			var n int
			runManbang := func() (err error) {
				s, wall, err = manbangPlay(ctx, c.bin, "--fast", "--threads", strconv.Itoa(c.threads), "--log-level", "error", clip.file)
				return err
			}
			runFFmpeg := func() (err error) {
				n, fwall, err = ffmpegDecode(ctx, c.threads, clip.file)
				return err
			}
			order := []func() error{runManbang, runFFmpeg}
			if i%2 == 1 {
				order[0], order[1] = order[1], order[0]
			}
			for _, run := range order {
				if err := run(); err != nil {
					return err
				}
			}
			mfps, ffps := float64(s.VideoFrames)/wall.Seconds(), float64(n)/fwall.Seconds()
			mb, ff = append(mb, mfps), append(ff, ffps)
			if ffps > 0 {
				ratios = append(ratios, mfps/ffps)
			}
			logf("decode %s run %d: manbang %d frames in %v, ffmpeg %d frames in %v", clip.name, i+1, s.VideoFrames, wall.Round(time.Millisecond), n, fwall.Round(time.Millisecond))
			if s.DecodeErrors > 0 {
				note = fmt.Sprintf("manbang reported %d decode errors", s.DecodeErrors)
			}
		}
		if note == "" {
			note = "target ≥ 0.95x ffmpeg"
		}
		if len(ratios) > 0 {
			note += fmt.Sprintf("; median of the paired runs' ratios %.2fx", summarize(ratios, 0).Median)
		}
		r.add(Metric{Section: "decode", Name: "1080p30 " + clip.name + " decode", Unit: "frames/s", Better: "higher",
			Values: map[string]float64{"manbang": summarize(mb, 0).Median, "ffmpeg": summarize(ff, 0).Median}, Note: note})
	}
	return nil
}
