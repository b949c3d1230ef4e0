package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// streams are the inputs every player is measured on, made with the
// ffmpeg CLI once and kept in the work directory between runs.
type streams struct {
	H264   string // 1080p30 H.264 + AAC, MPEG-TS, clipSeconds long
	HEVC   string // 1080p30 HEVC + AAC, MPEG-TS, clipSeconds long
	Long   string // the H.264 clip looped to cpuClipSeconds, for the CPU runs
	HLSDir string // HLS VOD ladder: master.m3u8 and 1080p/720p/480p variants
}

// clipSeconds is the length of the decode clips and of the live loop.
const clipSeconds = 20

// rung is one variant of the HLS ladder.
type rung struct {
	name          string
	width, height int
	kbps          int
}

var ladder = []rung{
	{"1080p", 1920, 1080, 6000},
	{"720p", 1280, 720, 3000},
	{"480p", 854, 480, 1200},
}

// prepareStreams makes the streams that are missing in dir.
func prepareStreams(ctx context.Context, dir string, cpuSeconds int, logf func(string, ...any)) (streams, error) {
	s := streams{
		H264:   filepath.Join(dir, "h264-1080p30.ts"),
		HEVC:   filepath.Join(dir, "hevc-1080p30.ts"),
		Long:   filepath.Join(dir, fmt.Sprintf("h264-1080p30-%ds.ts", cpuSeconds)),
		HLSDir: filepath.Join(dir, "hls"),
	}
	if err := os.MkdirAll(s.HLSDir, 0o755); err != nil {
		return s, fmt.Errorf("streams: %w", err)
	}
	// A moving test pattern with a tone; a 2 s GOP without scene cuts, as
	// an operator encodes for HLS segments and channel changes.
	src := []string{
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=1920x1080:rate=30:duration=%d", clipSeconds),
		"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:sample_rate=48000:duration=%d", clipSeconds),
	}
	gop := []string{"-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-pix_fmt", "yuv420p"}
	aac := []string{"-c:a", "aac", "-b:a", "128k"}
	jobs := []struct {
		out  string
		args []string
	}{
		{s.H264, concat(src, []string{"-c:v", "libx264", "-preset", "veryfast", "-b:v", "6M", "-maxrate", "6M", "-bufsize", "12M"}, gop, aac, []string{"-f", "mpegts"})},
		{s.HEVC, concat(src, []string{"-c:v", "libx265", "-preset", "ultrafast", "-b:v", "4M", "-x265-params", "log-level=error"}, gop, aac, []string{"-f", "mpegts"})},
		{s.Long, []string{"-stream_loop", fmt.Sprint(cpuSeconds/clipSeconds - 1), "-i", s.H264, "-c", "copy", "-f", "mpegts"}},
	}
	for _, r := range ladder {
		out := filepath.Join(s.HLSDir, r.name, "index.m3u8")
		video := []string{"-c:v", "copy"}
		if r.height != 1080 {
			video = concat([]string{"-vf", fmt.Sprintf("scale=%d:%d", r.width, r.height), "-c:v", "libx264", "-preset", "veryfast",
				"-b:v", fmt.Sprintf("%dk", r.kbps), "-maxrate", fmt.Sprintf("%dk", r.kbps), "-bufsize", fmt.Sprintf("%dk", 2*r.kbps)}, gop)
		}
		jobs = append(jobs, struct {
			out  string
			args []string
		}{out, concat([]string{"-i", s.H264}, video, []string{"-c:a", "copy", "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod",
			"-hls_segment_filename", filepath.Join(s.HLSDir, r.name, "seg%03d.ts")})})
	}
	for _, j := range jobs {
		if _, err := os.Stat(j.out); err == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(j.out), 0o755); err != nil {
			return s, fmt.Errorf("streams: %w", err)
		}
		logf("streams: making %s", j.out)
		tmp := j.out + ".tmp"
		if strings.HasSuffix(j.out, ".m3u8") {
			tmp = j.out // the HLS muxer writes the playlist last
		}
		args := concat([]string{"-hide_banner", "-loglevel", "error", "-y"}, j.args, []string{tmp})
		cmd := exec.CommandContext(ctx, "ffmpeg", args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			os.Remove(tmp)
			return s, fmt.Errorf("streams: ffmpeg for %s: %w: %s", j.out, err, out)
		}
		if tmp != j.out {
			if err := os.Rename(tmp, j.out); err != nil {
				return s, fmt.Errorf("streams: %w", err)
			}
		}
	}
	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:3\n")
	for _, r := range ladder {
		fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d,RESOLUTION=%dx%d,CODECS=\"avc1.640028,mp4a.40.2\"\n%s/index.m3u8\n",
			(r.kbps+128)*1000, r.width, r.height, r.name)
	}
	if err := os.WriteFile(filepath.Join(s.HLSDir, "master.m3u8"), []byte(b.String()), 0o644); err != nil {
		return s, fmt.Errorf("streams: %w", err)
	}
	return s, nil
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
