package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/manbang/manbang/player"
	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/source"
	"github.com/manbang/manbang/ui"
	"github.com/manbang/manbang/ui/app"
	"github.com/manbang/manbang/ui/gfx"
)

// play plays one stream: in a window, or headless for diagnosis.
func play(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("manbang play", flag.ContinueOnError)
	fs.SetOutput(stderr)
	headless := fs.Bool("headless", false, "no window and no sound device: decode everything and report")
	asJSON := fs.Bool("json", false, "with --headless, print the statistics as one JSON object")
	duration := fs.Duration("duration", 0, "stop after this long (0: play to the end)")
	fast := fs.Bool("fast", false, "with --headless, decode as fast as possible instead of in real time")
	audioLang := fs.String("audio-lang", "", "preferred audio language, ISO 639-1 or -2 (ko or kor, ru or rus, en or eng)")
	hwdec := fs.String("hwdec", "", "video decoder: empty for software, auto for V4L2 M2M where there is one, or an FFmpeg decoder name; falls back to software")
	deinterlace := fs.Bool("deinterlace", true, "deinterlace interlaced video (yadif, at frame rate)")
	start := fs.Duration("start", 0, "start a VOD stream or a file at this position")
	maxBandwidth := fs.Int("max-bandwidth", 0, "HLS: highest variant bandwidth to play, in bit/s (0: no cap)")
	stall := fs.Duration("stall-timeout", 30*time.Second, "give up when nothing arrives for this long; network sources retry for as long")
	threads := fs.Int("threads", 0, "video decoder threads (0: automatic)")
	logLevel := fs.String("log-level", "warn", "log level: debug, info, warn, error")
	lang := fs.String("lang", "ko", "UI language when playing in a window")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("play: want exactly one stream URL or file")
	}
	url := fs.Arg(0)
	log, err := newLogger(*logLevel, stderr)
	if err != nil {
		return err
	}
	if !*headless {
		return ui.Run(ctx, ui.Config{
			Config: app.Config{Play: url, Lang: *lang, Logger: log},
			Window: gfx.WindowConfig{Title: "Manbang", Width: 1280, Height: 720, VSync: true},
		})
	}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	p, err := player.Open(ctx, url, player.Options{
		Source:          source.Config{MaxBandwidth: *maxBandwidth, RetryTimeout: *stall},
		Audio:           audio.NewSilent(nil),
		Fast:            *fast,
		AudioLang:       *audioLang,
		Threads:         *threads,
		HardwareDecoder: *hwdec,
		NoDeinterlace:   !*deinterlace,
		StartAt:         *start,
		Logger:          log,
	})
	if err != nil {
		return fmt.Errorf("play %s: %w", url, err)
	}
	playErr := waitPlayed(ctx, p, *stall)
	p.Close()
	st := p.Stats()
	if playErr == nil && st.VideoFrames == 0 && st.AudioMS == 0 {
		playErr = errors.New("nothing could be decoded")
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(st)
	} else {
		fmt.Fprintf(stdout, "%dx%d %s/%s: %d frames (%d dropped, %d decode errors), %.1f s of audio, first frame after %.0f ms\n",
			st.Width, st.Height, st.VideoCodec, st.AudioCodec, st.VideoFrames, st.DroppedFrames, st.DecodeErrors, st.AudioMS/1000, st.FirstFrameMS)
	}
	if playErr != nil {
		fmt.Fprintf(stderr, "manbang: play %s: %v\n", url, playErr)
		return exitError{}
	}
	return nil
}

// waitPlayed waits for the end of playback, the end of ctx (a --duration
// that ran out is success), or a stall.
func waitPlayed(ctx context.Context, p *player.Player, stall time.Duration) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var last player.Stats
	lastChange := time.Now()
	for {
		select {
		case <-p.Done():
			return p.Err()
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil
			}
			return ctx.Err()
		case <-tick.C:
			s := p.Stats()
			if s.BytesRead != last.BytesRead || s.VideoFrames != last.VideoFrames || s.AudioMS != last.AudioMS || s.PresentedFrames != last.PresentedFrames {
				last, lastChange = s, time.Now()
			} else if time.Since(lastChange) > stall {
				return fmt.Errorf("stalled: nothing arrived for %s", stall)
			}
		}
	}
}
