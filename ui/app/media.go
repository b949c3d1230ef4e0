package app

import (
	"context"
	"fmt"
	"image"
	"os"
	"slices"
	"time"

	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/library"
	"github.com/manbang/manbang/ui/mounts"
	"github.com/manbang/manbang/ui/photo"
	"github.com/manbang/manbang/ui/screen"
	"github.com/manbang/manbang/ui/session"
	"github.com/manbang/manbang/ui/state"
)

// MediaWatcher is the mount table's watcher of the viewer's media as the
// app uses it (*mounts.Watcher).
type MediaWatcher interface {
	// Media returns the media mounted now, sorted by path.
	Media() []mounts.Medium
	// Changes is sent the media mounted after each change.
	Changes() <-chan []mounts.Medium
	Close() error
}

var _ MediaWatcher = (*mounts.Watcher)(nil)

// localPlay is the file of the viewer's medium playing, and for songs the
// folder's songs it goes on with.
type localPlay struct {
	entry  library.Entry
	songs  *songQueue // nil for a video
	folder string
}

// startMedia starts watching the media roots of the configuration, and
// hands every change of the media mounted to the loop.
func (a *App) startMedia() {
	w := a.cfg.MediaWatcher
	if w == nil {
		if len(a.cfg.Media) == 0 {
			return
		}
		mw, err := mounts.Watch(a.cfg.Media)
		if err != nil {
			a.log.Warn("media: the viewer's media will not show", "roots", a.cfg.Media, "err", err)
			return
		}
		w = mw
	}
	a.watcher = w
	a.setMedia(w.Media(), false)
	a.goPost(func(ctx context.Context) {
		for {
			select {
			case ms, ok := <-w.Changes():
				if !ok {
					return
				}
				a.post(func() { a.setMedia(ms, true) })
			case <-ctx.Done():
				return
			}
		}
	})
}

// closeMedia stops the watcher; the goroutine reading it has ended.
func (a *App) closeMedia() {
	if a.watcher != nil {
		if err := a.watcher.Close(); err != nil {
			a.log.Warn("media watcher", "err", err)
		}
	}
}

// setMedia shows the media mounted now on Home. A medium that came is
// told with a notice (when notify); one that went takes with it the
// screens showing its files, and its playback, back to Home, which says
// it was removed.
func (a *App) setMedia(ms []mounts.Medium, notify bool) {
	old := a.mediaNow
	a.mediaNow = ms
	if a.home == nil {
		return
	}
	a.home.SetMedia(ms)
	lang := a.Lang()
	has := func(list []mounts.Medium, path string) bool {
		return slices.ContainsFunc(list, func(m mounts.Medium) bool { return m.Path == path })
	}
	for _, m := range old {
		if has(ms, m.Path) {
			continue
		}
		a.log.Info("medium removed", "path", m.Path)
		a.photos.forget(m.Path)
		a.thumbs.forget(m.Path)
		if a.onMedium(m.Path) {
			a.popTo(a.home)
		}
		a.home.Notify(i18n.T(lang, i18n.MediumRemoved, m.Label))
	}
	for _, m := range ms {
		if !has(old, m.Path) {
			a.log.Info("medium mounted", "path", m.Path, "label", m.Label, "fstype", m.FSType)
			if notify {
				a.home.Notify(i18n.T(lang, i18n.MediumConnected, m.Label))
			}
		}
	}
}

// onMedium reports whether a screen of the stack shows a file or folder
// of the medium mounted at path, or plays from it.
func (a *App) onMedium(path string) bool {
	for _, s := range a.stack {
		if om, ok := s.(screen.OnMedium); ok && om.Medium() == path {
			return true
		}
		if p, ok := s.(*screen.Player); ok && p.File() != "" && screen.Under(p.File(), path) {
			return true
		}
	}
	return false
}

// Media implements screen.Host.
func (a *App) Media() []mounts.Medium { return a.mediaNow }

// List implements screen.Host: the folder is read on a goroutine.
func (a *App) List(dir string, done func([]library.Entry, error)) {
	a.goPost(func(context.Context) {
		es, err := library.List(dir)
		a.post(func() { done(es, err) })
	})
}

// PlayFile implements screen.Host: a video of the viewer's medium plays
// with no operator involved, from where the viewer left it on this box.
func (a *App) PlayFile(e library.Entry) {
	from, _ := a.st.LocalResumeAt(localKey(e))
	p := screen.NewFilePlayer(a, e.Name, e.Path)
	a.push(a.startPlaybackWith(session.Request{Title: p.Title(), Locator: e.Path, From: from, Local: true}, p))
	a.local = localPlay{entry: e}
}

// PlaySongs implements screen.Host.
func (a *App) PlaySongs(songs []library.Entry, i int, folder string) {
	if i < 0 || i >= len(songs) {
		return
	}
	s := a.st.Settings
	a.playSong(newSongQueue(slices.Clone(songs), i, s.Shuffle, s.Repeat, a.rnd), folder)
}

// SongOrder implements screen.SongHost: the settings' shuffle and repeat.
func (a *App) SongOrder() (bool, string) { return a.st.Settings.Shuffle, a.st.Settings.Repeat }

// SetSongOrder implements screen.SongHost: kept in the settings, like the
// volume, and applied to the songs playing from the next one on.
func (a *App) SetSongOrder(shuffle bool, repeat string) {
	s := a.st.Settings
	s.Shuffle, s.Repeat = shuffle, repeat
	a.Apply(s)
	if q := a.local.songs; q != nil {
		q.repeat = a.st.Settings.Repeat
		if q.shuffle != shuffle {
			q.setShuffle(shuffle)
		}
	}
}

// playSong plays the queue's current song on a now-playing screen, in
// the place of the song playing before if its screen is on top.
func (a *App) playSong(q *songQueue, folder string) {
	i := q.current()
	e := q.songs[i]
	view := screen.NewSongPlayer(a, e.Name, e.Path, folder, i+1, len(q.songs))
	prev := a.playing()
	view.FollowSong(prev)
	p := a.startPlaybackWith(session.Request{Title: view.Title(), Locator: e.Path, Local: true}, view)
	if prev != nil && len(a.stack) > 0 && a.top() == screen.Screen(prev) {
		a.stack[len(a.stack)-1] = p
	} else {
		a.push(p)
	}
	a.local = localPlay{entry: e, songs: q, folder: folder}
}

// localEnded handles the end of a file of the viewer's: the next song of
// the folder plays, as shuffle and repeat say; a video watched to its end
// is not resumed. It reports whether another song started.
func (a *App) localEnded(now time.Time) bool {
	l := a.local
	if l.songs != nil {
		if l.songs.next() {
			a.playSong(l.songs, l.folder)
			return true
		}
		return false
	}
	a.st.SetLocalResume(localKey(l.entry), 0, now)
	a.save()
	return false
}

// rememberLocal keeps where the viewer left a video of their medium, on
// this box only: nothing is sent to the operator.
func (a *App) rememberLocal(pb *session.Session) {
	l := a.local
	a.local = localPlay{}
	if l.songs != nil || l.entry.Path == "" || !pb.EndedAt().IsZero() {
		return
	}
	pos := pb.ResumeAt()
	if pos <= 0 {
		return
	}
	if pos < resumeMin {
		pos = 0
	}
	if st := pb.Player(); st != nil {
		if total := time.Duration(st.Stats().DurationMS * float64(time.Millisecond)); total > 0 && pos > total-resumeEnd {
			pos = 0
		}
	}
	a.st.SetLocalResume(localKey(l.entry), pos, a.now())
	a.save()
}

// localKey is the key of a file's resume position.
func localKey(e library.Entry) string { return state.LocalKey(e.Path, e.Size, e.ModTime) }

// Photo implements screen.Host.
func (a *App) Photo(path string) (*draw.Image, error) { return a.photos.get(path) }

// PhotoDetail implements screen.Host.
func (a *App) PhotoDetail(path string) (*draw.Image, error) { return a.photos.getDetail(path) }

// Photos are read from the viewer's medium one at a time, refused above
// a size no photo needs (photoMaxBytes of file, photo.MaxPixels), and
// scaled down once to the screen; photoKept are kept in memory, and one
// more decoded to fit twice the screen for zooming in (at 1080 lines,
// 3840×2160: 32 MiB, within a GLES2 texture's 4096; never larger, so a
// 4K screen zooms the screen's own).
const (
	photoMaxBytes  = 48 << 20
	photoKept      = 5
	photoDetail    = 2
	photoDetailMax = 2160
)

type photoEntry struct {
	img     *draw.Image
	err     error
	loading bool
	used    time.Time
}

// photoCache decodes the viewer's photos off the render loop; it is used
// only from the loop.
type photoCache struct {
	a          *App
	entries    map[string]*photoEntry
	detail     *photoEntry // the photo decoded larger, of detailPath
	detailPath string
	sem        chan struct{}
}

func newPhotoCache(a *App) *photoCache {
	return &photoCache{a: a, entries: map[string]*photoEntry{}, sem: make(chan struct{}, 1)}
}

// get returns the photo at path scaled to the screen, nil while it
// loads, and why it cannot be shown.
func (c *photoCache) get(path string) (*draw.Image, error) {
	e, ok := c.entries[path]
	if !ok {
		e = &photoEntry{loading: true}
		c.entries[path] = e
		c.load(path, e, 1)
		c.evict()
	}
	e.used = c.a.now()
	return e.img, e.err
}

// getDetail returns the photo at path scaled to twice the screen, nil
// while it loads; asking for another drops the one kept.
func (c *photoCache) getDetail(path string) (*draw.Image, error) {
	if c.detail == nil || c.detailPath != path {
		c.detail, c.detailPath = &photoEntry{loading: true}, path
		c.load(path, c.detail, photoDetail)
	}
	return c.detail.img, c.detail.err
}

// load decodes the photo at path into e, to fit times the screen, and
// never more than photoDetailMax lines, whatever the screen.
func (c *photoCache) load(path string, e *photoEntry, times int) {
	h := max(c.a.canvasH, 720) * float32(times)
	if times > 1 {
		h = min(h, photoDetailMax)
	}
	w, hh := int(h*16/9), int(h)
	c.a.goPost(func(ctx context.Context) {
		select {
		case c.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		img, err := decodePhoto(path, w, hh)
		<-c.sem
		c.a.post(func() {
			e.loading = false
			if err != nil {
				c.a.log.Info("photo", "path", path, "err", err)
				e.err = err
				return
			}
			e.img = draw.NewImage(img)
		})
	})
}

// evict keeps the photoKept photos used last.
func (c *photoCache) evict() {
	for len(c.entries) > photoKept {
		var oldest string
		var t time.Time
		for k, e := range c.entries {
			if !e.loading && (oldest == "" || e.used.Before(t)) {
				oldest, t = k, e.used
			}
		}
		if oldest == "" {
			return
		}
		delete(c.entries, oldest)
	}
}

// forget drops the photos of a medium that went.
func (c *photoCache) forget(medium string) {
	for k := range c.entries {
		if screen.Under(k, medium) {
			delete(c.entries, k)
		}
	}
	if screen.Under(c.detailPath, medium) {
		c.detail, c.detailPath = nil, ""
	}
}

// decodePhoto reads a JPEG or PNG photo, upright as its EXIF orientation
// says, and scales it to fit w x h.
func decodePhoto(path string, w, h int) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() > photoMaxBytes {
		return nil, fmt.Errorf("%d MiB: larger than the %d MiB a photo may be", info.Size()>>20, photoMaxBytes>>20)
	}
	return photo.Decode(f, w, h)
}
