package app

import (
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/mounts"
	"github.com/manbang/manbang/ui/screen"
	"github.com/manbang/manbang/ui/state"
)

// mountTable stands in for the kernel's mount table, which a test
// cannot change without privileges: the test says what is mounted, the
// files are real. ui/mounts tests the watcher itself, and the walk
// mounts a real FAT image under the box's media root.
type mountTable struct {
	now     []mounts.Medium
	changes chan []mounts.Medium
}

func newMountTable(ms ...mounts.Medium) *mountTable {
	return &mountTable{now: ms, changes: make(chan []mounts.Medium, 1)}
}

func (m *mountTable) Media() []mounts.Medium          { return m.now }
func (m *mountTable) Changes() <-chan []mounts.Medium { return m.changes }
func (m *mountTable) Close() error                    { return nil }

func ffmpeg(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-loglevel", "error", "-y"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// mediumFiles makes a stick's files: a 10 s video, two songs of a second,
// a photo and a file that claims to be one.
func mediumFiles(t *testing.T) mounts.Medium {
	t.Helper()
	root := filepath.Join(t.TempDir(), "가족")
	for _, d := range []string{"영상", "Музыка", "Фото"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "mp2", "-f", "mpegts",
		filepath.Join(root, "영상", "바다.ts"))
	for i, name := range []string{"Песня 1.mp3", "Песня 2.mp3"} {
		ffmpeg(t, "-f", "lavfi", "-i", "sine=frequency="+[]string{"440", "660"}[i]+":sample_rate=44100", "-t", "1",
			"-c:a", "libmp3lame", "-b:a", "64k", filepath.Join(root, "Музыка", name))
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.Set(0, 0, color.White)
	f, err := os.Create(filepath.Join(root, "Фото", "Ёлка.png"))
	if err != nil {
		t.Fatal(err)
	}
	png.Encode(f, img)
	f.Close()
	os.WriteFile(filepath.Join(root, "Фото", "Море.jpg"), []byte("not a JPEG at all"), 0o644)
	return mounts.Medium{Path: root, Label: "가족", FSType: "vfat", Size: 4 << 30, ReadOnly: true}
}

func (ta *testApp) browser() screen.BrowserState {
	ta.t.Helper()
	st, ok := ta.state().(screen.BrowserState)
	if !ok {
		ta.t.Fatalf("on %s, not the browser", ta.top().Name())
	}
	return st
}

// inFolder waits for the browser to list dir ("" the root).
func (ta *testApp) inFolder(dir string) {
	ta.t.Helper()
	topIs(ta, "browser", func(s any) bool { st := s.(screen.BrowserState); return st.Loaded && st.Dir == dir })
}

// focusEntry moves the browser's focus to the entry named name.
func (ta *testApp) focusEntry(name string) {
	ta.t.Helper()
	st := ta.browser()
	for i, e := range st.Entries {
		if e.Name == name {
			for d := i + st.First - st.Focus; d != 0; {
				if d > 0 {
					ta.press(remote.KeyDown)
					d--
				} else {
					ta.press(remote.KeyUp)
					d++
				}
			}
			if f := ta.browser().Focused; f == nil || f.Name != name {
				ta.t.Fatalf("focus on %+v, want %s", f, name)
			}
			return
		}
	}
	ta.t.Fatalf("no %q in %+v", name, st.Entries)
}

// The viewer's path through their own stick: Home shows it; its browser
// plays a video and a folder of songs one after the other and shows
// photos, a broken one with its name; and while the video plays no
// request reaches the operator. Pulling the stick out during playback
// brings Home back with a message.
func TestAppMedia(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is needed to make the stick's files")
	}
	op := apptest.NewFakeOperator(t)
	var requests atomic.Int64
	served := op.Config.Handler
	op.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		served.ServeHTTP(w, r)
	})
	m := mediumFiles(t)
	table := newMountTable(m)
	ta := startApp(t, op, func(c *Config) { c.MediaWatcher = table })
	homeReady(ta)
	home := ta.state().(screen.HomeState)
	if len(home.Media) != 1 || home.RowIDs[0] != "media" || home.Focus == nil || home.Focus.Kind != "medium" {
		t.Fatalf("Home: %+v", home)
	}

	ta.press(remote.KeyOK)
	ta.inFolder("")
	ta.focusEntry("영상")
	ta.press(remote.KeyOK)
	ta.inFolder("영상")

	before := requests.Load()
	ta.press(remote.KeyOK)
	ta.settle("the video", func() bool {
		st, ok := ta.playerReport()
		if ok && st.State == screen.PlayError {
			t.Fatalf("the video failed: %s", st.Error)
		}
		return ok && st.Stats != nil && st.Stats.PresentedFrames > 10
	})
	if st, _ := ta.playerReport(); st.File != filepath.Join(m.Path, "영상", "바다.ts") || st.Title != "바다.ts" {
		t.Errorf("playing %q as %q", st.File, st.Title)
	}
	ta.press(remote.KeyBack)
	ta.inFolder("영상")
	ta.settle("the player closed", func() bool { return ta.pb == nil })
	if n := requests.Load() - before; n != 0 {
		t.Errorf("%d requests reached the operator while a file of the stick played", n)
	}

	// Songs: the first, then the next of the folder by itself.
	ta.press(remote.KeyBack)
	ta.inFolder("")
	ta.focusEntry("Музыка")
	ta.press(remote.KeyOK)
	ta.inFolder("Музыка")
	ta.press(remote.KeyOK)
	ta.settle("the second song", func() bool {
		st, ok := ta.playerReport()
		if ok && st.State == screen.PlayError {
			t.Fatalf("the song failed: %s", st.Error)
		}
		return ok && st.Song != nil && st.Song.Index == 2 && st.Title == "Песня 2.mp3"
	})
	if st, _ := ta.playerReport(); st.Song.Count != 2 || st.Song.Folder != "가족 › Музыка" {
		t.Errorf("song %+v", st.Song)
	}
	if names := ta.Report().(*Snapshot).Stack; strings.Join(names, " ") != "home browser player" {
		t.Errorf("stack %q, want the next song in the place of the first", names)
	}
	// Repeat one: the last song again, on a screen of its own.
	ta.press(remote.KeyBlue)
	ta.press(remote.KeyBlue)
	heard := ta.top()
	if st, _ := ta.playerReport(); st.Song.Repeat != "one" || ta.st.Settings.Repeat != state.RepeatOne {
		t.Fatalf("Blue twice: %+v, settings %q", st.Song, ta.st.Settings.Repeat)
	}
	ta.settle("the song again", func() bool {
		st, ok := ta.playerReport()
		return ok && ta.top() != heard && st.Song != nil && st.Song.Index == 2 && st.State == screen.PlayPlaying
	})
	ta.press(remote.KeyBlue)
	ta.press(remote.KeyBack)
	ta.inFolder("Музыка")

	// Photos: one decoded off the loop, one that is not a photo.
	ta.press(remote.KeyBack)
	ta.inFolder("")
	ta.focusEntry("Фото")
	ta.press(remote.KeyOK)
	ta.inFolder("Фото")
	ta.focusEntry("Ёлка.png")
	ta.press(remote.KeyOK)
	topIs(ta, "photo", func(s any) bool { return s.(screen.PhotoState).Loaded })
	if st := ta.state().(screen.PhotoState); st.Width != 64 || st.Height != 48 {
		t.Errorf("photo %+v", st)
	}
	ta.press(remote.KeyFastForward)
	topIs(ta, "photo", func(s any) bool { return s.(screen.PhotoState).Detail })
	if st := ta.state().(screen.PhotoState); st.Zoom != 2 || st.Width != 64 {
		t.Errorf("zoomed photo %+v: a small photo is not made larger", st)
	}
	ta.press(remote.KeyRewind)
	ta.press(remote.KeyRight)
	topIs(ta, "photo", func(s any) bool { return s.(screen.PhotoState).Error != "" })
	if st := ta.state().(screen.PhotoState); st.Name != "Море.jpg" || !strings.Contains(st.Error, "not a JPEG or PNG") {
		t.Errorf("broken photo %+v", st)
	}
	ta.press(remote.KeyBack)
	ta.inFolder("Фото")
	ta.press(remote.KeyBack)
	ta.inFolder("")

	// The stick goes while its video plays.
	ta.focusEntry("영상")
	ta.press(remote.KeyOK)
	ta.inFolder("영상")
	ta.press(remote.KeyOK)
	ta.settle("the video again", func() bool {
		st, ok := ta.playerReport()
		return ok && st.Stats != nil && st.Stats.PresentedFrames > 5
	})
	table.changes <- nil
	topIs(ta, "home", func(s any) bool { return strings.Contains(s.(screen.HomeState).Notice, "removed") })
	home = ta.state().(screen.HomeState)
	if len(home.Media) != 0 || ta.pb != nil || len(ta.stack) != 1 {
		t.Errorf("after the stick went: %+v, playing %v, %d screens", home, ta.pb != nil, len(ta.stack))
	}
	if !strings.Contains(home.Notice, "가족") {
		t.Errorf("notice %q does not name the stick", home.Notice)
	}

	// It comes back: a notice says so.
	table.changes <- []mounts.Medium{m}
	ta.settle("the stick again", func() bool {
		st := ta.state().(screen.HomeState)
		return len(st.Media) == 1 && strings.Contains(st.Notice, "connected")
	})
}

// A folder of the stick that cannot be read says so and names it.
func TestAppMediaUnreadable(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	root := filepath.Join(t.TempDir(), "gone")
	ta := startApp(t, op, func(c *Config) {
		c.MediaWatcher = newMountTable(mounts.Medium{Path: root, Label: "OLD", FSType: "vfat"})
	})
	homeReady(ta)
	ta.press(remote.KeyOK)
	ta.inFolder("")
	if st := ta.browser(); !strings.Contains(st.Error, "no such file") {
		t.Errorf("error %q", st.Error)
	}
	texts := strings.Join(ta.draw(ta.clock.now()).Texts(), "|")
	if !strings.Contains(texts, "Cannot read the folder “OLD”") {
		t.Errorf("no message naming the folder: %s", texts)
	}
	ta.press(remote.KeyBack)
	topIs(ta, "home", nil)
}
