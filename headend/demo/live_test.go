package demo

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

func TestChannelTable(t *testing.T) {
	chans, groups, err := Channels()
	if err != nil {
		t.Fatal(err)
	}
	if len(chans) < 6 {
		t.Fatalf("%d channels, want at least 6", len(chans))
	}
	s, err := catalog.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, g := range groups {
		if err := s.PutGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	live, _ := loadLive()
	groups2 := map[string]bool{}
	for i, c := range chans {
		if err := s.PutChannel(ctx, c); err != nil {
			t.Errorf("channel %s: %v", c.ID, err)
		}
		groups2[c.Group] = true
		for _, lang := range []string{"ko", "en", "ru"} {
			if c.Name[lang] == "" {
				t.Errorf("channel %s: no name in %s", c.ID, lang)
			}
			for _, p := range live.Channels[i].Programmes {
				if p[lang] == "" {
					t.Errorf("channel %s: programme %v has no %s title", c.ID, p, lang)
				}
			}
		}
		if !strings.HasPrefix(c.Locator(), "rtp://@239.255.") {
			t.Errorf("channel %s: locator %q", c.ID, c.Locator())
		}
	}
	ratings := map[string]int{}
	for _, c := range chans {
		ratings[c.Rating]++
	}
	if ratings["15"] != 1 || ratings["19"] != 1 || ratings["ALL"] != len(chans)-2 {
		t.Errorf("ratings %v: want one 15, one 19, the rest ALL", ratings)
	}
	if len(groups2) < 3 {
		t.Errorf("channels in %d groups", len(groups2))
	}
}

func TestGuide(t *testing.T) {
	live, _ := loadLive()
	seoul := time.FixedZone("KST", 9*3600)
	now := time.Date(2026, 11, 23, 20, 30, 0, 0, seoul)
	for _, c := range live.Channels {
		progs := guide(c, now)
		if len(progs) < 3*24*60/120 || !progs[0].Start.Equal(time.Date(2026, 11, 22, 0, 0, 0, 0, seoul)) ||
			!progs[len(progs)-1].Stop.Equal(time.Date(2026, 11, 25, 0, 0, 0, 0, seoul)) {
			t.Fatalf("channel %s: %d programmes from %v to %v", c.ID, len(progs), progs[0].Start, progs[len(progs)-1].Stop)
		}
		for i, p := range progs {
			if !p.Stop.After(p.Start) || (i > 0 && !p.Start.Equal(progs[i-1].Stop)) || p.Title["ru"] == "" {
				t.Fatalf("channel %s: programme %d %+v", c.ID, i, p)
			}
		}
		// The same day gives the same guide.
		again := guide(c, now.Add(time.Hour))
		if len(again) != len(progs) || again[10].Title["en"] != progs[10].Title["en"] {
			t.Errorf("channel %s: guide changes within a day", c.ID)
		}
	}
}

func TestBuildChannels(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	var progress bytes.Buffer
	opts := Options{Titles: 1, Channels: 2, Duration: 2 * time.Second, Width: 320, Height: 180, Progress: &progress}
	store, err := Build(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	chans, err := store.Channels(context.Background())
	if err != nil || len(chans) != 2 || store.ChannelCount() != 2 {
		t.Fatalf("channels %+v, %v", chans, err)
	}
	// The jobs run side by side: they may end in any order.
	if p := progress.String(); !strings.Contains(p, "[3/3] ") || !strings.Contains(p, "채널 1: ") || !strings.Contains(p, "채널 2: ") {
		t.Errorf("progress:\n%s", progress.String())
	}
	for _, c := range chans {
		loop := filepath.Join(dir, catalog.MediaDirName, c.Source)
		p := ffprobe(t, loop)
		if len(p.Streams) != 2 || p.Streams[0].CodecName != "h264" || p.Streams[0].Height != 180 || p.Streams[1].CodecName != "aac" {
			t.Errorf("channel %s: streams %+v", c.ID, p.Streams)
		}
		f, err := os.Open(filepath.Join(dir, catalog.MediaDirName, c.LogoURL))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != 160 {
			t.Errorf("channel %s: logo %+v, %v", c.ID, cfg, err)
		}
		n := 0
		now := time.Now()
		store.Programmes(context.Background(), []string{c.ID}, now.Add(-20*time.Hour), now.Add(20*time.Hour), func(operator.Programme) bool {
			n++
			return true
		})
		if n < 20 {
			t.Errorf("channel %s: %d programmes within 20 hours of now", c.ID, n)
		}
	}
	// Channels are cached like titles.
	store.Close()
	progress.Reset()
	opts.FFmpeg = filepath.Join(dir, "no-such-ffmpeg")
	store, err = Build(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("cached build: %v", err)
	}
	if strings.Count(progress.String(), "cached\n") != 3 {
		t.Errorf("cached progress:\n%s", progress.String())
	}
}
