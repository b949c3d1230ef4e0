//go:build walk

package walk

import (
	"context"
	"fmt"
	"image"
	"strings"
	"testing"

	"github.com/manbang/manbang/build/internal/rig"
)

// ratedTitle is a demo title rated 15 (headend/demo/catalog.json), in
// the category films.
const ratedTitle, ratedRow = "film-last-train", "cat:films"

// newPIN is the parental PIN the walk sets; a new box's is 0000.
const oldPIN, newPIN = "0000", "1234"

// walkSettings: Settings from the menu key; the UI language, and Home's
// words in it; a new parental PIN, then a limit, which asks for it (a
// wrong PIN refused); a rated title asking for the PIN before playing;
// overscan shrinking the picture and back.
func walkSettings(t *testing.T) {
	v := newViewer(t)
	var homeKo image.Image
	var focusKo string
	var settingsAt image.Image

	v.step("settings", func(ctx context.Context) error {
		h, err := v.home(ctx)
		if err != nil {
			return err
		}
		s, err := v.state(ctx)
		if err != nil {
			return err
		}
		if s.Lang != "ko" || h.Focus == nil || !letters(h.Focus.Title, "ko") {
			return fmt.Errorf("a new box's Home is in %q, its focus on %+v: want Korean", s.Lang, h.Focus)
		}
		focusKo = h.Focus.Title
		if homeKo, err = v.picture(ctx); err != nil {
			return err
		}
		if err := v.press(ctx, "menu"); err != nil {
			return err
		}
		_, err = on(ctx, v, "settings", "Settings", keyWait, func(st settingsScreen) bool { return st.Focus == "language" && st.Values["language"] != "" })
		return err
	})
	v.step("language", func(ctx context.Context) error {
		st, err := on[settingsScreen](ctx, v, "settings", "Settings", keyWait, nil)
		if err != nil {
			return err
		}
		was := st.Values["language"]
		if err := v.press(ctx, "right"); err != nil {
			return err
		}
		if _, err := v.box.WaitState(ctx, keyWait, func(s rig.State) bool { return s.Lang == "en" }); err != nil {
			return fmt.Errorf("the language to be English after right: %w", err)
		}
		_, err = on(ctx, v, "settings", "the language entry to change", keyWait, func(st settingsScreen) bool { return st.Values["language"] != was })
		return err
	})
	v.step("home-in-english", func(ctx context.Context) error {
		if err := v.backTo(ctx, "home", 1); err != nil {
			return err
		}
		h, err := on(ctx, v, "home", "Home in English", keyWait, func(h homeScreen) bool { return h.Focus != nil && h.Focus.Title != focusKo })
		if err != nil {
			return err
		}
		if !letters(h.Focus.Title, "en") || letters(h.Focus.Title, "ko") {
			return fmt.Errorf("Home's focus is on %q in English: want it in Latin letters (it was %q)", h.Focus.Title, focusKo)
		}
		img, err := v.picture(ctx)
		if err != nil {
			return err
		}
		if d := differ(homeKo, img); d < 0.005 {
			return fmt.Errorf("Home in English looks as it did in Korean (%.2f%% of it differs)", 100*d)
		}
		return nil
	})
	v.step("new-pin", func(ctx context.Context) error {
		if err := v.openSetting(ctx, "pin"); err != nil {
			return err
		}
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		p, err := on[pinScreen](ctx, v, "pin", "the PIN prompt", keyWait, nil)
		if err != nil {
			return err
		}
		for i, pin := range []string{oldPIN, newPIN, newPIN} { // the current PIN, the new one, again
			was := p.Prompt
			if err := v.typePIN(ctx, pin); err != nil {
				return err
			}
			if i == 2 {
				break
			}
			if p, err = on(ctx, v, "pin", fmt.Sprintf("the prompt after PIN %d of 3", i+1), keyWait, func(p pinScreen) bool {
				return p.Prompt != was && p.Typed == 0
			}); err != nil {
				return err
			}
			if p.Message != "" {
				return fmt.Errorf("the PIN prompt says %q", p.Message)
			}
		}
		_, err = on(ctx, v, "settings", "Settings after the new PIN", keyWait, func(st settingsScreen) bool { return st.Focus == "pin" })
		return err
	})
	var offLimit string
	v.step("parental-wrong-pin", func(ctx context.Context) error {
		st, err := move(ctx, v, "settings", "up", 5, func(st settingsScreen) string { return st.Focus }, func(st settingsScreen) bool { return st.Focus == "parental" })
		if err != nil {
			return err
		}
		offLimit = st.Values["parental"]
		if err := v.press(ctx, "right"); err != nil {
			return err
		}
		if _, err := on[pinScreen](ctx, v, "pin", "the PIN asked for the parental limit", keyWait, nil); err != nil {
			return err
		}
		if err := v.typePIN(ctx, oldPIN); err != nil {
			return err
		}
		_, err = on(ctx, v, "pin", "the old PIN refused", keyWait, func(p pinScreen) bool { return p.Message != "" && p.Typed == 0 })
		return err
	})
	v.step("parental-limit", func(ctx context.Context) error {
		if err := v.typePIN(ctx, newPIN); err != nil {
			return err
		}
		st, err := on(ctx, v, "settings", "the parental limit set after the PIN", keyWait, func(st settingsScreen) bool {
			return st.Unlocked && st.Values["parental"] != offLimit
		})
		if err != nil {
			return err
		}
		// 19, then 15, then 12: the rated title (15) asks.
		for range 2 {
			was := st.Values["parental"]
			if err := v.press(ctx, "right"); err != nil {
				return err
			}
			if st, err = on(ctx, v, "settings", "the parental limit to change from "+was, keyWait, func(st settingsScreen) bool { return st.Values["parental"] != was }); err != nil {
				return err
			}
		}
		if !strings.Contains(st.Values["parental"], "12") {
			return fmt.Errorf("the parental limit is %q: want 12", st.Values["parental"])
		}
		return nil
	})
	v.step("rated-title-asks-pin", func(ctx context.Context) error {
		if err := v.backTo(ctx, "home", 1); err != nil {
			return err
		}
		if _, err := v.focusHomeRow(ctx, ratedRow); err != nil {
			return err
		}
		if _, err := move(ctx, v, "home", "right", 20, homeScreen.where, func(h homeScreen) bool { return h.Focus != nil && h.Focus.TitleID == ratedTitle }); err != nil {
			return err
		}
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		if _, err := on(ctx, v, "detail", "the page of "+ratedTitle, keyWait, func(d detailScreen) bool { return d.TitleID == ratedTitle && d.Focus == "play" }); err != nil {
			return err
		}
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		_, err := on(ctx, v, "pin", "the PIN asked for "+ratedTitle, keyWait, func(p pinScreen) bool { return p.Prompt != "" })
		return err
	})
	v.step("rated-title-plays", func(ctx context.Context) error {
		if err := v.typePIN(ctx, newPIN); err != nil {
			return err
		}
		if _, err := v.playing(ctx, ratedTitle+" after the PIN", func(p playerScreen) bool { return p.TitleID == ratedTitle }); err != nil {
			return err
		}
		return v.videoShown(ctx)
	})
	v.step("rated-title-back", func(ctx context.Context) error {
		if err := v.press(ctx, "back"); err != nil {
			return err
		}
		_, err := on(ctx, v, "detail", "the page of "+ratedTitle+" after Back", keyWait, func(d detailScreen) bool { return d.TitleID == ratedTitle })
		return err
	})
	v.step("overscan", func(ctx context.Context) error {
		if err := v.backTo(ctx, "home", 1); err != nil {
			return err
		}
		if err := v.openSetting(ctx, "overscan"); err != nil {
			return err
		}
		var err error
		if settingsAt, err = v.picture(ctx); err != nil {
			return err
		}
		if err := v.press(ctx, "right", "right", "right"); err != nil {
			return err
		}
		if _, err := v.box.WaitState(ctx, keyWait, func(s rig.State) bool { return s.Overscan == 3 }); err != nil {
			return fmt.Errorf("overscan 3 after three rights: %w", err)
		}
		if _, err := on(ctx, v, "settings", "the overscan entry at 3%", keyWait, func(st settingsScreen) bool { return st.Values["overscan"] == "3%" }); err != nil {
			return err
		}
		img, err := v.picture(ctx)
		if err != nil {
			return err
		}
		// The whole picture shrinks, not only the entry's value.
		if d := differ(settingsAt, img); d < 0.02 {
			return fmt.Errorf("with overscan 3%% the screen is nearly as it was (%.2f%% of it differs)", 100*d)
		}
		return nil
	})
	v.step("overscan-off", func(ctx context.Context) error {
		if err := v.press(ctx, "left", "left", "left"); err != nil {
			return err
		}
		if _, err := v.box.WaitState(ctx, keyWait, func(s rig.State) bool { return s.Overscan == 0 }); err != nil {
			return fmt.Errorf("overscan 0 after three lefts: %w", err)
		}
		img, err := v.picture(ctx)
		if err != nil {
			return err
		}
		if d := differ(settingsAt, img); d > 0.01 {
			return fmt.Errorf("with overscan back at 0 the screen is not as it was (%.2f%% of it differs)", 100*d)
		}
		return nil
	})
}

// openSetting opens Settings with the menu key and moves its focus down
// to the entry named item.
func (v *viewer) openSetting(ctx context.Context, item string) error {
	if err := v.press(ctx, "menu"); err != nil {
		return err
	}
	_, err := move(ctx, v, "settings", "down", 12, func(st settingsScreen) string { return st.Focus }, func(st settingsScreen) bool { return st.Focus == item })
	return err
}
