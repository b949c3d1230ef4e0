package ui

import (
	"context"
	"sync"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/ui/screen"
)

// endedLinger is how long "The end" stays before Home comes back.
const endedLinger = 2 * time.Second

// playback is one title being played: the player, its screen, and the
// frame the screen shows.
type playback struct {
	screen  *screen.Player
	cancel  context.CancelFunc
	slot    *videoSlot
	player  *player.Player // nil while opening
	session string
	current *media.VideoFrame
	endedAt time.Time
}

// videoSlot is the player's VideoSink for the UI: the presenter puts each
// due frame in, the render loop takes the newest out. A frame replaced
// before the loop took it was never seen, and goes back to its pool.
type videoSlot struct {
	mu   sync.Mutex
	next *media.VideoFrame
}

func (v *videoSlot) Present(f *media.VideoFrame) {
	v.mu.Lock()
	old := v.next
	v.next = f
	v.mu.Unlock()
	old.Release()
}

func (v *videoSlot) take() *media.VideoFrame {
	v.mu.Lock()
	defer v.mu.Unlock()
	f := v.next
	v.next = nil
	return f
}

// Play implements screen.Host: it asks the operator for the title's stream
// and plays it on a new Player screen.
func (a *App) Play(t operator.Title) {
	a.push(a.startPlayback(t, ""))
}

// startPlayback opens locator, or when it is empty asks the operator for
// t's stream first. All network work happens on a goroutine.
func (a *App) startPlayback(t operator.Title, locator string) *screen.Player {
	a.stopPlayback()
	ctx, cancel := context.WithCancel(a.ctx)
	pb := &playback{screen: screen.NewPlayer(a, t, nil), cancel: cancel, slot: &videoSlot{}}
	a.pb = pb
	go func() {
		url, session := locator, ""
		if url == "" {
			sess, err := a.client.StartSession(ctx, operator.PlayRequest{TitleID: t.ID})
			if err != nil {
				a.post(func() { pb.screen.SetError(err) })
				return
			}
			url, session = sess.URL, sess.ID
		}
		p, err := player.Open(ctx, url, player.Options{Video: pb.slot, Audio: a.cfg.Audio, Logger: a.log})
		a.post(func() {
			pb.session = session
			if err != nil {
				pb.screen.SetError(err)
				return
			}
			if a.pb != pb { // the viewer left while it opened
				go p.Close()
				return
			}
			pb.player = p
			pb.screen.SetControl(p)
		})
	}()
	return pb.screen
}

// updatePlayback hands the newest frame to the Player screen and notices
// the end of the stream.
func (a *App) updatePlayback() {
	pb := a.pb
	if pb == nil {
		return
	}
	if f := pb.slot.take(); f != nil {
		pb.current.Release()
		pb.current = f
		pb.screen.SetFrame(f)
	}
	if pb.player == nil {
		return
	}
	select {
	case <-pb.player.Done():
	default:
		return
	}
	if pb.endedAt.IsZero() {
		pb.endedAt = time.Now()
		if err := pb.player.Err(); err != nil {
			a.log.Warn("playback ended", "err", err)
			pb.screen.SetError(err)
		} else {
			pb.screen.SetEnded()
		}
	}
	if pb.player.Err() == nil && time.Since(pb.endedAt) > endedLinger && a.top() == pb.screen {
		a.Back()
	}
}

// stopPlayback ends the current playback without blocking the render loop.
func (a *App) stopPlayback() {
	pb := a.pb
	if pb == nil {
		return
	}
	a.pb = nil
	pb.cancel()
	pb.screen.SetFrame(nil)
	a.closing.Add(1)
	go func() {
		defer a.closing.Done()
		if pb.player != nil {
			pb.player.Close()
		}
		pb.slot.take().Release()
		pb.current.Release()
		if pb.session != "" && a.client != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			a.client.EndSession(ctx, pb.session)
		}
	}()
}
