//go:build walk

package walk

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/build/internal/rig"
)

// slideWait is how long a slideshow's photo may take to give way to the
// next: its 5 s, and a margin.
const slideWait = 7 * time.Second

// The screens of the viewer's media, as the walk reads them.
type (
	mediaHome struct {
		homeScreen
		Media []struct {
			Path  string `json:"path"`
			Label string `json:"label"`
			Size  int64  `json:"size"`
		} `json:"media"`
		Notice string `json:"notice"`
	}
	browserEntry struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
	browserScreen struct {
		Medium  string         `json:"medium"`
		Dir     string         `json:"dir"`
		Loaded  bool           `json:"loaded"`
		First   int            `json:"first"`
		Focus   int            `json:"focus"`
		Entries []browserEntry `json:"entries"`
		Focused *browserEntry  `json:"focused"`
		Error   string         `json:"error"`
	}
	photoScreen struct {
		Name   string `json:"name"`
		Index  int    `json:"index"`
		Count  int    `json:"count"`
		Loaded bool   `json:"loaded"`
		Error  string `json:"error"`
		Width  int    `json:"width"`

		Slideshow bool `json:"slideshow"`
		Zoom      int  `json:"zoom"`
		Detail    bool `json:"detail"`
	}
	localPlayer struct {
		playerScreen
		File string `json:"file"`
	}
	// songPlayer is the now-playing screen: a song has no pictures; the
	// sound decoded, and the position the sound moves, show it plays.
	songPlayer struct {
		Title string `json:"title"`
		State string `json:"state"`
		Error string `json:"error"`
		Song  *struct {
			Index   int    `json:"index"`
			Count   int    `json:"count"`
			Shuffle bool   `json:"shuffle"`
			Repeat  string `json:"repeat"`
		} `json:"song"`
		Stats *struct {
			AudioMS    float64 `json:"audio_ms"`
			AudioCodec string  `json:"audio_codec"`
			PositionMS float64 `json:"position_ms"`
		} `json:"stats"`
	}
)

func (b browserScreen) where() string {
	if b.Focused == nil {
		return b.Dir + ":-"
	}
	return b.Dir + ":" + b.Focused.Name
}

// The stick's label, and the CP949 name an old Korean system gave a
// photo: 사진.JPG.
const (
	stickLabel = "FAMILY"
	cp949Photo = "\xbb\xe7\xc1\xf8.JPG"
)

// stickFiles makes the stick's files with ffmpeg in dir: a minute of
// video, two short songs, photos; it returns them by their path on the
// stick.
func stickFiles(dir string) (map[string]string, error) {
	mk := func(name string, args ...string) (string, error) {
		out := filepath.Join(dir, name)
		cmd := exec.Command("ffmpeg", append(append([]string{"-nostdin", "-loglevel", "error", "-y"}, args...), out)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("ffmpeg %s: %v\n%s", name, err, b)
		}
		return out, nil
	}
	video, err := mk("video.mp4", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "60", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k")
	if err != nil {
		return nil, err
	}
	song1, err := mk("song1.mp3", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "3", "-c:a", "libmp3lame", "-b:a", "64k")
	if err != nil {
		return nil, err
	}
	song2, err := mk("song2.mp3", "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100", "-t", "30", "-c:a", "libmp3lame", "-b:a", "64k")
	if err != nil {
		return nil, err
	}
	jpg, err := mk("photo.jpg", "-f", "lavfi", "-i", "testsrc2=size=1600x1200", "-frames:v", "1")
	if err != nil {
		return nil, err
	}
	pngFile, err := mk("photo.png", "-f", "lavfi", "-i", "smptebars=size=800x600", "-frames:v", "1")
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"영화/바다 여행.mp4":       video,
		"Музыка/Песня 1.mp3": song1,
		"Музыка/Песня 2.mp3": song2,
		"Фото/Ёлка.jpg":      jpg,
		"Фото/Море.png":      pngFile,
		"Фото/" + cp949Photo: jpg,
		"notes.txt":          song1, // not offered: the box does not play it
	}, nil
}

// browser waits for the browser to show dir loaded.
func (v *viewer) browser(ctx context.Context, dir string) (browserScreen, error) {
	return until(ctx, v, "browser", "the folder "+dir+" listed", loadWait, func(b browserScreen) (bool, error) {
		if b.Loaded && b.Error != "" {
			return false, fmt.Errorf("the folder %q cannot be read: %s", dir, b.Error)
		}
		return b.Loaded && b.Dir == dir, nil
	})
}

// openEntry moves the browser's focus to name and presses OK.
func (v *viewer) openEntry(ctx context.Context, dir, name string) error {
	b, err := v.browser(ctx, dir)
	if err != nil {
		return err
	}
	at := slices.IndexFunc(b.Entries, func(e browserEntry) bool { return e.Name == name })
	if at < 0 {
		return fmt.Errorf("no %q in %s: %+v", name, dir, b.Entries)
	}
	key := "down"
	if at+b.First < b.Focus {
		key = "up"
	}
	if _, err := move(ctx, v, "browser", key, len(b.Entries), browserScreen.where, func(b browserScreen) bool {
		return b.Focused != nil && b.Focused.Name == name
	}); err != nil {
		return err
	}
	return v.press(ctx, "ok")
}

// walkMedia: a FAT stick made by mkfs.vfat and mcopy, with Korean and
// Russian names and one in CP949, mounted read-only through fusefat
// under the box's media root while it runs: Home shows it; a folder, a
// video to its first frame, a seek, Back; a song; photos; then the stick
// pulled out while a video plays, and Home saying so.
func walkMedia(t *testing.T) {
	work := t.TempDir()
	files, err := stickFiles(work)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	image := filepath.Join(work, "stick.img")
	if err := rig.MakeFAT(ctx, image, 64, stickLabel, files); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(work, "media")
	// Named after the label, as automounters name it: a FUSE mount of an
	// image has no label the watcher could read (no /dev/disk/by-label).
	mountPoint := filepath.Join(root, stickLabel)
	if err := os.MkdirAll(mountPoint, 0o755); err != nil {
		t.Fatal(err)
	}
	// Unmounted after the box has stopped (cleanups run last first), so
	// that no file of the stick is open then.
	var unmount func() error
	t.Cleanup(func() {
		if unmount != nil {
			if err := unmount(); err != nil {
				t.Errorf("the stick stays mounted: %v", err)
			}
		}
	})
	v := newViewer(t, "--lang", "en", "--media", root)

	v.step("media-stick-in", func(ctx context.Context) error {
		if _, err := v.home(ctx); err != nil {
			return err
		}
		// fusefat lives as long as the walk, not the step: its context
		// would end it, and the stick with it.
		var err error
		if unmount, err = rig.MountFAT(context.Background(), image, mountPoint); err != nil {
			return fmt.Errorf("mounting the stick (the walk runs as root, with FUSE): %w", err)
		}
		h, err := on(ctx, v, "home", "the stick on Home", loadWait, func(h mediaHome) bool { return len(h.Media) == 1 })
		if err != nil {
			return err
		}
		if m := h.Media[0]; m.Path != mountPoint || m.Label != stickLabel || m.Size < 60<<20 {
			return fmt.Errorf("Home shows the stick as %+v", m)
		}
		if !strings.Contains(h.Notice, stickLabel) || !strings.Contains(h.Notice, "connected") {
			return fmt.Errorf("no notice of the stick: %q", h.Notice)
		}
		if h.RowIDs[0] != "media" {
			return fmt.Errorf("the media row is not first: %v", h.RowIDs)
		}
		return nil
	})
	v.step("media-browse", func(ctx context.Context) error {
		if _, err := v.focusHomeRow(ctx, "media"); err != nil {
			return err
		}
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		b, err := v.browser(ctx, "")
		if err != nil {
			return err
		}
		var names []string
		for _, e := range b.Entries {
			names = append(names, e.Name+"/"+e.Kind)
		}
		if want := []string{"Музыка/folder", "Фото/folder", "영화/folder"}; !slices.Equal(names, want) {
			return fmt.Errorf("the stick's root lists %q, want %q (notes.txt left out)", names, want)
		}
		return nil
	})
	v.step("media-folder", func(ctx context.Context) error {
		if err := v.openEntry(ctx, "", "영화"); err != nil {
			return err
		}
		b, err := v.browser(ctx, "영화")
		if err != nil {
			return err
		}
		if len(b.Entries) != 1 || b.Entries[0].Name != "바다 여행.mp4" || b.Entries[0].Kind != "video" {
			return fmt.Errorf("영화 lists %+v", b.Entries)
		}
		return nil
	})
	v.step("media-video", func(ctx context.Context) error {
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		p, err := until(ctx, v, "player", "the stick's video to its first frame", loadWait, func(p localPlayer) (bool, error) {
			if p.State == "error" {
				return false, fmt.Errorf("the player shows an error: %s", p.Error)
			}
			return p.State == "playing" && p.presented() > 0, nil
		})
		if err != nil {
			return err
		}
		if p.File != filepath.Join(mountPoint, "영화", "바다 여행.mp4") || p.Title != "바다 여행.mp4" {
			return fmt.Errorf("playing %q titled %q", p.File, p.Title)
		}
		return nil
	})
	v.step("media-seek", func(ctx context.Context) error {
		p, err := v.playerUntil(ctx, "the video playing", func(p playerScreen) bool { return p.position() > 0 })
		if err != nil {
			return err
		}
		from := p.position()
		if err := v.press(ctx, "right"); err != nil {
			return err
		}
		_, err = v.playerUntil(ctx, fmt.Sprintf("a seek forward 30 s from %v", from), func(p playerScreen) bool {
			return p.State == "playing" && p.position() >= from+25*time.Second
		})
		return err
	})
	v.step("media-back", func(ctx context.Context) error {
		if err := v.press(ctx, "back"); err != nil {
			return err
		}
		_, err := v.browser(ctx, "영화")
		return err
	})
	v.step("media-song", func(ctx context.Context) error {
		if err := v.press(ctx, "back"); err != nil {
			return err
		}
		if err := v.openEntry(ctx, "", "Музыка"); err != nil {
			return err
		}
		if err := v.openEntry(ctx, "Музыка", "Песня 1.mp3"); err != nil {
			return err
		}
		// The first song is three seconds: the second comes by itself.
		p, err := until(ctx, v, "player", "the folder's second song", loadWait, func(p songPlayer) (bool, error) {
			if p.State == "error" {
				return false, fmt.Errorf("the player shows an error: %s", p.Error)
			}
			return p.Song != nil && p.Song.Index == 2 && p.State == "playing" && p.Stats != nil && p.Stats.AudioMS > 0, nil
		})
		if err != nil {
			return err
		}
		if p.Title != "Песня 2.mp3" || p.Song.Count != 2 {
			return fmt.Errorf("now playing %q, song %+v", p.Title, p.Song)
		}
		_, err = until(ctx, v, "player", "the song's position to move on", loadWait, func(p songPlayer) (bool, error) {
			return p.Title == "Песня 2.mp3" && p.Stats != nil && p.Stats.PositionMS >= 500, nil
		})
		return err
	})
	v.step("media-shuffle", func(ctx context.Context) error {
		for _, on := range []bool{true, false} { // off again: the box keeps it
			if err := v.press(ctx, "yellow"); err != nil {
				return err
			}
			if _, err := until(ctx, v, "player", fmt.Sprintf("shuffle %v", on), keyWait, func(p songPlayer) (bool, error) {
				return p.Song != nil && p.Song.Shuffle == on && p.Song.Repeat == "off", nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	v.step("media-photo", func(ctx context.Context) error {
		if err := v.press(ctx, "back"); err != nil {
			return err
		}
		if _, err := v.browser(ctx, "Музыка"); err != nil {
			return err
		}
		if err := v.press(ctx, "back"); err != nil {
			return err
		}
		if err := v.openEntry(ctx, "", "Фото"); err != nil {
			return err
		}
		b, err := v.browser(ctx, "Фото")
		if err != nil {
			return err
		}
		// The name written in CP949 by an old Korean system reads in Hangul.
		if !slices.ContainsFunc(b.Entries, func(e browserEntry) bool { return e.Name == "사진.JPG" && e.Kind == "photo" }) {
			return fmt.Errorf("Фото lists %+v, without 사진.JPG", b.Entries)
		}
		if err := v.openEntry(ctx, "Фото", "Ёлка.jpg"); err != nil {
			return err
		}
		p, err := until(ctx, v, "photo", "the photo shown", loadWait, func(p photoScreen) (bool, error) {
			if p.Error != "" {
				return false, fmt.Errorf("the photo cannot be shown: %s", p.Error)
			}
			return p.Loaded, nil
		})
		if err != nil {
			return err
		}
		if p.Name != "Ёлка.jpg" || p.Count != 3 {
			return fmt.Errorf("photo %+v", p)
		}
		return nil
	})
	v.step("media-next-photo", func(ctx context.Context) error {
		if err := v.press(ctx, "right"); err != nil {
			return err
		}
		_, err := until(ctx, v, "photo", "the next photo shown", loadWait, func(p photoScreen) (bool, error) {
			if p.Error != "" {
				return false, fmt.Errorf("the photo cannot be shown: %s", p.Error)
			}
			return p.Loaded && p.Name == "Море.png", nil
		})
		return err
	})
	v.step("media-slideshow", func(ctx context.Context) error {
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		start, err := until(ctx, v, "photo", "the slideshow on", keyWait, func(p photoScreen) (bool, error) { return p.Slideshow, nil })
		if err != nil {
			return err
		}
		// Every 5 s the next, by itself, round to the first after the
		// last; a photo that cannot be shown is passed like the others
		// (사진.JPG's CP949 name does not open through fusefat).
		seen := []int{start.Index}
		if _, err := until(ctx, v, "photo", "the slideshow round to the first photo", time.Duration(2*start.Count)*slideWait, func(p photoScreen) (bool, error) {
			if p.Index != seen[len(seen)-1] {
				seen = append(seen, p.Index)
			}
			return p.Index == 0 && p.Loaded, nil
		}); err != nil {
			return err
		}
		for i, at := range seen[1:] {
			if at != (seen[i]+1)%start.Count {
				return fmt.Errorf("the slideshow showed photos %v, not one after the other", seen)
			}
		}
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		_, err = until(ctx, v, "photo", "the slideshow off", keyWait, func(p photoScreen) (bool, error) { return !p.Slideshow, nil })
		return err
	})
	v.step("media-zoom", func(ctx context.Context) error {
		if err := v.press(ctx, "ff"); err != nil {
			return err
		}
		z, err := until(ctx, v, "photo", "zoomed in 2×, decoded larger", loadWait, func(p photoScreen) (bool, error) {
			return p.Zoom == 2 && p.Detail, nil
		})
		if err != nil {
			return err
		}
		// Zoomed, right moves over the photo, not to the next.
		if err := v.press(ctx, "right"); err != nil {
			return err
		}
		if err := v.press(ctx, "rw"); err != nil {
			return err
		}
		p, err := until(ctx, v, "photo", "zoomed out", keyWait, func(p photoScreen) (bool, error) { return p.Zoom == 1 && !p.Detail, nil })
		if err != nil {
			return err
		}
		if p.Index != z.Index {
			return fmt.Errorf("right while zoomed went from photo %d to %d", z.Index, p.Index)
		}
		return nil
	})
	v.step("media-stick-out", func(ctx context.Context) error {
		if err := v.press(ctx, "back"); err != nil {
			return err
		}
		if _, err := v.browser(ctx, "Фото"); err != nil {
			return err
		}
		if err := v.press(ctx, "back"); err != nil {
			return err
		}
		if err := v.openEntry(ctx, "", "영화"); err != nil {
			return err
		}
		if err := v.openEntry(ctx, "영화", "바다 여행.mp4"); err != nil {
			return err
		}
		if _, err := v.playing(ctx, "the video again", func(p playerScreen) bool { return true }); err != nil {
			return err
		}
		// Pulled out: the automounter detaches it while the video's file
		// is open.
		unmount = nil
		if err := rig.PullFAT(mountPoint); err != nil {
			return fmt.Errorf("pulling the stick out: %w", err)
		}
		h, err := on(ctx, v, "home", "Home after the stick was pulled out", loadWait, func(h mediaHome) bool { return len(h.Media) == 0 })
		if err != nil {
			return err
		}
		if !strings.Contains(h.Notice, "removed") || !strings.Contains(h.Notice, stickLabel) {
			return fmt.Errorf("no message that the stick was removed: %q", h.Notice)
		}
		st, err := v.state(ctx)
		if err != nil {
			return err
		}
		if len(st.Stack) != 1 {
			return fmt.Errorf("screens left over the stick's: %v", st.Stack)
		}
		return nil
	})
}
