// Package ingest turns a media file into a title's HLS media with the
// ffmpeg CLI: an adaptive bitrate ladder of H.264 renditions with AAC (or
// MP3) audio, a master playlist over them, and a poster.
package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rung is one rendition of the ladder.
type Rung struct {
	Height    int // pixels; the width follows the source's aspect ratio
	VideoKbps int
	AudioKbps int
}

// DefaultLadder is the ladder rungs are chosen from, highest first.
var DefaultLadder = []Rung{
	{1080, 5000, 128},
	{720, 2800, 128},
	{480, 1200, 96},
	{360, 700, 96},
	{240, 400, 64},
}

// Defaults of Options.
const (
	DefaultRungs          = 3
	DefaultSegmentSeconds = 4
)

// Names of a title's media written by Run.
const (
	MasterName = "index.m3u8" // the master playlist
	PosterName = "poster.jpg" // the poster, 320×180
)

// Options tunes Run.
type Options struct {
	// Input is the media file to transcode. Required.
	Input string
	// Dir is where the media goes; it is created, and must not exist or
	// be empty. Required.
	Dir string
	// Ladder lists the rungs renditions are chosen from, highest first:
	// the Rungs highest that are no taller than the source. Default
	// DefaultLadder; a source shorter than every rung gets one rendition
	// at its own height.
	Ladder []Rung
	Rungs  int // how many renditions at most; default DefaultRungs
	// SegmentSeconds is the length of segments and the key frame
	// interval; default DefaultSegmentSeconds.
	SegmentSeconds int
	// AudioCodec is "aac" (the default) or "mp3".
	AudioCodec string
	// Progress, if set, is called as the transcoding advances, with the
	// position reached and the source's duration.
	Progress func(done, total time.Duration)
	FFmpeg   string // default "ffmpeg" from PATH
	FFprobe  string // default "ffprobe" from PATH
}

// Rendition is one stream of the master playlist.
type Rendition struct {
	Name          string // "720p"; its playlist is Name+".m3u8"
	Width, Height int
	Rung          Rung // its bitrates
}

// Result is what Run made.
type Result struct {
	Source     Source
	Renditions []Rendition
}

// Run transcodes opts.Input into opts.Dir: the master playlist
// MasterName, one media playlist and its segments per rendition, and
// PosterName.
func Run(ctx context.Context, opts Options) (Result, error) {
	if opts.Input == "" || opts.Dir == "" {
		return Result{}, errors.New("ingest: no input or no output directory")
	}
	if opts.FFmpeg == "" {
		opts.FFmpeg = "ffmpeg"
	}
	if opts.FFprobe == "" {
		opts.FFprobe = "ffprobe"
	}
	if opts.Rungs <= 0 {
		opts.Rungs = DefaultRungs
	}
	if opts.SegmentSeconds <= 0 {
		opts.SegmentSeconds = DefaultSegmentSeconds
	}
	if len(opts.Ladder) == 0 {
		opts.Ladder = DefaultLadder
	}
	switch opts.AudioCodec {
	case "":
		opts.AudioCodec = "aac"
	case "aac", "mp3":
	default:
		return Result{}, fmt.Errorf("ingest: audio codec %q is neither aac nor mp3", opts.AudioCodec)
	}
	src, err := probe(ctx, opts.FFprobe, opts.Input)
	if err != nil {
		return Result{}, fmt.Errorf("ingest: %s: %w", opts.Input, err)
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("ingest: %w", err)
	}
	if entries, _ := os.ReadDir(opts.Dir); len(entries) > 0 {
		return Result{}, fmt.Errorf("ingest: %s is not empty", opts.Dir)
	}
	res := Result{Source: src, Renditions: renditions(src, opts)}
	if err := transcode(ctx, opts, res); err != nil {
		return Result{}, fmt.Errorf("ingest: %s: %w", opts.Input, err)
	}
	if err := poster(ctx, opts, src); err != nil {
		return Result{}, fmt.Errorf("ingest: %s: poster: %w", opts.Input, err)
	}
	return res, nil
}

// probe asks ffprobe about the input.
func probe(ctx context.Context, ffprobe, input string) (Source, error) {
	cmd := exec.CommandContext(ctx, ffprobe, "-v", "error", "-of", "json", "-show_streams", "-show_format", "--", input)
	var stderr tail
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return Source{}, fmt.Errorf("ffprobe: %w%s", err, stderr.lines())
	}
	return parseProbe(out)
}

// renditions chooses the rungs for src.
func renditions(src Source, opts Options) []Rendition {
	var out []Rendition
	add := func(r Rung) {
		h := r.Height &^ 1
		w := max(2, (src.Width*h/src.Height+1)&^1)
		out = append(out, Rendition{Name: strconv.Itoa(h) + "p", Width: w, Height: h, Rung: r})
	}
	for _, r := range opts.Ladder {
		if r.Height <= src.Height && len(out) < opts.Rungs {
			add(r)
		}
	}
	if len(out) == 0 {
		smallest := opts.Ladder[len(opts.Ladder)-1]
		smallest.Height = max(src.Height, 2)
		add(smallest)
	}
	return out
}

// transcode runs the one ffmpeg that makes every rendition.
func transcode(ctx context.Context, opts Options, res Result) error {
	n := len(res.Renditions)
	fps := res.Source.FPS
	if fps <= 0 || fps > 120 {
		fps = 25
	}
	gop := strconv.Itoa(int(fps*float64(opts.SegmentSeconds) + 0.5))
	var graph []string
	splits := ""
	for i := range n {
		splits += fmt.Sprintf("[s%d]", i)
	}
	graph = append(graph, fmt.Sprintf("[0:v:0]split=%d%s", n, splits))
	for i, r := range res.Renditions {
		graph = append(graph, fmt.Sprintf("[s%d]scale=%d:%d,setsar=1,format=yuv420p[v%d]", i, r.Width, r.Height, i))
	}
	args := []string{"-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1", "-y",
		"-i", opts.Input, "-filter_complex", strings.Join(graph, ";")}
	var streamMap []string
	for i, r := range res.Renditions {
		rung := r.Rung
		is := strconv.Itoa(i)
		args = append(args, "-map", "[v"+is+"]",
			"-c:v:"+is, "libx264", "-preset:v:"+is, "veryfast", "-profile:v:"+is, "high",
			"-b:v:"+is, strconv.Itoa(rung.VideoKbps)+"k",
			"-maxrate:v:"+is, strconv.Itoa(rung.VideoKbps*11/10)+"k",
			"-bufsize:v:"+is, strconv.Itoa(rung.VideoKbps*2)+"k")
		entry := "v:" + is
		if res.Source.HasAudio {
			args = append(args, "-map", "0:a:0", "-b:a:"+is, strconv.Itoa(rung.AudioKbps)+"k")
			entry += ",a:" + is
		}
		streamMap = append(streamMap, entry+",name:"+r.Name)
	}
	if res.Source.HasAudio {
		codec := "aac"
		if opts.AudioCodec == "mp3" {
			codec = "libmp3lame"
		}
		args = append(args, "-c:a", codec, "-ac", "2", "-ar", "48000")
	}
	seg := strconv.Itoa(opts.SegmentSeconds)
	args = append(args,
		"-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
		"-force_key_frames", "expr:gte(t,n_forced*"+seg+")",
		"-f", "hls", "-hls_time", seg, "-hls_playlist_type", "vod", "-hls_flags", "independent_segments",
		"-hls_segment_filename", "%v_%03d.ts",
		"-master_pl_name", MasterName,
		"-var_stream_map", strings.Join(streamMap, " "),
		"%v.m3u8")
	cmd := exec.CommandContext(ctx, opts.FFmpeg, args...)
	cmd.Dir = opts.Dir
	cmd.WaitDelay = 5 * time.Second
	var stderr tail
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("ffmpeg: %w", err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		readProgress(stdout, func(done time.Duration, end bool) {
			if end {
				done = res.Source.Duration
			}
			if opts.Progress != nil {
				opts.Progress(min(done, res.Source.Duration), res.Source.Duration)
			}
		})
	})
	wg.Wait() // stdout must be read whole before Wait
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("ffmpeg: %w", context.Cause(ctx))
		}
		return fmt.Errorf("ffmpeg: %w%s", err, stderr.lines())
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, MasterName)); err != nil {
		return fmt.Errorf("ffmpeg wrote no master playlist: %w", err)
	}
	return nil
}

// poster takes a frame a tenth into the source (at most a minute in) as
// a 320×180 JPEG, cropped to fill.
func poster(ctx context.Context, opts Options, src Source) error {
	at := min(src.Duration/10, time.Minute)
	args := []string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y",
		"-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64), "-i", opts.Input,
		"-frames:v", "1", "-vf", "scale=320:180:force_original_aspect_ratio=increase,crop=320:180,setsar=1",
		"-q:v", "3", PosterName}
	cmd := exec.CommandContext(ctx, opts.FFmpeg, args...)
	cmd.Dir = opts.Dir
	var stderr tail
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ffmpeg: %w%s", err, stderr.lines())
	}
	return nil
}

// tail keeps the last 8 KiB written to it.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 8<<10 {
		t.b = t.b[len(t.b)-8<<10:]
	}
	return len(p), nil
}

// lines returns the last lines written, after a colon and a line break,
// or "".
func (t *tail) lines() string {
	var out []string
	for _, l := range bytes.Split(t.b, []byte("\n")) {
		if s := strings.TrimSpace(string(l)); s != "" {
			out = append(out, "\t"+s)
		}
	}
	if len(out) > 6 {
		out = out[len(out)-6:]
	}
	if len(out) == 0 {
		return ""
	}
	return ":\n" + strings.Join(out, "\n")
}

var _ io.Writer = (*tail)(nil)
