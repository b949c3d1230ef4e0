//go:build walk

package walk

import (
	"context"
	"fmt"
	"strconv"
	"testing"
)

// walkLive: a channel from Home's live row, then from the channel list
// (red key), CH+ and CH-, a channel number dialled with the digits, and
// Last back to the channel before. Each must play.
func walkLive(t *testing.T) {
	v := newViewer(t)
	var ch string // the channel playing
	var num, before int

	v.step("live-row", func(ctx context.Context) error {
		h, err := v.focusHomeRow(ctx, "live")
		if err != nil {
			return err
		}
		if h.Focus.Kind != "channel" || h.Focus.ChannelID == "" {
			return fmt.Errorf("the live row's focus is a %s (%q), not a channel", h.Focus.Kind, h.Focus.ChannelID)
		}
		ch = h.Focus.ChannelID
		return nil
	})
	v.step("live-from-home", func(ctx context.Context) error {
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		p, err := v.playing(ctx, "channel "+ch, func(p playerScreen) bool { return p.ChannelID == ch })
		if err != nil {
			return err
		}
		if p.Number <= 0 {
			return fmt.Errorf("channel %s plays with no number", ch)
		}
		return v.videoShown(ctx)
	})
	v.step("live-list", func(ctx context.Context) error {
		if err := v.backTo(ctx, "home", 1); err != nil {
			return err
		}
		if err := v.press(ctx, "red"); err != nil {
			return err
		}
		l, err := on(ctx, v, "live", "the channel list", loadWait, func(l liveScreen) bool { return l.Channels > 0 || l.Error != "" })
		if err != nil {
			return err
		}
		switch {
		case l.Error != "":
			return fmt.Errorf("the channel list shows an error: %s", l.Error)
		case l.Channels < 3:
			return fmt.Errorf("the channel list has %d channels: want 3 or more to zap", l.Channels)
		case l.ChannelID != ch:
			return fmt.Errorf("the channel list's focus is %s: want %s, watched last", l.ChannelID, ch)
		}
		return nil
	})
	v.step("live-from-list", func(ctx context.Context) error {
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		p, err := v.playing(ctx, "channel "+ch, func(p playerScreen) bool { return p.ChannelID == ch })
		num = p.Number
		return err
	})
	v.step("channel-up", func(ctx context.Context) error {
		return v.zap(ctx, "ch+", &ch, &num, func(n int) bool { return n > num })
	})
	v.step("channel-down", func(ctx context.Context) error {
		was := num
		err := v.zap(ctx, "ch-", &ch, &num, func(n int) bool { return n < was })
		before = was
		return err
	})
	v.step("dial-number", func(ctx context.Context) error {
		// A number neither playing nor watched before, dialled and left
		// to time out, as a viewer does.
		dial := 4
		for dial == num || dial == before {
			dial++
		}
		digits := strconv.Itoa(dial)
		if err := v.press(ctx, digits); err != nil {
			return err
		}
		if _, err := on(ctx, v, "player", "the digits "+digits+" shown", keyWait, func(p playerScreen) bool { return p.Digits == digits }); err != nil {
			return err
		}
		before = num
		return v.zap(ctx, "", &ch, &num, func(n int) bool { return n == dial })
	})
	v.step("last-channel", func(ctx context.Context) error {
		want := before
		return v.zap(ctx, "last", &ch, &num, func(n int) bool { return n == want })
	})
	v.step("live-back-home", func(ctx context.Context) error {
		if err := v.backTo(ctx, "live", 1); err != nil {
			return err
		}
		if err := v.backTo(ctx, "home", 1); err != nil {
			return err
		}
		_, err := v.home(ctx)
		return err
	})
}

// zap presses key (none: the channel is on its way already) and waits
// for a channel whose number want accepts to play; ch and num become it.
func (v *viewer) zap(ctx context.Context, key string, ch *string, num *int, want func(int) bool) error {
	if key != "" {
		if err := v.press(ctx, key); err != nil {
			return err
		}
	}
	what := fmt.Sprintf("the channel after %s from %d", key, *num)
	if key == "" {
		what = fmt.Sprintf("the channel dialled, from %d", *num)
	}
	p, err := v.playing(ctx, what, func(p playerScreen) bool { return p.ChannelID != "" && want(p.Number) })
	if err != nil {
		return err
	}
	if p.ChannelID == *ch {
		return fmt.Errorf("%s is still %s", what, p.ChannelID)
	}
	*ch, *num = p.ChannelID, p.Number
	return v.videoShown(ctx)
}
