//go:build walk

package walk

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// walkGuide: the guide (green key) with its channels and programmes, the
// focus moved to another channel, to the next programme and back to the
// one on now, and OK there playing the channel.
func walkGuide(t *testing.T) {
	v := newViewer(t)
	var g guideScreen

	v.step("guide", func(ctx context.Context) error {
		if _, err := v.home(ctx); err != nil {
			return err
		}
		if err := v.press(ctx, "green"); err != nil {
			return err
		}
		var err error
		g, err = until(ctx, v, "guide", "the guide with programmes", loadWait, func(g guideScreen) (bool, error) {
			if g.Error != "" {
				return false, fmt.Errorf("the guide shows an error: %s", g.Error)
			}
			return g.Channels > 0 && g.Programmes > 0, nil
		})
		if err != nil {
			return err
		}
		return g.onNow(time.Now())
	})
	v.step("guide-next-channel", func(ctx context.Context) error {
		if g.Channels < 2 {
			return fmt.Errorf("the guide has %d channel: want 2 or more", g.Channels)
		}
		was := g.ChannelID
		var err error
		g, err = move(ctx, v, "guide", "down", 1, func(g guideScreen) string { return g.ChannelID }, func(g guideScreen) bool { return g.ChannelID != was })
		if err != nil {
			return err
		}
		return g.onNow(time.Now())
	})
	v.step("guide-next-programme", func(ctx context.Context) error {
		was := g.Start
		var err error
		// Near midnight the next programme is the next day's, fetched
		// after the press: wait for it, not only for the focus to leave.
		g, err = move(ctx, v, "guide", "right", 1, func(g guideScreen) string { return g.Start }, func(g guideScreen) bool { return g.Start != was })
		if err == nil && g.Programme == "" {
			g, err = until(ctx, v, "guide", "the next programme", loadWait, func(g guideScreen) (bool, error) { return g.Programme != "", nil })
		}
		if err != nil {
			return err
		}
		if !g.start().After(time.Now()) {
			return fmt.Errorf("the programme after the one on now is %q at %s: want one later", g.Programme, g.Start)
		}
		return nil
	})
	v.step("guide-programme-on-now", func(ctx context.Context) error {
		was := g.Start
		var err error
		g, err = move(ctx, v, "guide", "left", 1, func(g guideScreen) string { return g.Start }, func(g guideScreen) bool { return g.Start != was })
		if err == nil && g.Programme == "" {
			g, err = until(ctx, v, "guide", "the programme on now", loadWait, func(g guideScreen) (bool, error) { return g.Programme != "", nil })
		}
		if err != nil {
			return err
		}
		return g.onNow(time.Now())
	})
	v.step("guide-play", func(ctx context.Context) error {
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		if _, err := v.playing(ctx, "channel "+g.ChannelID+" from the guide", func(p playerScreen) bool { return p.ChannelID == g.ChannelID }); err != nil {
			return err
		}
		return v.videoShown(ctx)
	})
}

// onNow checks that the guide's focus is on a channel's programme on now.
func (g guideScreen) onNow(now time.Time) error {
	if g.ChannelID == "" || g.Programme == "" || g.start().IsZero() || g.start().After(now) {
		return fmt.Errorf("the guide's focus is on channel %q, programme %q at %q: want the programme on now", g.ChannelID, g.Programme, g.Start)
	}
	return nil
}
