package demo

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/manbang/manbang/headend/catalog"
)

// Fixed properties of the generated media.
const (
	frameRate    = 25
	gopSeconds   = 2 // keyframe interval, equal to the HLS segment length
	posterWidth  = 320
	posterHeight = 180
)

// generate runs ffmpeg to write a title's HLS VOD (catalog.PlaylistName
// and its segments) and poster into dir.
func (b *builder) generate(ctx context.Context, j job, dir string) error {
	o := b.opts
	secs := strconv.FormatFloat(o.Duration.Seconds(), 'f', 3, 64)
	gop := strconv.Itoa(frameRate * gopSeconds)
	video := []string{
		"-f", "lavfi", "-i", source(j.cat.Pattern, o.Width, o.Height, frameRate),
		"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=%d:sample_rate=48000", toneOf(j.index)),
		"-t", secs,
		"-vf", b.videoFilter(j),
		"-map", "0:v", "-map", "1:a",
		"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
		"-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
		"-c:a", "libmp3lame", "-b:a", "128k", "-ar", "48000", "-ac", "2",
		"-f", "hls", "-hls_time", strconv.Itoa(gopSeconds), "-hls_playlist_type", "vod",
		"-hls_segment_filename", "seg_%03d.ts",
		catalog.PlaylistName,
	}
	if err := b.ffmpeg(ctx, dir, video); err != nil {
		return fmt.Errorf("video: %w", err)
	}
	poster := []string{
		"-f", "lavfi", "-i", source(j.cat.Pattern, posterWidth, posterHeight, 1),
		"-vf", b.posterFilter(j),
		"-frames:v", "1", "-q:v", "3",
		catalog.PosterName,
	}
	if err := b.ffmpeg(ctx, dir, poster); err != nil {
		return fmt.Errorf("poster: %w", err)
	}
	return nil
}

// source is the lavfi input of a test pattern.
func source(pattern string, w, h, rate int) string {
	return fmt.Sprintf("%s=size=%dx%d:rate=%d", pattern, w, h, rate)
}

// toneOf is the sine frequency in Hz of the title at index in the table,
// so that titles also differ by ear.
func toneOf(index int) int { return 220 + 20*(index%24) }

// videoFilter burns the title's English and Korean name and a running
// timecode into the pattern.
func (b *builder) videoFilter(j job) string {
	w, h := b.opts.Width, b.opts.Height
	en, ko := j.title.Name.In("en"), j.title.Name.In("ko")
	f := []string{}
	if j.cat.Hue != 0 {
		f = append(f, fmt.Sprintf("hue=h=%d", j.cat.Hue))
	}
	f = append(f,
		"drawbox=x=0:y=0:w=iw:h=ih*0.3:color=black@0.6:t=fill",
		drawtext(b.opts.FontFile, en, fitSize(en, h/16, w), "white", "(w-tw)/2", strconv.Itoa(h*4/100)),
		drawtext(b.opts.FontFile, ko, fitSize(ko, h/13, w), "white", "(w-tw)/2", strconv.Itoa(h*14/100)),
		fmt.Sprintf("drawtext=fontfile=%s:timecode=%s:rate=%d:fontsize=%d:fontcolor=yellow:box=1:boxcolor=black@0.6:boxborderw=6:x=(w-tw)/2:y=%d",
			escapeFilterArg(b.opts.FontFile), escapeFilterArg("00:00:00:00"), frameRate, h/12, h*82/100),
	)
	return strings.Join(f, ",")
}

// posterFilter lays the title's Korean and English name and its year and
// rating over a darkened pattern.
func (b *builder) posterFilter(j job) string {
	w, h := posterWidth, posterHeight
	t := j.title
	en, ko := t.Name.In("en"), t.Name.In("ko")
	f := []string{}
	if j.cat.Hue != 0 {
		f = append(f, fmt.Sprintf("hue=h=%d", j.cat.Hue))
	}
	info := fmt.Sprintf("%s · %d · %s", j.cat.Name.In("ko"), t.Year, t.Rating)
	f = append(f,
		"drawbox=x=0:y=ih*0.45:w=iw:h=ih*0.55:color=black@0.7:t=fill",
		drawtext(b.opts.FontFile, ko, fitSize(ko, h/9, w), "white", "12", strconv.Itoa(h*52/100)),
		drawtext(b.opts.FontFile, en, fitSize(en, h/14, w), "0xDDDDDD", "12", strconv.Itoa(h*68/100)),
		drawtext(b.opts.FontFile, info, h/15, "0xFFCC33", "12", strconv.Itoa(h*82/100)),
	)
	return strings.Join(f, ",")
}

// fitSize returns the font size, at most max, at which text about fits in
// a line of width pixels with a margin, guessing each glyph's advance in
// ems from its script.
func fitSize(text string, max, width int) int {
	ems := 0.0
	for _, r := range text {
		switch {
		case unicode.In(r, unicode.Hangul, unicode.Han, unicode.Hiragana, unicode.Katakana):
			ems += 0.92
		case unicode.IsSpace(r), unicode.IsPunct(r):
			ems += 0.33
		case unicode.IsUpper(r):
			ems += 0.66
		default:
			ems += 0.55
		}
	}
	if ems == 0 {
		return max
	}
	return int(math.Max(8, math.Min(float64(max), float64(width-24)/ems)))
}

// drawtext is a drawtext filter that draws text literally (no %{...}
// expansion) with its left edge at x and top at y, which are drawtext
// expressions without commas.
func drawtext(font, text string, size int, color, x, y string) string {
	return fmt.Sprintf("drawtext=fontfile=%s:expansion=none:text=%s:fontsize=%d:fontcolor=%s:shadowx=2:shadowy=2:x=%s:y=%s",
		escapeFilterArg(font), escapeFilterArg(cleanText(text)), size, color, x, y)
}

// cleanText makes text fit on one line: line breaks become spaces, and
// outer spaces, which ffmpeg's parser would trim, are removed.
func cleanText(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
	return strings.TrimSpace(s)
}

// escapeFilterArg escapes s to be the value of a filter option inside a
// filtergraph (-vf). ffmpeg unescapes twice: the filtergraph parser, for
// which \ ' [ ] , ; are special, then the filter's option parser, for
// which \ ' : are special. Outer whitespace must be removed beforehand.
func escapeFilterArg(s string) string {
	return backslash(backslash(s, `\':`), `\'[],;`)
}

// backslash puts a backslash before every rune of s that is in special.
func backslash(s, special string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(special, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ffmpeg runs the ffmpeg command with args in dir. Its error carries the
// last lines ffmpeg wrote to stderr.
func (b *builder) ffmpeg(ctx context.Context, dir string, args []string) error {
	args = append([]string{"-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y"}, args...)
	cmd := exec.CommandContext(ctx, b.opts.FFmpeg, args...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	var stderr tailBuffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("ffmpeg: %w", context.Cause(ctx))
		}
		if lines := stderr.lastLines(6); lines != "" {
			return fmt.Errorf("ffmpeg: %w:\n%s", err, lines)
		}
		return fmt.Errorf("ffmpeg: %w", err)
	}
	return nil
}

// tailBuffer is an io.Writer that keeps the last 16 KiB written to it.
type tailBuffer struct{ b []byte }

const tailSize = 16 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > tailSize {
		t.b = t.b[len(t.b)-tailSize:]
	}
	return len(p), nil
}

// lastLines returns up to n last non-empty lines, indented.
func (t *tailBuffer) lastLines(n int) string {
	var lines []string
	for _, l := range bytes.Split(t.b, []byte("\n")) {
		if l := strings.TrimSpace(string(l)); l != "" {
			lines = append(lines, "\t"+l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
