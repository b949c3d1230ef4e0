package app

import (
	"testing"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/screen"
)

// playingChannel waits until the player shows channel n.
func playingChannel(ta *testApp, n int) {
	ta.t.Helper()
	ta.settle("channel", func() bool {
		st, ok := ta.state().(screen.PlayerState)
		return ok && st.Number == n && topName(ta) == "player"
	})
}

// A channel rated at or above the parental limit asks for the PIN however
// it is tuned to (a number, CH+ and CH-, the list, the guide); CH+ and
// CH- go past it; once entered, the PIN is not asked again in the
// session, until the parental settings change.
func TestAppChannelPIN(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	op.Channels[1].Rating = "19" // 2 Manbang Drama
	op.Channels[3].Rating = "15" // 4 Manbang Docs
	op.Channels[2].Rating = "ALL"
	ta := startApp(t, op, func(c *Config) { c.LiveUnicast = true })
	s := ta.st.Settings
	s.ParentalRating = "15"
	ta.Apply(s)
	homeReady(ta)
	ta.press(remote.KeyRed)
	topIs(ta, "live", func(s any) bool { return s.(screen.LiveState).Channels == 4 })

	// From the list: OK on channel 2.
	ta.press(remote.KeyDown, remote.KeyOK)
	if n := topName(ta); n != "pin" {
		t.Fatalf("channel 2 (19) from the list opened %s", n)
	}
	if st := ta.state().(screen.PINState); st.Prompt == "" {
		t.Errorf("prompt %+v", st)
	}
	ta.press(remote.KeyBack)
	if n := topName(ta); n != "live" {
		t.Fatalf("Back from the prompt went to %s", n)
	}

	// By number: 1 is not rated and plays; CH+ to 2 asks; CH+ in the
	// prompt goes on to 3.
	ta.press(remote.Key1)
	ta.press(remote.KeyOK)
	playingChannel(ta, 1)
	ta.press(remote.KeyChannelUp)
	if n := topName(ta); n != "pin" {
		t.Fatalf("CH+ to channel 2 opened %s", n)
	}
	ta.press(remote.KeyChannelUp)
	playingChannel(ta, 3)
	// CH+ to 4 (15) asks too; CH- in the prompt goes down from 4, to 3.
	ta.press(remote.KeyChannelUp)
	if n := topName(ta); n != "pin" {
		t.Fatalf("CH+ to channel 4 opened %s", n)
	}
	ta.press(remote.KeyChannelDown)
	playingChannel(ta, 3)

	// A number that is locked: 2, then the PIN.
	ta.press(remote.Key2, remote.KeyOK)
	if n := topName(ta); n != "pin" {
		t.Fatalf("dialling 2 opened %s", n)
	}
	ta.press(remote.Key1, remote.Key1, remote.Key1, remote.Key1)
	if st := ta.state().(screen.PINState); st.Message == "" {
		t.Fatalf("a wrong PIN was taken: %+v", st)
	}
	ta.press(remote.Key0, remote.Key0, remote.Key0, remote.Key0)
	playingChannel(ta, 2)
	players := 0
	for _, n := range ta.snap.Load().Stack {
		if n == "player" {
			players++
		}
	}
	if players != 1 {
		t.Errorf("screens %v: want one player", ta.snap.Load().Stack)
	}

	// Remembered for the session: 4 and back to 2 without asking.
	ta.press(remote.KeyChannelUp, remote.KeyChannelUp)
	playingChannel(ta, 4)
	ta.press(remote.KeyLastChannel) // 3
	playingChannel(ta, 3)
	ta.press(remote.KeyChannelDown)
	playingChannel(ta, 2)

	// A new PIN locks the channels again; the guide asks too.
	s = ta.st.Settings
	s.PIN = "1234"
	ta.Apply(s)
	ta.press(remote.KeyChannelUp)
	playingChannel(ta, 3)
	ta.press(remote.KeyGreen)
	topIs(ta, "guide", func(s any) bool { return s.(screen.GuideState).Programmes > 0 })
	ta.press(remote.KeyUp, remote.KeyOK)
	if n := topName(ta); n != "pin" {
		t.Fatalf("channel 2 from the guide opened %s", n)
	}
	ta.press(remote.Key1, remote.Key2, remote.Key3, remote.Key4)
	playingChannel(ta, 2)
}
