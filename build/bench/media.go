package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// listTargetMS is the target for a folder's first screen.
const listTargetMS = 300

// stickName is the medium's mount point below the box's media root, and
// so its label on Home.
const stickName = "BENCH"

// benchMedia measures the viewer's own media: a stick's files opened from
// the box's browser to their first frame beside mpv and ffplay opening
// them (media/open), and a folder of 10,000 files listed (media/list).
// The stick is a folder of the work directory bind-mounted below the box's
// media root, as an automounter mounts a stick below /media.
func benchMedia(ctx context.Context, c config, _ streams, x *xvfb, r *Results) (err error) {
	open, list := c.want("media/open"), c.want("media/list")
	src, stick := filepath.Join(c.work, "media-src"), filepath.Join(c.work, "media-stick")
	if err := prepareStick(ctx, src, stick, open, list); err != nil {
		return err
	}
	root := filepath.Join(c.work, "media-root")
	mountPoint := filepath.Join(root, stickName)
	unmount, err := bindMount(ctx, stick, mountPoint)
	if err != nil {
		return err
	}
	// Unmounted after the box has stopped (deferred calls run last
	// first), so that no file of the stick is open then.
	defer func() { err = errors.Join(err, unmount()) }()

	hp, url, err := startHeadend(ctx, c, filepath.Join(c.work, "headend"))
	if err != nil {
		return fmt.Errorf("head-end: %w", err)
	}
	defer hp.stop()
	dirs := filepath.Join(c.work, "media-box")
	if err := os.RemoveAll(dirs); err != nil {
		return err
	}
	p, err := startProcess(ctx, []string{"DISPLAY=" + x.display, "LIBGL_ALWAYS_SOFTWARE=1"},
		filepath.Join(c.bin, "manbang"), "--operator", url, "--control", "127.0.0.1:0", "--lang", "en", "--log-level", "warn",
		"--media", root, "--state", filepath.Join(dirs, "state"), "--cache", filepath.Join(dirs, "cache"))
	if err != nil {
		return err
	}
	defer p.stop()
	base, err := p.waitLine(controlLine, 30*time.Second)
	if err != nil {
		return err
	}
	b := box{ctx: ctx, base: base}
	if err := b.openStick(mountPoint); err != nil {
		return err
	}
	var failed []error
	if open {
		if err := benchMediaOpen(ctx, c, x, b, mountPoint, r); err != nil {
			failed = append(failed, fmt.Errorf("open: %w", err))
		}
	}
	if list && ctx.Err() == nil {
		if err := benchMediaList(c, b, r); err != nil {
			failed = append(failed, fmt.Errorf("list: %w", err))
		}
	}
	return errors.Join(failed...)
}

// benchMediaOpen opens each file of the stick c.starts times in the box's
// browser, after a first open of its own, and as often with mpv and
// ffplay.
func benchMediaOpen(ctx context.Context, c config, x *xvfb, b box, mountPoint string, r *Results) error {
	// The box's first open sets up what every later one reuses (its
	// process plays the first time): it is a figure of its own, not in the
	// medians. mpv and ffplay start a new process for each open.
	first, err := b.openFile(mediaFiles[0].name)
	if err != nil {
		return fmt.Errorf("the first open: %w", err)
	}
	logf("media open: the box's first open of %s: %.0f ms", mediaFiles[0].name, first)
	r.add(Metric{Section: "media", Name: fmt.Sprintf("open %s 1080p30 from the stick to its first frame, the box's first open", mediaFiles[0].label),
		Unit: "ms", Better: "lower", Values: map[string]float64{"manbang": first},
		Note: "the first file the box plays since it started, from OK in its browser; not in the medians below"})
	for _, f := range mediaFiles {
		name := fmt.Sprintf("open %s 1080p30 from the stick to its first frame", f.label)
		m := Metric{Section: "media", Name: name, Unit: "ms", Better: "lower", Values: map[string]float64{}}
		mp95 := Metric{Section: "media", Name: name + " p95", Unit: "ms", Better: "lower", Values: map[string]float64{}}
		s, err := startsOf(c.starts, func() (float64, error) { return b.openFile(f.name) })
		if err != nil {
			return err
		}
		record(m, mp95, "manbang", s)
		path := filepath.Join(mountPoint, f.name)
		for _, pl := range []string{"mpv", "ffplay"} {
			s, err := startsOf(c.starts, func() (float64, error) {
				d, err := peerFirstFrame(ctx, x, pl, path, nil)
				return ms(d), err
			})
			if err != nil {
				return err
			}
			record(m, mp95, pl, s)
		}
		m.Note = fmt.Sprintf("median of %d opens each; the box from OK in its browser, mpv and ffplay from opening the path", c.starts)
		if f := failures(m); f != "" {
			m.Note += "; " + f
		}
		r.add(m)
		r.add(mp95)
	}
	return nil
}

// benchMediaList opens the folder of 10,000 files c.starts times: to its
// first screen listed, and to that screen's thumbnails shown where the
// browser reports them.
func benchMediaList(c config, b box, r *Results) error {
	var listed, thumbs []float64
	var last error
	noThumbs := false
	for range c.starts {
		l, t, terr, err := b.openFolder(seriesDir)
		if errors.Is(err, context.Canceled) {
			return err
		}
		if err != nil {
			last = err
			logf("media list: %v", err)
			continue
		}
		listed = append(listed, l)
		switch {
		case t < 0:
			noThumbs = true
		case terr != nil:
			last = terr
			logf("media list: %v", terr)
		default:
			thumbs = append(thumbs, t)
		}
	}
	if len(listed) == 0 {
		return errors.Join(errors.New("the folder was never listed"), last)
	}
	files := "a folder of " + thousands(seriesVideos+seriesPhotos) + " files"
	setting := fmt.Sprintf("%s episodes and %s photos in one folder", thousands(seriesVideos), thousands(seriesPhotos))
	peers := "no peer: mpv and ffplay have no browser"
	ls := summarize(listed, c.starts-len(listed))
	met := "not met"
	if ls.Median < listTargetMS {
		met = "met"
	}
	r.add(Metric{Section: "media", Name: "list " + files + " to its first screen", Unit: "ms", Better: "lower",
		Values: map[string]float64{"manbang": ls.Median},
		Note:   fmt.Sprintf("target < %d ms: %s; median of %d, p95 %.0f ms%s; %s; %s", listTargetMS, met, ls.N, ls.P95, failedNote(ls.Failed), setting, peers)})
	// The first open makes the thumbnails (the box's cache is new), the
	// later ones find them in its cache.
	made := Metric{Section: "media", Name: "list " + files + " to its first screen of thumbnails, made (first open)", Unit: "ms", Better: "lower",
		Values: map[string]float64{}}
	cached := Metric{Section: "media", Name: "list " + files + " to its first screen of thumbnails, cached (later opens)", Unit: "ms", Better: "lower",
		Values: map[string]float64{}}
	switch {
	case noThumbs:
		made.Note = "not available: the browser reports no thumbnails (its state has no visible and thumbs_ready)"
		cached.Note = made.Note
	case len(thumbs) == 0:
		made.Note = fmt.Sprintf("not available: no open showed its thumbnails: %v", last)
		cached.Note = made.Note
	default:
		made.Values["manbang"] = thumbs[0]
		made.Note = fmt.Sprintf("one open, a new box's cache; %s; %s", setting, peers)
		if len(thumbs) > 1 {
			ts := summarize(thumbs[1:], c.starts-len(thumbs))
			cached.Values["manbang"] = ts.Median
			cached.Note = fmt.Sprintf("median of %d, p95 %.0f ms%s; %s", ts.N, ts.P95, failedNote(ts.Failed), peers)
		} else {
			cached.Note = "not available: one open only (-starts)"
		}
	}
	r.add(made)
	r.add(cached)
	logf("media list: first screen median %.0f ms, p95 %.0f ms (%d); thumbnails %v", ls.Median, ls.P95, ls.N, thumbs)
	return nil
}

// thousands writes n with a comma between its thousands: 10,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func failedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d failed", n)
}

// box drives the box through its control endpoint.
type box struct {
	ctx  context.Context
	base string
}

// The screens' states as the harness reads them.
type (
	homeView struct {
		RowIDs []string     `json:"row_ids"`
		Media  []mediumView `json:"media"`
		Focus  *struct {
			Row    int    `json:"row"`
			Col    int    `json:"col"`
			Kind   string `json:"kind"`
			Medium string `json:"medium"`
		} `json:"focus"`
		Nav string `json:"nav"`
	}
	browserView struct {
		Dir     string      `json:"dir"`
		Loaded  bool        `json:"loaded"`
		First   int         `json:"first"`
		Focus   int         `json:"focus"`
		Entries []entryView `json:"entries"`
		Error   string      `json:"error"`
		// Visible and ThumbsReady are the entries on screen and, of those,
		// the ones with their thumbnail shown: nil from a browser without
		// thumbnails.
		Visible     *int `json:"visible"`
		ThumbsReady *int `json:"thumbs_ready"`
	}
	mediumView struct {
		Path string `json:"path"`
	}
	entryView struct {
		Name string `json:"name"`
	}
	playerView struct {
		State string `json:"state"`
		Error string `json:"error"`
		File  string `json:"file"`
		Stats *struct {
			PresentedFrames int `json:"presented_frames"`
		} `json:"stats"`
	}
)

// current reads the state of the screen on top: its name and its report.
func (b box) current() (string, json.RawMessage, error) {
	var s struct {
		Current json.RawMessage `json:"current"`
	}
	req, _ := http.NewRequestWithContext(b.ctx, "GET", b.base+"/api/v1/state", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("state: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return "", nil, err
	}
	var n struct {
		Screen string `json:"screen"`
	}
	err = json.Unmarshal(s.Current, &n)
	return n.Screen, s.Current, err
}

// on polls the state every millisecond until the screen named is on top
// and ok says so; an error of ok ends the wait.
func on[T any](b box, screen, what string, deadline time.Duration, ok func(T) (bool, error)) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, deadline)
	defer cancel()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	var v T
	var top string
	for {
		name, raw, err := box{ctx, b.base}.current()
		top = name
		if err == nil && name == screen {
			var n T
			if err := json.Unmarshal(raw, &n); err == nil {
				v = n
				done, err := ok(v)
				if err != nil {
					return v, err
				}
				if done {
					return v, nil
				}
			}
		}
		select {
		case <-ctx.Done():
			if b.ctx.Err() != nil {
				return v, b.ctx.Err()
			}
			return v, fmt.Errorf("no %s on the %s screen after %v (on top: %q, last: %+v)", what, screen, deadline, top, v)
		case <-tick.C:
		}
	}
}

// openStick focuses the stick on Home's media row and opens it in the
// browser.
func (b box) openStick(mountPoint string) error {
	h, err := on(b, "home", "stick", 60*time.Second, func(h homeView) (bool, error) {
		return slices.ContainsFunc(h.Media, func(m mediumView) bool { return m.Path == mountPoint }), nil
	})
	if err != nil {
		return err
	}
	for range 20 {
		if h.Focus != nil && h.Focus.Kind == "medium" && h.Focus.Medium == mountPoint {
			if err := sendKey(b.ctx, b.base, "ok"); err != nil {
				return err
			}
			_, err := b.browser("")
			return err
		}
		key := "down"
		if row := slices.Index(h.RowIDs, "media"); h.Focus != nil && h.Focus.Row > row {
			key = "up"
		} else if h.Focus != nil && h.Focus.Row == row {
			key = "right" // another medium of the row
		}
		before := fmt.Sprintf("%s %+v", h.Nav, h.Focus)
		if err := sendKey(b.ctx, b.base, key); err != nil {
			return err
		}
		if h, err = on(b, "home", "focus moved by "+key, 5*time.Second, func(h homeView) (bool, error) {
			return fmt.Sprintf("%s %+v", h.Nav, h.Focus) != before, nil
		}); err != nil {
			return err
		}
	}
	return fmt.Errorf("the stick %s could not be focused on Home (focus %+v)", mountPoint, h.Focus)
}

// browser waits for the browser to show dir listed.
func (b box) browser(dir string) (browserView, error) {
	return on(b, "browser", "folder "+dir+" listed", 30*time.Second, func(v browserView) (bool, error) {
		if v.Loaded && v.Error != "" {
			return false, fmt.Errorf("the browser cannot read %q: %s", dir, v.Error)
		}
		return v.Loaded && v.Dir == dir, nil
	})
}

// focusEntry moves the browser's focus in dir to name.
func (b box) focusEntry(dir, name string) error {
	v, err := b.browser(dir)
	if err != nil {
		return err
	}
	for range len(v.Entries) + 1 {
		at := slices.IndexFunc(v.Entries, func(e entryView) bool { return e.Name == name })
		if at < 0 {
			return fmt.Errorf("no %q in the folder %q: %+v", name, dir, v.Entries)
		}
		if v.First+at == v.Focus {
			return nil
		}
		key := "down"
		if v.First+at < v.Focus {
			key = "up"
		}
		before := v.Focus
		if err := sendKey(b.ctx, b.base, key); err != nil {
			return err
		}
		if v, err = on(b, "browser", "focus moved", 5*time.Second, func(v browserView) (bool, error) {
			return v.Focus != before, nil
		}); err != nil {
			return err
		}
	}
	return fmt.Errorf("%q could not be focused in the folder %q", name, dir)
}

// openFile opens name of the stick's root from the browser and returns the
// milliseconds from the OK to the player's state showing its first frame
// presented; then it goes back to the browser.
func (b box) openFile(name string) (float64, error) {
	if err := b.focusEntry("", name); err != nil {
		return 0, err
	}
	start := time.Now()
	if err := sendKey(b.ctx, b.base, "ok"); err != nil {
		return 0, err
	}
	_, err := on(b, "player", name+" to its first frame", 15*time.Second, func(p playerView) (bool, error) {
		if p.State == "error" {
			return false, fmt.Errorf("the player shows an error for %s: %s", name, p.Error)
		}
		return filepath.Base(p.File) == name && p.Stats != nil && p.Stats.PresentedFrames >= 1, nil
	})
	d := time.Since(start)
	if berr := b.back(""); err == nil {
		err = berr
	}
	return ms(d), err
}

// openFolder opens the folder name of the stick's root from the browser
// and returns the milliseconds from the OK to its first screen listed and
// to that screen's thumbnails all shown (-1: the browser reports no
// thumbnails; terr: they were not all shown); then it goes back to the
// root.
func (b box) openFolder(name string) (listed, thumbs float64, terr, err error) {
	if err := b.focusEntry("", name); err != nil {
		return 0, 0, nil, err
	}
	start := time.Now()
	if err := sendKey(b.ctx, b.base, "ok"); err != nil {
		return 0, 0, nil, err
	}
	defer func() {
		if berr := b.back(""); err == nil {
			err = berr
		}
	}()
	v, err := on(b, "browser", "first screen of "+name, 30*time.Second, func(v browserView) (bool, error) {
		if v.Loaded && v.Error != "" {
			return false, fmt.Errorf("the browser cannot read %q: %s", name, v.Error)
		}
		return v.Dir == name && v.Loaded && len(v.Entries) > 0, nil
	})
	if err != nil {
		return 0, 0, nil, err
	}
	listed = ms(time.Since(start))
	if v.Visible == nil {
		return listed, -1, nil, nil
	}
	// Every entry of the folder is a video or a photo: each on screen
	// gives a thumbnail.
	var visible, ready int
	_, terr = on(b, "browser", "first screen of thumbnails of "+name, 30*time.Second, func(v browserView) (bool, error) {
		if v.Dir != name || v.Visible == nil || v.ThumbsReady == nil {
			return false, nil
		}
		visible, ready = *v.Visible, *v.ThumbsReady
		return visible > 0 && ready >= visible, nil
	})
	if errors.Is(terr, context.Canceled) {
		return listed, 0, nil, terr
	}
	if terr != nil {
		terr = fmt.Errorf("%d of the %d entries on screen with their thumbnail: %w", ready, visible, terr)
	}
	return listed, ms(time.Since(start)), terr, nil
}

// back presses Back and waits for the browser to show dir again.
func (b box) back(dir string) error {
	if err := sendKey(b.ctx, b.base, "back"); err != nil {
		return err
	}
	_, err := b.browser(dir)
	return err
}
