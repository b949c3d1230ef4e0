//go:build walk

package walk

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The parts of each screen's JSON (the state's "current") the walks read.
// They are the walk's own, not the UI's types: the walk knows the box
// only by its control endpoint.

type homeScreen struct {
	Status string   `json:"status"`
	Rows   int      `json:"rows"`
	RowIDs []string `json:"row_ids"`
	Titles int      `json:"titles"`
	Error  string   `json:"error"`
	Focus  *struct {
		Row       int    `json:"row"`
		Col       int    `json:"col"`
		Kind      string `json:"kind"` // title, channel, see_all
		TitleID   string `json:"title_id"`
		ChannelID string `json:"channel_id"`
		Title     string `json:"title"`
	} `json:"focus"`
	Nav string `json:"nav"`
}

// focusRow is the ID of the row with the focus ("live", "cat:films"), or
// "" on the top bar.
func (h homeScreen) focusRow() string {
	if h.Focus == nil || h.Focus.Row >= len(h.RowIDs) {
		return ""
	}
	return h.RowIDs[h.Focus.Row]
}

// where is Home's focus as a string, for move.
func (h homeScreen) where() string {
	if h.Focus == nil {
		return "nav:" + h.Nav
	}
	return fmt.Sprintf("%d,%d", h.Focus.Row, h.Focus.Col)
}

type gridScreen struct {
	Category string `json:"category_id"`
	Loaded   int    `json:"loaded"`
	Total    int    `json:"total"`
	Focus    int    `json:"focus"`
	TitleID  string `json:"title_id"`
	Title    string `json:"title"`
	Error    string `json:"error"`
}

type detailScreen struct {
	TitleID string   `json:"title_id"`
	Title   string   `json:"title"`
	Buttons []string `json:"buttons"`
	Focus   string   `json:"focus"`
}

type playerScreen struct {
	TitleID   string  `json:"title_id"`
	Title     string  `json:"title"`
	ChannelID string  `json:"channel_id"`
	Number    int     `json:"number"`
	Programme string  `json:"programme"`
	State     string  `json:"state"` // opening, playing, paused, error, ended
	Error     string  `json:"error"`
	OSD       bool    `json:"osd"`
	Banner    bool    `json:"banner"`
	Speed     float64 `json:"speed"` // absent (0) at normal speed
	Digits    string  `json:"digits"`
	Message   string  `json:"message"`
	Stats     *struct {
		PresentedFrames int     `json:"presented_frames"`
		PositionMS      float64 `json:"position_ms"`
		DurationMS      float64 `json:"duration_ms"`
		Speed           int     `json:"speed"`
		Paused          bool    `json:"paused"`
	} `json:"stats"`
}

func (p playerScreen) presented() int {
	if p.Stats == nil {
		return 0
	}
	return p.Stats.PresentedFrames
}

func (p playerScreen) position() time.Duration {
	if p.Stats == nil {
		return 0
	}
	return time.Duration(p.Stats.PositionMS * float64(time.Millisecond))
}

type searchScreen struct {
	Query   string   `json:"query"`
	Layout  string   `json:"layout"`
	Focus   string   `json:"focus"` // keyboard, results
	Key     string   `json:"key"`
	KeyRow  int      `json:"key_row"`
	KeyCol  int      `json:"key_col"`
	Status  string   `json:"status"` // idle, waiting, searching, done, error
	Results []string `json:"results"`
	Pick    int      `json:"pick"`
	Error   string   `json:"error"`
}

type liveScreen struct {
	Channels  int    `json:"channels"`
	Focus     int    `json:"focus"`
	ChannelID string `json:"channel_id"`
	Number    int    `json:"number"`
	Now       string `json:"now"`
	Error     string `json:"error"`
}

type guideScreen struct {
	Channels   int    `json:"channels"`
	Programmes int    `json:"programmes"`
	ChannelID  string `json:"channel_id"`
	Programme  string `json:"programme"`
	Start      string `json:"start"` // RFC 3339
	Error      string `json:"error"`
}

func (g guideScreen) start() time.Time {
	t, _ := time.Parse(time.RFC3339, g.Start)
	return t
}

type settingsScreen struct {
	Focus    string            `json:"focus"`
	Values   map[string]string `json:"values"`
	Unlocked bool              `json:"unlocked"`
}

type pinScreen struct {
	Prompt  string `json:"prompt"`
	Typed   int    `json:"typed"`
	Message string `json:"message"`
}

// home waits for Home with its rows from the head-end.
func (v *viewer) home(ctx context.Context) (homeScreen, error) {
	return until(ctx, v, "home", "Home with its rows", loadWait, func(h homeScreen) (bool, error) {
		if h.Status == "error" {
			return false, fmt.Errorf("Home shows an error: %s", h.Error)
		}
		return h.Status == "ready" && h.Rows > 0, nil
	})
}

// focusHomeRow moves Home's focus down or up to the row named id.
func (v *viewer) focusHomeRow(ctx context.Context, id string) (homeScreen, error) {
	h, err := v.home(ctx)
	if err != nil {
		return h, err
	}
	want := -1
	for i, r := range h.RowIDs {
		if r == id {
			want = i
		}
	}
	if want < 0 {
		return h, fmt.Errorf("Home has no row %q (rows %v)", id, h.RowIDs)
	}
	key := "down"
	if h.Focus != nil && h.Focus.Row > want {
		key = "up"
	}
	return move(ctx, v, "home", key, len(h.RowIDs)+1, homeScreen.where, func(h homeScreen) bool { return h.focusRow() == id })
}

// playing waits for the Player screen to play what want says (frames
// presented); an error on screen for it fails the wait at once.
func (v *viewer) playing(ctx context.Context, what string, want func(playerScreen) bool) (playerScreen, error) {
	return until(ctx, v, "player", what+" playing", loadWait, func(p playerScreen) (bool, error) {
		if !want(p) {
			return false, nil
		}
		if p.State == "error" {
			return false, fmt.Errorf("the player shows an error: %s", p.Error)
		}
		return p.State == "playing" && p.presented() > 0, nil
	})
}

// typePIN types a PIN with the digit keys.
func (v *viewer) typePIN(ctx context.Context, pin string) error {
	return v.press(ctx, strings.Split(pin, "")...)
}
