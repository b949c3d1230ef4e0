package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/screen"
	"github.com/manbang/manbang/ui/session"
	"github.com/manbang/manbang/ui/state"
)

// clip is a two-second MPEG-TS made with ffmpeg, once for the package.
var clip = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "manbang-ui-clip")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "clip.ts")
	cmd := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "mp2", "-f", "mpegts", file)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, &exec.Error{Name: "ffmpeg " + string(out), Err: err}
	}
	return os.ReadFile(file)
})

func topName(ta *testApp) string { return ta.top().Name() }

// The viewer's path through the catalogue: Home, a category, a title's
// page, playing it with its picture on screen, and back.
func TestAppPlaysATitle(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	ts, err := clip()
	if err != nil {
		t.Skipf("no test stream: %v", err)
	}
	op.Media, op.Stream = ts, op.URL+"/media/clip.ts"
	ta := startApp(t, op, nil)
	homeReady(ta)
	ta.press(remote.KeyDown)
	for range 6 {
		ta.press(remote.KeyRight)
	}
	ta.press(remote.KeyOK)
	topIs(ta, "grid", func(s any) bool { return s.(screen.GridState).Loaded == 6 })
	ta.press(remote.KeyOK)
	topIs(ta, "detail", nil)
	ta.press(remote.KeyOK)
	ta.settle("video", func() bool {
		st, ok := ta.playerReport()
		if ok && st.State == screen.PlayError {
			t.Fatalf("playback failed: %s", st.Error)
		}
		return ok && st.Stats != nil && st.Stats.PresentedFrames > 10
	})
	ta.press(remote.KeyBack)
	if n := topName(ta); n != "detail" {
		t.Fatalf("Back from the player went to %s", n)
	}
	ta.press(remote.KeyHome)
	if n := topName(ta); n != "home" {
		t.Fatalf("Home went to %s", n)
	}
	ta.settle("the session's end", func() bool {
		op.Mu.Lock()
		defer op.Mu.Unlock()
		return op.Ended == op.Sessions && op.Sessions == 1
	})
}

// Volume keys work on every screen, show the volume and persist it.
func TestAppVolumeAndState(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	dir := t.TempDir()
	ta := startApp(t, op, func(c *Config) { c.StateDir = dir })
	homeReady(ta)
	ta.press(remote.KeyVolumeUp, remote.KeyVolumeUp, remote.KeyMute)
	snap := ta.snap.Load()
	if snap.Volume != 90 || !snap.Muted {
		t.Fatalf("volume %d muted %v after up, up, mute", snap.Volume, snap.Muted)
	}
	ta.press(remote.KeyVolumeUp) // un-mutes
	if snap := ta.snap.Load(); snap.Volume != 95 || snap.Muted {
		t.Errorf("volume %d muted %v after another up", snap.Volume, snap.Muted)
	}
	ta.press(remote.KeyMenu)
	ta.press(remote.KeyRight) // language: ko -> en -> ru, from en
	if snap := ta.snap.Load(); snap.Lang != "ru" || topName(ta) != "settings" {
		t.Errorf("after Menu, Right: language %s on %s", snap.Lang, topName(ta))
	}
	ta.saver.Close()
	ta.saver = nil
	st, err := state.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Settings.Volume != 95 || st.Settings.Lang != "ru" {
		t.Errorf("saved settings %+v", st.Settings)
	}
}

// A title rated above the parental limit plays only with the PIN.
func TestAppParentalPIN(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	ta := startApp(t, op, nil)
	s := ta.st.Settings
	s.ParentalRating = "15"
	ta.Apply(s)
	homeReady(ta)
	ta.press(remote.KeyDown, remote.KeyDown, remote.KeyDown, remote.KeyRight, remote.KeyPlayPause) // Midnight Chase, 19
	if n := topName(ta); n != "pin" {
		t.Fatalf("a 19 title opened %s", n)
	}
	ta.press(remote.Key9, remote.Key9, remote.Key9, remote.Key9)
	if st := ta.state().(screen.PINState); st.Message == "" || topName(ta) != "pin" {
		t.Fatalf("a wrong PIN: %+v", st)
	}
	ta.press(remote.Key0, remote.Key0, remote.Key0, remote.Key0)
	if n := topName(ta); n != "player" {
		t.Fatalf("the right PIN opened %s", n)
	}
	ta.press(remote.KeyBack)
	ta.press(remote.KeyLeft, remote.KeyPlayPause) // The Last Train, 15: also asks
	if n := topName(ta); n != "pin" {
		t.Errorf("a 15 title opened %s", n)
	}
}

// Live TV: a number dialled tunes, CH+ zaps in place, Last goes back,
// and the EPG opens from the channel.
func TestAppLiveTV(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	ta := startApp(t, op, func(c *Config) { c.LiveUnicast = true })
	homeReady(ta)
	ta.press(remote.KeyRed)
	topIs(ta, "live", func(s any) bool { return s.(screen.LiveState).Channels == 4 })
	ta.press(remote.Key3)
	ta.clock.advance(screen.DigitTimeout)
	ta.step()
	ta.settle("channel 3", func() bool {
		st, ok := ta.state().(screen.PlayerState)
		return ok && st.Number == 3 && st.State == screen.PlayError
	})
	// The fake head-end has no unicast live streams: it says so, in
	// words the viewer sees.
	if st := ta.state().(screen.PlayerState); st.Programme == "" || st.Error == "" {
		t.Errorf("channel 3: %+v", st)
	}
	stack := len(ta.stack)
	ta.press(remote.KeyChannelUp)
	ta.settle("channel 4", func() bool { st, ok := ta.state().(screen.PlayerState); return ok && st.Number == 4 })
	if len(ta.stack) != stack {
		t.Errorf("zapping grew the screens from %d to %d", stack, len(ta.stack))
	}
	ta.press(remote.KeyLastChannel)
	ta.settle("channel 3 again", func() bool { st, ok := ta.state().(screen.PlayerState); return ok && st.Number == 3 })
	ta.press(remote.KeyGreen)
	topIs(ta, "guide", func(s any) bool { return s.(screen.GuideState).Programmes > 0 })
	if st := ta.state().(screen.GuideState); st.ChannelID != "kids" {
		t.Errorf("the guide opened on %s, want the channel watched, kids", st.ChannelID)
	}
	// Watching from the guide replaces the channel under it: one player.
	ta.press(remote.KeyDown, remote.KeyOK)
	ta.settle("channel 4 from the guide", func() bool { st, ok := ta.state().(screen.PlayerState); return ok && st.Number == 4 })
	players := 0
	for _, n := range ta.snap.Load().Stack {
		if n == "player" {
			players++
		}
	}
	if players != 1 {
		t.Errorf("screens %v: %d players", ta.snap.Load().Stack, players)
	}
}

// An operator that fails is retried until it answers.
func TestAppRetriesTheOperator(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	op.FailUntil = 3 // the client's own retries use these up
	ta := startApp(t, op, nil)
	homeFailed(ta)
	ta.clock.advance(6 * time.Second)
	homeReady(ta)
}

// An operator without live TV leaves Home without a live row and says so
// on the live screen.
func TestAppWithoutLiveTV(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	op.NoLive = true
	ta := startApp(t, op, nil)
	homeReady(ta)
	if st := ta.state().(screen.HomeState); len(st.RowIDs) == 0 || st.RowIDs[0] != "cat:docs" {
		t.Errorf("rows %v", st.RowIDs)
	}
	ta.press(remote.KeyRed)
	topIs(ta, "live", func(s any) bool { return s.(screen.LiveState).Error != "" })
}

// Favourites go to the operator and make a row of Home.
func TestAppFavourites(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	ta := startApp(t, op, nil)
	homeReady(ta)
	ta.press(remote.KeyDown, remote.KeyOK, remote.KeyRight, remote.KeyOK)
	ta.settle("the operator told", func() bool {
		op.Mu.Lock()
		defer op.Mu.Unlock()
		return len(op.Favs) == 1 && op.Favs[0] == "t0"
	})
	ta.press(remote.KeyBack)
	if st := ta.state().(screen.HomeState); len(st.RowIDs) < 2 || st.RowIDs[1] != "favourites" {
		t.Errorf("rows %v, want favourites second", st.RowIDs)
	}
}

// Stopping a title records where it was left, here and, when the viewer
// shares their resume positions, with the operator.
func TestAppRemembersWhereTheViewerStopped(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	ta := startApp(t, op, nil)
	homeReady(ta)
	s := ta.st.Settings
	s.ResumeShared = true
	ta.Apply(s)
	// The title resumed at 95 s fails to open (the fake operator has no
	// stream for it): Back on its error screen leaves it where it would
	// have resumed.
	ta.push(ta.startPlayback(session.Request{Title: ta.op.Titles[3], From: 95 * time.Second}))
	ta.settle("the error screen", func() bool {
		st, ok := ta.state().(screen.PlayerState)
		return ok && st.State == screen.PlayError
	})
	ta.press(remote.KeyBack)
	if pos, ok := ta.st.ResumeAt("t3"); !ok || pos != 95*time.Second {
		t.Errorf("resume at %v, %v", pos, ok)
	}
	ta.settle("the operator told", func() bool {
		op.Mu.Lock()
		defer op.Mu.Unlock()
		return op.Resume["t3"] == 95
	})
	if st := ta.state().(screen.HomeState); st.RowIDs[0] != "continue" {
		t.Errorf("rows %v, want continue first", st.RowIDs)
	}
}
