//go:build walk

package walk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// walkVOD: Home, a category's "see all", its grid, a title's page, and
// the title played, paused, resumed, fast-forwarded, sought back and
// forward, watched to its end, played again and left with Back.
func walkVOD(t *testing.T) {
	v := newViewer(t)
	var cat, title string
	var pos time.Duration // where the title was at the end of a step
	var frames int

	v.step("home", func(ctx context.Context) error {
		h, err := v.home(ctx)
		if err != nil {
			return err
		}
		if !slices.Contains(h.RowIDs, "live") || !slices.ContainsFunc(h.RowIDs, isCategory) {
			return fmt.Errorf("Home's rows are %v: want the live row and categories", h.RowIDs)
		}
		if h.Titles == 0 {
			return fmt.Errorf("Home's category rows hold no titles")
		}
		return nil
	})
	v.step("see-all", func(ctx context.Context) error {
		h, err := v.home(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(h.RowIDs, isCategory)
		if i < 0 {
			return fmt.Errorf("no category row on Home: %v", h.RowIDs)
		}
		cat = strings.TrimPrefix(h.RowIDs[i], "cat:")
		if _, err := v.focusHomeRow(ctx, h.RowIDs[i]); err != nil {
			return err
		}
		_, err = move(ctx, v, "home", "right", 50, homeScreen.where, func(h homeScreen) bool {
			return h.Focus != nil && h.Focus.Kind == "see_all"
		})
		return err
	})
	v.step("grid", func(ctx context.Context) error {
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		g, err := on(ctx, v, "grid", "the grid of "+cat, loadWait, func(g gridScreen) bool {
			return g.Category == cat && (g.Loaded > 0 || g.Error != "")
		})
		if err != nil {
			return err
		}
		if g.Error != "" || g.Loaded < 2 || g.Total < g.Loaded {
			return fmt.Errorf("the grid of %s: %d of %d titles loaded, error %q: want 2 or more", cat, g.Loaded, g.Total, g.Error)
		}
		g, err = move(ctx, v, "grid", "right", 1, func(g gridScreen) string { return g.TitleID }, func(g gridScreen) bool { return g.Focus == 1 })
		title = g.TitleID
		return err
	})
	v.step("detail", func(ctx context.Context) error {
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		_, err := on(ctx, v, "detail", "the page of "+title, keyWait, func(d detailScreen) bool {
			return d.TitleID == title && len(d.Buttons) > 0 && d.Buttons[0] == "play" && d.Focus == "play"
		})
		return err
	})
	v.step("play", func(ctx context.Context) error {
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		p, err := v.playing(ctx, title, func(p playerScreen) bool { return p.TitleID == title })
		frames = p.presented()
		return err
	})
	v.step("playing", func(ctx context.Context) error {
		p, err := v.playerUntil(ctx, "frames presented to go up by 15", func(p playerScreen) bool {
			return p.State == "playing" && p.presented() >= frames+15
		})
		if err != nil {
			return err
		}
		if p.position() <= 0 {
			return fmt.Errorf("the position is %v after %d frames", p.position(), p.presented())
		}
		return v.videoShown(ctx)
	})
	v.step("pause", func(ctx context.Context) error {
		if err := v.press(ctx, "playpause"); err != nil {
			return err
		}
		p, err := v.playerUntil(ctx, "paused", func(p playerScreen) bool {
			return p.State == "paused" && p.Stats != nil && p.Stats.Paused && p.OSD
		})
		if err != nil {
			return err
		}
		pos = p.position()
		// Paused, the picture holds: a second later it is where it was.
		return v.holds(ctx, time.Second, func(p playerScreen) error {
			if d := p.position() - pos; p.State != "paused" || d > 100*time.Millisecond || d < -100*time.Millisecond {
				return fmt.Errorf("paused at %v, then %s at %v", pos, p.State, p.position())
			}
			return nil
		})
	})
	v.step("resume", func(ctx context.Context) error {
		if err := v.press(ctx, "playpause"); err != nil {
			return err
		}
		p, err := v.playerUntil(ctx, "playing on from the pause", func(p playerScreen) bool {
			return p.State == "playing" && p.Stats != nil && !p.Stats.Paused && p.position() >= pos+500*time.Millisecond
		})
		pos = p.position()
		return err
	})
	v.step("fast-forward", func(ctx context.Context) error {
		for _, speed := range []int{2, 4} {
			if err := v.press(ctx, "ff"); err != nil {
				return err
			}
			_, err := v.playerUntil(ctx, fmt.Sprintf("fast forward at %dx", speed), func(p playerScreen) bool {
				return p.State == "playing" && p.Speed == float64(speed) && p.OSD && p.Stats != nil && p.Stats.Speed == speed
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	v.step("normal-speed", func(ctx context.Context) error {
		if err := v.press(ctx, "playpause"); err != nil {
			return err
		}
		p, err := v.playerUntil(ctx, "normal speed", func(p playerScreen) bool {
			return p.State == "playing" && (p.Speed == 0 || p.Speed == 1) && p.Stats != nil && p.Stats.Speed == 1
		})
		if err != nil {
			return err
		}
		if p.position() <= pos {
			return fmt.Errorf("fast forward did not move on: at %v before it, %v after", pos, p.position())
		}
		return nil
	})
	v.step("seek-back", func(ctx context.Context) error {
		// Far enough in that 10 s back shows.
		p, err := v.playerUntil(ctx, "6 s into the title", func(p playerScreen) bool { return p.position() >= 6*time.Second })
		if err != nil {
			return err
		}
		from := p.position()
		if err := v.press(ctx, "left"); err != nil {
			return err
		}
		p, err = v.playerUntil(ctx, fmt.Sprintf("a seek back from %v", from), func(p playerScreen) bool {
			return p.State == "playing" && p.position() <= from-4*time.Second
		})
		pos = p.position()
		return err
	})
	v.step("rewind-to-start", func(ctx context.Context) error {
		// Rewinding to the start plays on from there at normal speed. Far
		// enough in first that the rewind shows before it reaches 0:00.
		if _, err := v.playerUntil(ctx, "4 s into the title", func(p playerScreen) bool { return p.position() >= 4*time.Second }); err != nil {
			return err
		}
		if err := v.press(ctx, "rw"); err != nil {
			return err
		}
		if _, err := v.playerUntil(ctx, "rewinding", func(p playerScreen) bool { return p.Speed < 0 }); err != nil {
			return err
		}
		p, err := v.playerUntil(ctx, "normal play from the start after the rewind", func(p playerScreen) bool {
			return p.State == "playing" && (p.Speed == 0 || p.Speed == 1) && p.Stats != nil && p.Stats.Speed == 1 && p.position() < 5*time.Second
		})
		if err != nil {
			return err
		}
		start := p.position()
		p, err = v.playerUntil(ctx, "the title playing on after the rewind", func(p playerScreen) bool { return p.position() > start+time.Second })
		pos = p.position()
		return err
	})
	v.step("seek-forward", func(ctx context.Context) error {
		if err := v.press(ctx, "right"); err != nil {
			return err
		}
		// 30 s on, or to a second before the end of a shorter title.
		_, err := v.playerUntil(ctx, fmt.Sprintf("a seek forward from %v", pos), func(p playerScreen) bool {
			to := pos + 30*time.Second
			if p.Stats != nil && p.Stats.DurationMS > 0 {
				to = min(to, time.Duration(p.Stats.DurationMS)*time.Millisecond-time.Second)
			}
			return (p.State == "playing" || p.State == "ended") && p.position() >= to-3*time.Second
		})
		return err
	})
	v.step("end-to-detail", func(ctx context.Context) error {
		// At its end the title's page comes back by itself, to play again.
		if _, err := v.playerUntil(ctx, "the end of the title", func(p playerScreen) bool { return p.State == "ended" }); err != nil {
			return err
		}
		_, err := on(ctx, v, "detail", "the page of "+title+" after the end", loadWait, func(d detailScreen) bool {
			return d.TitleID == title && len(d.Buttons) > 0 && d.Buttons[0] == "play"
		})
		return err
	})
	v.step("play-again-and-back", func(ctx context.Context) error {
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		if _, err := v.playing(ctx, title+" again", func(p playerScreen) bool { return p.TitleID == title }); err != nil {
			return err
		}
		if err := v.press(ctx, "back"); err != nil {
			return err
		}
		_, err := on(ctx, v, "detail", "the page of "+title+" after Back", keyWait, func(d detailScreen) bool { return d.TitleID == title })
		return err
	})
	v.step("back-home", func(ctx context.Context) error {
		if err := v.press(ctx, "back"); err != nil {
			return err
		}
		if _, err := on(ctx, v, "grid", "the grid of "+cat+" after Back", keyWait, func(g gridScreen) bool { return g.Category == cat && g.TitleID == title }); err != nil {
			return err
		}
		if err := v.press(ctx, "back"); err != nil {
			return err
		}
		_, err := v.home(ctx)
		return err
	})
}

func isCategory(row string) bool { return strings.HasPrefix(row, "cat:") }

// playerUntil waits for the Player screen's JSON to satisfy ok; an error
// on screen fails it at once.
func (v *viewer) playerUntil(ctx context.Context, what string, ok func(playerScreen) bool) (playerScreen, error) {
	return until(ctx, v, "player", what, loadWait, func(p playerScreen) (bool, error) {
		if p.State == "error" {
			return false, fmt.Errorf("the player shows an error: %s", p.Error)
		}
		return ok(p), nil
	})
}

// holds watches the Player screen for d and fails as soon as check does:
// for what must stay as it is.
func (v *viewer) holds(ctx context.Context, d time.Duration, check func(playerScreen) error) error {
	end := time.Now().Add(d)
	_, err := until(ctx, v, "player", "the player as it was", d+keyWait, func(p playerScreen) (bool, error) {
		if err := check(p); err != nil {
			return false, err
		}
		return time.Now().After(end), nil
	})
	return err
}

// videoShown checks that the middle of the screen, where the video is,
// shows a picture.
func (v *viewer) videoShown(ctx context.Context) error {
	img, err := v.picture(ctx)
	if err != nil {
		return err
	}
	if why := blankIn(img, centre(img.Bounds())); why != "" {
		return fmt.Errorf("no video on screen: its middle is blank (%s)", why)
	}
	return nil
}
