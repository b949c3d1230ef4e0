package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

//go:embed channels.json
var channelsJSON []byte

// Names of a channel's media, in media/live/<channel id>/.
const (
	LiveDirName = "live"     // the directory of the channels' media, in the media directory
	LoopName    = "loop.ts"  // the looping MPEG-TS the live streamer plays
	LogoName    = "logo.png" // the channel's logo
)

// liveChannel is a row of the embedded channel table.
type liveChannel struct {
	ID         string          `json:"id"`
	Number     int             `json:"number"`
	Group      string          `json:"group"`
	Pattern    string          `json:"pattern"`
	Hue        int             `json:"hue"`
	Multicast  string          `json:"multicast"`
	Rating     string          `json:"rating"` // "ALL", "12", "15" or "19"
	Name       operator.Text   `json:"name"`
	Programmes []operator.Text `json:"programmes"`
}

// liveTable is the embedded channels.json.
type liveTable struct {
	Groups   []operator.Category `json:"groups"`
	Channels []liveChannel       `json:"channels"`
}

func loadLive() (liveTable, error) {
	var t liveTable
	if err := json.Unmarshal(channelsJSON, &t); err != nil {
		return liveTable{}, fmt.Errorf("demo: embedded channels.json: %w", err)
	}
	return t, nil
}

// selectChannels returns the first n channels, all for 0, none for n < 0.
func selectChannels(t liveTable, n int) []liveChannel {
	switch {
	case n < 0:
		return nil
	case n == 0 || n > len(t.Channels):
		n = len(t.Channels)
	}
	return t.Channels[:n]
}

// Channels returns the demo channels and their groups as the catalog
// keeps them, without media.
func Channels() ([]catalog.Channel, []operator.Category, error) {
	t, err := loadLive()
	if err != nil {
		return nil, nil, err
	}
	var out []catalog.Channel
	for _, c := range t.Channels {
		out = append(out, c.catalog())
	}
	return out, t.Groups, nil
}

// catalog is the channel as the catalog keeps it.
func (c liveChannel) catalog() catalog.Channel {
	dir := LiveDirName + "/" + c.ID + "/"
	return catalog.Channel{
		Channel: operator.Channel{
			ID: c.ID, Number: c.Number, Name: c.Name, Group: c.Group, LogoURL: dir + LogoName, Rating: c.Rating,
		},
		Source:    dir + LoopName,
		Multicast: c.Multicast,
		Protocol:  operator.StreamRTP,
	}
}

// generateChannel runs ffmpeg to write a channel's loop (H.264 and AAC in
// MPEG-TS, a key frame every second) and logo into dir.
func (b *builder) generateChannel(ctx context.Context, j job, dir string) error {
	o, c := b.opts, j.channel
	secs := strconv.FormatFloat(o.Duration.Seconds(), 'f', 3, 64)
	w, h := o.Width, o.Height
	name := fmt.Sprintf("%d  %s · %s", c.Number, c.Name.In("ko"), c.Name.In("en"))
	var f []string
	if c.Hue != 0 {
		f = append(f, fmt.Sprintf("hue=h=%d", c.Hue))
	}
	f = append(f,
		"drawbox=x=0:y=0:w=iw:h=ih*0.18:color=black@0.6:t=fill",
		drawtext(o.FontFile, name, fitSize(name, h/14, w), "white", "16", strconv.Itoa(h*4/100)),
		fmt.Sprintf("drawtext=fontfile=%s:text=%s:fontsize=%d:fontcolor=yellow:box=1:boxcolor=black@0.6:boxborderw=6:x=w-tw-16:y=h-th-16",
			escapeFilterArg(o.FontFile), escapeFilterArg("%{pts:hms}"), h/12),
	)
	gop := strconv.Itoa(frameRate)
	video := []string{
		"-f", "lavfi", "-i", source(c.Pattern, w, h, frameRate),
		"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=%d:sample_rate=48000", toneOf(j.index+7)),
		"-t", secs,
		"-vf", strings.Join(f, ","),
		"-map", "0:v", "-map", "1:a",
		"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-bf", "0",
		"-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
		"-b:v", "800k", "-maxrate", "800k", "-bufsize", "800k",
		"-c:a", "aac", "-b:a", "96k", "-ar", "48000", "-ac", "2",
		"-f", "mpegts", "-mpegts_service_id", strconv.Itoa(c.Number),
		"-metadata", "service_name=" + c.Name.In("en"), "-metadata", "service_provider=Manbang",
		LoopName,
	}
	if err := b.ffmpeg(ctx, dir, video); err != nil {
		return fmt.Errorf("loop: %w", err)
	}
	num := strconv.Itoa(c.Number)
	logo := []string{
		"-f", "lavfi", "-i", source(c.Pattern, 160, 90, 1),
		"-vf", strings.Join([]string{
			"drawbox=x=0:y=0:w=iw:h=ih:color=black@0.55:t=fill",
			drawtext(o.FontFile, num, 40, "white", "(w-tw)/2", "8"),
			drawtext(o.FontFile, c.Name.In("en"), fitSize(c.Name.In("en"), 16, 160), "white", "(w-tw)/2", "60"),
		}, ","),
		"-frames:v", "1",
		LogoName,
	}
	if err := b.ffmpeg(ctx, dir, logo); err != nil {
		return fmt.Errorf("logo: %w", err)
	}
	return nil
}

// slotMinutes are the lengths programmes are picked from.
var slotMinutes = []int{30, 60, 90, 45, 60, 120, 30}

// guide makes the programmes of a channel from midnight before yesterday
// to midnight after tomorrow in loc: back-to-back slots whose lengths and
// titles are picked from a hash of the channel and the slot's start, so
// that every Build makes the same guide for the same days.
func guide(c liveChannel, now time.Time) []operator.Programme {
	y, m, d := now.Date()
	start := time.Date(y, m, d-1, 0, 0, 0, 0, now.Location())
	end := time.Date(y, m, d+2, 0, 0, 0, 0, now.Location())
	var out []operator.Programme
	for t := start; t.Before(end); {
		h := fnv.New32a()
		fmt.Fprintf(h, "%s %d", c.ID, t.Unix())
		pick := int(h.Sum32() >> 1)
		stop := t.Add(time.Duration(slotMinutes[pick%len(slotMinutes)]) * time.Minute)
		if stop.After(end) {
			stop = end
		}
		title := c.Programmes[(pick/len(slotMinutes))%len(c.Programmes)]
		desc := operator.Text{}
		for lang, s := range title {
			desc[lang] = c.Name[lang] + " · " + s
		}
		out = append(out, operator.Programme{ChannelID: c.ID, Start: t, Stop: stop, Title: title, Description: desc})
		t = stop
	}
	return out
}

// writeCatalog builds dir/catalog.db afresh: in a temporary file renamed
// over the old one, then opened.
func writeCatalog(ctx context.Context, dir string, cats []operator.Category, titles []operator.Title,
	groups []operator.Category, channels []liveChannel, now time.Time) (*catalog.Store, error) {
	final := filepath.Join(dir, catalog.FileName)
	tmp := filepath.Join(dir, ".tmp-"+catalog.FileName)
	removeDB(tmp)
	s, err := catalog.Open(tmp)
	if err != nil {
		return nil, err
	}
	err = s.Write(ctx, func(w *catalog.Writer) error {
		for _, c := range cats {
			if err := w.AddCategory(c); err != nil {
				return err
			}
		}
		for _, t := range titles {
			if err := w.AddTitle(t); err != nil {
				return err
			}
		}
		used := map[string]bool{}
		for _, c := range channels {
			used[c.Group] = true
		}
		for _, g := range groups {
			if used[g.ID] {
				if err := w.AddGroup(g); err != nil {
					return err
				}
			}
		}
		for _, c := range channels {
			if err := w.AddChannel(c.catalog()); err != nil {
				return err
			}
			for _, p := range guide(c, now) {
				if err := w.AddProgramme(p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		removeDB(tmp)
		return nil, err
	}
	removeDB(final)
	if err := os.Rename(tmp, final); err != nil {
		return nil, err
	}
	return catalog.Open(final)
}

// removeDB removes an SQLite database and its journal files.
func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}
