//go:build walk

package walk

import (
	"context"
	"fmt"
	"testing"
)

type privacyScreen struct {
	Focus        string         `json:"focus"`
	ResumeShared bool           `json:"resume_shared"`
	Remembered   map[string]int `json:"remembered"`
}

// walkPrivacy: what the box remembers, from Settings: a channel watched
// is counted, cleared with OK, and whether the operator is told where the
// viewer stopped is chosen with the arrows (this box only on a new box).
func walkPrivacy(t *testing.T) {
	v := newViewer(t)
	v.step("privacy-watch-a-channel", func(ctx context.Context) error {
		if _, err := v.focusHomeRow(ctx, "live"); err != nil {
			return err
		}
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		_, err := v.playing(ctx, "a channel from Home", func(p playerScreen) bool { return p.ChannelID != "" })
		return err
	})
	v.step("privacy-open", func(ctx context.Context) error {
		if err := v.backTo(ctx, "home", 1); err != nil {
			return err
		}
		if err := v.openSetting(ctx, "privacy"); err != nil {
			return err
		}
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		p, err := on(ctx, v, "privacy", "what the box remembers", keyWait, func(p privacyScreen) bool { return p.Remembered != nil })
		if err != nil {
			return err
		}
		if p.ResumeShared {
			return fmt.Errorf("a new box tells the operator where the viewer stopped")
		}
		if p.Remembered["channels"] < 1 || p.Remembered["all"] < 1 {
			return fmt.Errorf("after watching a channel the box remembers %v", p.Remembered)
		}
		return nil
	})
	v.step("privacy-clear-all", func(ctx context.Context) error {
		if err := v.press(ctx, "down", "down", "down", "down", "ok"); err != nil {
			return err
		}
		_, err := on(ctx, v, "privacy", "everything cleared", keyWait, func(p privacyScreen) bool {
			return p.Focus == "all" && p.Remembered["all"] == 0 && p.Remembered["channels"] == 0
		})
		return err
	})
	v.step("privacy-share-resume", func(ctx context.Context) error {
		if err := v.press(ctx, "up", "up", "up", "up", "right"); err != nil {
			return err
		}
		if _, err := on(ctx, v, "privacy", "resume positions shared with the operator", keyWait, func(p privacyScreen) bool {
			return p.Focus == "keep_resume" && p.ResumeShared
		}); err != nil {
			return err
		}
		if err := v.press(ctx, "left"); err != nil {
			return err
		}
		_, err := on(ctx, v, "privacy", "resume positions on this box only", keyWait, func(p privacyScreen) bool { return !p.ResumeShared })
		return err
	})
	v.step("privacy-back", func(ctx context.Context) error {
		if err := v.press(ctx, "back"); err != nil {
			return err
		}
		_, err := on(ctx, v, "settings", "Settings after Back", keyWait, func(st settingsScreen) bool { return st.Focus == "privacy" })
		return err
	})
}
