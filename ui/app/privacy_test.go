package app

import (
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/screen"
	"github.com/manbang/manbang/ui/session"
	"github.com/manbang/manbang/ui/state"
)

// stopAt95 plays the fourth title from 95 s; the fake operator has no
// stream for it, and Back on its error screen leaves it where it would
// have resumed.
func stopAt95(ta *testApp) {
	ta.push(ta.startPlayback(session.Request{Title: ta.op.Titles[3], From: 95 * time.Second}))
	ta.settle("the error screen", func() bool {
		st, ok := ta.state().(screen.PlayerState)
		return ok && st.State == screen.PlayError
	})
	ta.press(remote.KeyBack)
}

// A new box keeps where the viewer stopped to itself: it neither tells
// the operator nor reads the operator's list.
func TestAppKeepsResumeOnTheBoxByDefault(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	ta := startApp(t, op, nil)
	homeReady(ta)
	stopAt95(ta)
	if pos, ok := ta.st.ResumeAt("t3"); !ok || pos != 95*time.Second {
		t.Errorf("resume at %v, %v", pos, ok)
	}
	// A favourite, sent after the stop, reaches the operator: by then a
	// resume position would have too.
	ta.SetFavourite(op.Titles[0], true)
	ta.settle("the favourite told", func() bool {
		op.Mu.Lock()
		defer op.Mu.Unlock()
		return len(op.Favs) == 1
	})
	op.Mu.Lock()
	defer op.Mu.Unlock()
	if len(op.Resume) != 0 || op.ResumeReads != 0 {
		t.Errorf("the operator was told %v and asked %d times for its list", op.Resume, op.ResumeReads)
	}
}

// What this box remembers is cleared from its screen, and a shared copy
// with the operator goes too; choosing "on this box only" has the
// operator forget it, choosing to share again reads the operator's list.
func TestAppForgets(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	dir := t.TempDir()
	local := state.Default()
	local.Settings.ResumeShared = true
	local.Recent = []string{"김치", "news"}
	local.LastChannel, local.PrevChannel = "news24", "kids"
	if err := state.Save(dir, local); err != nil {
		t.Fatal(err)
	}
	ta := startApp(t, op, func(c *Config) { c.StateDir = dir })
	homeReady(ta)
	stopAt95(ta)
	ta.settle("the operator told", func() bool {
		op.Mu.Lock()
		defer op.Mu.Unlock()
		return op.Resume["t3"] == 95
	})
	ta.push(screen.NewPrivacy(ta.App))
	remembered := func() map[string]int { return ta.state().(screen.PrivacyState).Remembered }
	if r := remembered(); r[state.ForgetResume] != 1 || r[state.ForgetSearches] != 2 || r[state.ForgetChannels] != 2 || r["all"] != 5 {
		t.Fatalf("remembered %v", r)
	}
	ta.press(remote.KeyDown, remote.KeyOK) // Where I stopped: clear
	ta.settle("the operator forgot", func() bool {
		op.Mu.Lock()
		defer op.Mu.Unlock()
		return op.Forgets == 1 && len(op.Resume) == 0
	})
	if r := remembered(); r[state.ForgetResume] != 0 || r[state.ForgetSearches] != 2 {
		t.Errorf("after clearing where I stopped: %v", r)
	}
	ta.press(remote.KeyDown, remote.KeyDown, remote.KeyDown, remote.KeyOK) // Everything above
	ta.settle("the operator forgot on clearing everything", func() bool {
		op.Mu.Lock()
		defer op.Mu.Unlock()
		return op.Forgets == 2
	})
	if r := remembered(); r["all"] != 0 || len(ta.st.Recent) != 0 || ta.st.LastChannel != "" {
		t.Errorf("after clearing everything: %v, recent %v, last channel %q", r, ta.st.Recent, ta.st.LastChannel)
	}
	// On this box only: the operator forgets its copy.
	ta.press(remote.KeyUp, remote.KeyUp, remote.KeyUp, remote.KeyUp, remote.KeyRight)
	if st := ta.state().(screen.PrivacyState); st.Focus != "keep_resume" || st.ResumeShared || ta.st.Settings.ResumeShared {
		t.Fatalf("after choosing this box only: %+v", st)
	}
	ta.settle("the operator forgot again", func() bool {
		op.Mu.Lock()
		defer op.Mu.Unlock()
		return op.Forgets == 3
	})
	// Shared again: the operator's list is read.
	op.Mu.Lock()
	reads := op.ResumeReads
	op.Mu.Unlock()
	ta.press(remote.KeyRight)
	ta.settle("the operator's list read", func() bool {
		op.Mu.Lock()
		defer op.Mu.Unlock()
		return op.ResumeReads > reads
	})
	ta.press(remote.KeyBack)
	if st := ta.state().(screen.HomeState); len(st.RowIDs) > 0 && st.RowIDs[0] == "continue" {
		t.Errorf("Home still continues: rows %v", st.RowIDs)
	}
}

// An operator's address in plain http:// to another machine is refused
// before anything is sent to it (the device token goes only over TLS),
// and Home says so in the viewer's words, with no retry on a timer.
func TestAppRefusesAnInsecureOperator(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	ta := startApp(t, op, func(c *Config) { c.Operator = "http://10.0.0.1:8080" })
	homeFailed(ta)
	rec := ta.draw(ta.clock.now())
	if _, ok := rec.FindText("The operator's address is not secure"); !ok {
		t.Errorf("Home does not say the address is not secure: %q", rec.Texts())
	}
	if _, ok := rec.FindText("https://"); !ok {
		t.Errorf("Home does not say what to do: %q", rec.Texts())
	}
}
