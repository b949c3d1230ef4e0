// Package demo builds the head-end's demo catalog: a table of made-up
// titles in Korean, English and Russian, each with generated media (a test
// pattern with the title burned in, as HLS VOD) and a poster; and live
// channels, each a short looping MPEG-TS (a test pattern with the
// channel's name and a running clock burned in) with a logo, a multicast
// group and a programme guide from yesterday to tomorrow.
//
// Media is generated with the ffmpeg command once and cached in the
// catalog directory; see Build.
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

//go:embed catalog.json
var tableJSON []byte

// Defaults of Options.
const (
	DefaultDuration = 20 * time.Second
	DefaultWidth    = 640
	DefaultHeight   = 360
	DefaultParallel = 2
)

// Options tunes Build. The zero value builds every title with the defaults.
type Options struct {
	Titles   int           // how many titles to build, spread over the categories; 0 means all
	Channels int           // how many live channels to build; 0 means all, negative none
	Duration time.Duration // length of each title; default DefaultDuration, at least 1s
	Width    int           // video width; default DefaultWidth; must be even
	Height   int           // video height; default DefaultHeight; must be even
	Parallel int           // ffmpeg processes run at once; default DefaultParallel
	Progress io.Writer     // if set, gets one line per title as it is done
	FFmpeg   string        // the ffmpeg command; default "ffmpeg" from PATH
	FontFile string        // font for burned-in text; default Nanum Gothic, else DejaVu Sans
}

// category is a row of the table's categories: a catalog category and the
// look of its titles' video.
type category struct {
	operator.Category
	Pattern string `json:"pattern"` // an ffmpeg lavfi video source: testsrc2, smptehdbars...
	Hue     int    `json:"hue"`     // hue rotation in degrees applied to the pattern
}

// table is the embedded demo catalog.
type table struct {
	Categories []category       `json:"categories"`
	Titles     []operator.Title `json:"titles"`
}

func loadTable() (table, error) {
	var t table
	if err := json.Unmarshal(tableJSON, &t); err != nil {
		return table{}, fmt.Errorf("demo: embedded catalog.json: %w", err)
	}
	return t, nil
}

// Table returns the whole demo catalog, without media: every category and
// title Build can produce.
func Table() ([]operator.Category, []operator.Title, error) {
	t, err := loadTable()
	if err != nil {
		return nil, nil, err
	}
	cats := make([]operator.Category, len(t.Categories))
	for i, c := range t.Categories {
		cats[i] = c.Category
	}
	return cats, t.Titles, nil
}

// Build makes the demo catalog in dir: each title's media under
// dir/media/<title id>/ and each channel's under dir/media/live/<channel
// id>/ (see package catalog for the layout), and the catalog database
// dir/catalog.db, rebuilt from the embedded tables on every Build (with a
// guide around today). It returns the catalog, open; the caller closes it.
//
// Media already complete and made with the same options is not generated
// again. Each title or channel is generated in a temporary directory
// renamed into place when done, so an interrupted Build never leaves media
// that looks complete. Build stops at the first failure and returns an
// error naming the title or channel.
func Build(ctx context.Context, dir string, opts Options) (*catalog.Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	tab, err := loadTable()
	if err != nil {
		return nil, err
	}
	mediaDir := filepath.Join(dir, catalog.MediaDirName)
	if err := os.MkdirAll(mediaDir, 0o755); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	removeStaleTemps(mediaDir, time.Hour)

	live, err := loadLive()
	if err != nil {
		return nil, err
	}
	jobs := selectTitles(tab, opts.Titles)
	channels := selectChannels(live, opts.Channels)
	for i := range channels {
		jobs = append(jobs, job{index: i, channel: &channels[i]})
	}
	b := &builder{opts: opts, mediaDir: mediaDir, total: len(jobs)}
	if err := b.run(ctx, jobs); err != nil {
		return nil, err
	}

	var cats []operator.Category
	var titles []operator.Title
	for _, c := range tab.Categories {
		n := len(titles)
		for _, j := range jobs {
			if j.channel == nil && j.cat.ID == c.ID {
				t := j.title
				t.DurationSec = int((opts.Duration + time.Second - 1) / time.Second)
				t.PosterURL = t.ID + "/" + catalog.PosterName
				titles = append(titles, t)
			}
		}
		if len(titles) > n {
			cats = append(cats, c.Category)
		}
	}
	store, err := writeCatalog(ctx, dir, cats, titles, live.Groups, channels, time.Now())
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return store, nil
}

func (o Options) withDefaults() (Options, error) {
	if o.Duration == 0 {
		o.Duration = DefaultDuration
	}
	if o.Width == 0 {
		o.Width = DefaultWidth
	}
	if o.Height == 0 {
		o.Height = DefaultHeight
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	if o.FFmpeg == "" {
		o.FFmpeg = "ffmpeg"
	}
	if o.FontFile == "" {
		o.FontFile = findFont()
	}
	switch {
	case o.Duration < time.Second:
		return o, fmt.Errorf("demo: duration %v is shorter than 1s", o.Duration)
	case o.Width < 64 || o.Height < 64 || o.Width%2 != 0 || o.Height%2 != 0:
		return o, fmt.Errorf("demo: video size %dx%d must be even and at least 64x64", o.Width, o.Height)
	case o.Titles < 0:
		return o, fmt.Errorf("demo: negative number of titles %d", o.Titles)
	}
	return o, nil
}

// fontCandidates are tried in order by findFont: Nanum has Hangul, DejaVu
// at least Latin and Cyrillic.
var fontCandidates = []string{
	"/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf",
	"/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
}

// findFont returns the first installed font of fontCandidates, or the
// last candidate so that ffmpeg's error names it.
func findFont() string {
	for _, f := range fontCandidates {
		if _, err := os.Stat(f); err == nil {
			return f
		}
	}
	return fontCandidates[len(fontCandidates)-1]
}

// job is one title or channel to build.
type job struct {
	index   int // position in the embedded table; picks the tone
	title   operator.Title
	cat     category
	channel *liveChannel // set for a channel
}

// dir is where the job's media goes, in the media directory.
func (j job) dir() string {
	if j.channel != nil {
		return filepath.Join(LiveDirName, j.channel.ID)
	}
	return j.title.ID
}

// label names the job in errors.
func (j job) label() string {
	if j.channel != nil {
		return fmt.Sprintf("channel %q (%s)", j.channel.ID, j.channel.Name.In("en"))
	}
	return fmt.Sprintf("title %q (%s)", j.title.ID, j.title.Name.In("en"))
}

// selectTitles picks n titles (all if n is 0) round-robin over the
// categories, so a small demo still has several categories, and returns
// them in table order.
func selectTitles(t table, n int) []job {
	if n == 0 || n > len(t.Titles) {
		n = len(t.Titles)
	}
	cats := map[string]category{}
	byCat := map[string][]int{}
	for _, c := range t.Categories {
		cats[c.ID] = c
	}
	for i, ti := range t.Titles {
		byCat[ti.CategoryID] = append(byCat[ti.CategoryID], i)
	}
	picked := make([]bool, len(t.Titles))
	for round, left := 0, n; left > 0; round++ {
		for _, c := range t.Categories {
			if left > 0 && round < len(byCat[c.ID]) {
				picked[byCat[c.ID][round]] = true
				left--
			}
		}
	}
	var jobs []job
	for i, ti := range t.Titles {
		if picked[i] {
			jobs = append(jobs, job{index: i, title: ti, cat: cats[ti.CategoryID]})
		}
	}
	return jobs
}

// builder runs the jobs of one Build.
type builder struct {
	opts     Options
	mediaDir string
	total    int

	mu   sync.Mutex // guards done and writes to opts.Progress
	done int
}

// run builds the jobs on opts.Parallel workers, stopping at the first error.
func (b *builder) run(parent context.Context, jobs []job) error {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	queue := make(chan job)
	var wg sync.WaitGroup
	for range min(b.opts.Parallel, len(jobs)) {
		wg.Go(func() {
			for j := range queue {
				if ctx.Err() != nil {
					continue // drain the queue after a failure
				}
				start := time.Now()
				cached, err := b.build(ctx, j)
				if err != nil {
					cancel(err)
					continue
				}
				b.report(j, cached, time.Since(start))
			}
		})
	}
feed:
	for _, j := range jobs {
		select {
		case queue <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
	if parent.Err() != nil {
		return fmt.Errorf("demo: build interrupted: %w", context.Cause(parent))
	}
	return context.Cause(ctx)
}

// report writes the progress line of a finished job.
func (b *builder) report(j job, cached bool, took time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done++
	if b.opts.Progress == nil {
		return
	}
	what := fmt.Sprintf("%.1fs", took.Seconds())
	if cached {
		what = "cached"
	}
	if j.channel != nil {
		fmt.Fprintf(b.opts.Progress, "[%d/%d] 채널 %d: %s %s\n", b.done, b.total, j.channel.Number, j.channel.Name.In("ko"), what)
		return
	}
	fmt.Fprintf(b.opts.Progress, "[%d/%d] %s: %s %s\n", b.done, b.total, j.cat.Name.In("ko"), j.title.Name.In("ko"), what)
}

// build makes the media of one title or channel unless it is complete
// already, and reports whether it was.
func (b *builder) build(ctx context.Context, j job) (cached bool, err error) {
	final := filepath.Join(b.mediaDir, j.dir())
	want, err := json.Marshal(b.stampOf(j))
	if err != nil {
		return false, fmt.Errorf("demo: %s: %w", j.label(), err)
	}
	if complete(final, want, j.channel != nil) {
		return true, nil
	}
	parent := filepath.Dir(final)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return false, fmt.Errorf("demo: %s: %w", j.label(), err)
	}
	tmp, err := os.MkdirTemp(parent, tempPrefix+filepath.Base(final)+"-")
	if err != nil {
		return false, fmt.Errorf("demo: %s: %w", j.label(), err)
	}
	defer os.RemoveAll(tmp) // nothing left to remove after the rename
	if j.channel != nil {
		err = b.generateChannel(ctx, j, tmp)
	} else {
		err = b.generate(ctx, j, tmp)
	}
	if err != nil {
		return false, fmt.Errorf("demo: %s: %w", j.label(), err)
	}
	if err := os.WriteFile(filepath.Join(tmp, stampName), want, 0o644); err != nil {
		return false, fmt.Errorf("demo: %s: %w", j.label(), err)
	}
	if err := os.RemoveAll(final); err != nil {
		return false, fmt.Errorf("demo: %s: remove stale media: %w", j.label(), err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return false, fmt.Errorf("demo: %s: %w", j.label(), err)
	}
	return false, nil
}

// Files of the cache.
const (
	tempPrefix = ".tmp-"      // directories being generated
	stampName  = "build.json" // what a title's media was made from
)

// stamp records what a title's media was made from; media made from
// anything else is stale.
type stamp struct {
	Version    int           `json:"version"`
	Width      int           `json:"width"`
	Height     int           `json:"height"`
	DurationMS int64         `json:"duration_ms"`
	Pattern    string        `json:"pattern"`
	Hue        int           `json:"hue"`
	Tone       int           `json:"tone"`
	Font       string        `json:"font"`
	Name       operator.Text `json:"name"`
	Year       int           `json:"year"`
	Rating     string        `json:"rating"`
	Number     int           `json:"number,omitempty"` // of a channel
}

// stampVersion changes whenever generate's output changes.
const stampVersion = 1

func (b *builder) stampOf(j job) stamp {
	if c := j.channel; c != nil {
		return stamp{
			Version: stampVersion, Width: b.opts.Width, Height: b.opts.Height,
			DurationMS: b.opts.Duration.Milliseconds(), Pattern: c.Pattern, Hue: c.Hue,
			Tone: toneOf(j.index + 7), Font: b.opts.FontFile, Name: c.Name, Number: c.Number,
		}
	}
	return stamp{
		Version: stampVersion, Width: b.opts.Width, Height: b.opts.Height,
		DurationMS: b.opts.Duration.Milliseconds(), Pattern: j.cat.Pattern, Hue: j.cat.Hue,
		Tone: toneOf(j.index), Font: b.opts.FontFile, Name: j.title.Name,
		Year: j.title.Year, Rating: j.title.Rating,
	}
}

// complete reports whether dir holds whole media, of a title or a
// channel, made from the stamp want.
func complete(dir string, want []byte, channel bool) bool {
	got, err := os.ReadFile(filepath.Join(dir, stampName))
	if err != nil || string(got) != string(want) {
		return false
	}
	if channel {
		for _, f := range []string{LoopName, LogoName} {
			if info, err := os.Stat(filepath.Join(dir, f)); err != nil || info.Size() == 0 {
				return false
			}
		}
		return true
	}
	pl, err := os.ReadFile(filepath.Join(dir, catalog.PlaylistName))
	if err != nil || !strings.Contains(string(pl), "#EXT-X-ENDLIST") {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, catalog.PosterName))
	return err == nil
}

// removeStaleTemps removes temporary directories older than age left by
// interrupted builds, of titles and of channels. Younger ones may belong
// to a build still running.
func removeStaleTemps(mediaDir string, age time.Duration) {
	for _, dir := range []string{mediaDir, filepath.Join(mediaDir, LiveDirName)} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), tempPrefix) {
				continue
			}
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > age {
				os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
	}
}
