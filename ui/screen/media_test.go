package screen

import (
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/library"
	"github.com/manbang/manbang/ui/mounts"
)

// stick makes a medium's files under a temporary mount point: folders of
// videos, songs and photos with Korean and Russian names, and a file the
// box does not play.
func stick(t *testing.T) mounts.Medium {
	t.Helper()
	root := filepath.Join(t.TempDir(), "STICK")
	files := []string{
		"영화/가족 여행 2.mp4", "영화/가족 여행 10.mp4", "영화/notes.txt",
		"Музыка/Песня 1.mp3", "Музыка/Песня 2.flac", "Музыка/cover.jpg",
		"Фото/Ёлка.jpg", "Фото/Море.png", "Фото/Дача.jpg",
		"System Volume Information/IndexerVolumeGuid",
		"clip.mkv",
	}
	for _, f := range files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, 1500), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return mounts.Medium{Path: root, Label: "STICK", FSType: "vfat", Size: 8 << 30, ReadOnly: true}
}

func homeState(h *Home) HomeState { return h.State().(HomeState) }

// A medium mounted shows as Home's first row with its label and size, and
// OK on it opens its browser; a notice says it came.
func TestHomeMediaRow(t *testing.T) {
	host := newHost("en")
	home := NewHome(host)
	home.SetRows([]Row{{Kind: RowCategory, Category: docs, Items: []Item{{Title: title("t1", "가", "One", "Один")}}}})
	m := stick(t)
	home.SetMedia([]mounts.Medium{m})
	home.Notify(i18n.T("en", i18n.MediumConnected, m.Label))
	if st := homeState(home); st.Focus == nil || st.Focus.Kind != "title" {
		t.Fatalf("a medium coming moved the focus: %+v", st.Focus)
	}
	keys(home, remote.KeyUp)
	st := homeState(home)
	if len(st.RowIDs) != 2 || st.RowIDs[0] != "media" || len(st.Media) != 1 || st.Media[0].Label != "STICK" {
		t.Fatalf("Home with a medium: %+v", st)
	}
	if st.Focus == nil || st.Focus.Kind != "medium" || st.Focus.Medium != m.Path {
		t.Fatalf("focus: %+v", st.Focus)
	}
	if st.Notice != `USB stick “STICK” connected` {
		t.Errorf("notice %q", st.Notice)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	home.Update(t0)
	home.Draw(rec, t0)
	texts := strings.Join(rec.Texts(), "|")
	for _, want := range []string{"Your media", "STICK", "8.6 GB", "connected"} {
		if !strings.Contains(texts, want) {
			t.Errorf("Home draws no %q: %s", want, texts)
		}
	}
	if w := home.Wake(t0); !w.Equal(t0.Add(noticeShown)) {
		t.Errorf("Wake %v, want the notice's end %v", w, t0.Add(noticeShown))
	}
	host.now = t0.Add(noticeShown)
	if st := homeState(home); st.Notice != "" {
		t.Errorf("notice still shown after %v: %q", noticeShown, st.Notice)
	}

	keys(home, remote.KeyOK)
	b, ok := host.top().(*Browser)
	if !ok {
		t.Fatalf("OK on the medium opened %T", host.top())
	}
	if b.Medium() != m.Path {
		t.Errorf("browser of %s", b.Medium())
	}

	// The medium goes: its row goes, the focus moves to the catalogue.
	home.SetMedia(nil)
	if st := homeState(home); len(st.RowIDs) != 1 || st.RowIDs[0] != "cat:docs" || st.Focus == nil || st.Focus.Kind != "title" {
		t.Errorf("Home after the medium went: %+v", st)
	}
}

// With no catalogue (the operator does not answer), the media row still
// opens.
func TestHomeMediaWithoutCatalogue(t *testing.T) {
	host := newHost("ko")
	home := NewHome(host)
	home.SetError(errDown, t0)
	if homeState(home).Status != HomeError {
		t.Fatal("no error shown")
	}
	home.SetMedia([]mounts.Medium{stick(t)})
	if st := homeState(home); st.Status != HomeReady || len(st.RowIDs) != 1 {
		t.Fatalf("Home with a medium and no catalogue: %+v", st)
	}
	keys(home, remote.KeyOK)
	if _, ok := host.top().(*Browser); !ok {
		t.Fatalf("OK opened %T", host.top())
	}
	home.SetMedia(nil)
	if st := homeState(home); st.Status != HomeError {
		t.Errorf("the medium gone: status %s, want the catalogue's error again", st.Status)
	}
}

func browserState(b *Browser) BrowserState { return b.State().(BrowserState) }

func entryNames(st BrowserState) []string {
	var out []string
	for _, e := range st.Entries {
		out = append(out, e.Name)
	}
	return out
}

// The browser lists folders first, then files, without what the box does
// not play; OK goes into a folder, Back comes out with the focus where it
// was, and Back at the root leaves.
func TestBrowserFolders(t *testing.T) {
	host := newHost("en")
	m := stick(t)
	b := NewBrowser(host, m)
	host.Push(b)
	st := browserState(b)
	if want := []string{"Музыка", "Фото", "영화", "clip.mkv"}; !slices.Equal(entryNames(st), want) {
		t.Fatalf("root = %q, want %q", entryNames(st), want)
	}
	if st.Focused == nil || st.Focused.Kind != "folder" || st.Dir != "" || !st.Loaded {
		t.Fatalf("root state %+v", st)
	}
	keys(b, remote.KeyDown, remote.KeyDown, remote.KeyOK) // 영화
	st = browserState(b)
	if st.Dir != "영화" || !slices.Equal(entryNames(st), []string{"가족 여행 2.mp4", "가족 여행 10.mp4"}) {
		t.Fatalf("in 영화: %+v", st)
	}
	keys(b, remote.KeyDown, remote.KeyOK)
	if want := filepath.Join(m.Path, "영화", "가족 여행 10.mp4"); !slices.Equal(host.files, []string{want}) {
		t.Errorf("played %q, want %q", host.files, want)
	}
	keys(b, remote.KeyBack)
	st = browserState(b)
	if st.Dir != "" || st.Focus != 2 || host.backs != 0 {
		t.Fatalf("Back from 영화: dir %q focus %d backs %d", st.Dir, st.Focus, host.backs)
	}
	keys(b, remote.KeyBack)
	if host.backs != 1 || host.top() != nil {
		t.Errorf("Back at the root: %d backs, top %v", host.backs, host.top())
	}
}

// The yellow key sorts by name, date and size; the blue key shows all,
// videos, music and photos (folders always, which lead to more).
func TestBrowserSortAndKind(t *testing.T) {
	host := newHost("ru")
	m := stick(t)
	// The video at the root is the newest and the largest.
	clip := filepath.Join(m.Path, "clip.mkv")
	os.WriteFile(clip, make([]byte, 5000), 0o644)
	later := time.Now().Add(time.Hour)
	os.Chtimes(clip, later, later)
	b := NewBrowser(host, m)
	keys(b, remote.KeyDown, remote.KeyDown, remote.KeyDown) // clip.mkv
	keys(b, remote.KeyYellow)
	if st := browserState(b); st.Order != "date" || st.Focused.Name != "clip.mkv" {
		t.Fatalf("date: %+v", st)
	}
	keys(b, remote.KeyYellow)
	if st := browserState(b); st.Order != "size" {
		t.Fatalf("size: %+v", st)
	}
	keys(b, remote.KeyYellow)
	if st := browserState(b); st.Order != "name" {
		t.Fatalf("back to name: %+v", st)
	}
	keys(b, remote.KeyBlue, remote.KeyBlue) // music
	st := browserState(b)
	if st.Kind != "music" || slices.Contains(entryNames(st), "clip.mkv") || len(st.Entries) != 3 {
		t.Fatalf("music at the root: %+v", st)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	b.Update(t0)
	b.Draw(rec, t0)
	if texts := strings.Join(rec.Texts(), "|"); !strings.Contains(texts, "Синяя показ: музыка") {
		t.Errorf("hints do not say music is shown: %s", texts)
	}
	keys(b, remote.KeyOK) // Музыка
	st = browserState(b)
	if want := []string{"Песня 1.mp3", "Песня 2.flac"}; !slices.Equal(entryNames(st), want) {
		t.Fatalf("music in Музыка = %q, want %q (the cover left out)", entryNames(st), want)
	}
	keys(b, remote.KeyDown, remote.KeyOK)
	if want := []string{"STICK › Музыка: Песня 2.flac of 2"}; !slices.Equal(host.songs, want) {
		t.Errorf("songs %q, want %q", host.songs, want)
	}
	keys(b, remote.KeyBlue, remote.KeyBlue) // photos, then all
	if st := browserState(b); st.Kind != "all" || len(st.Entries) != 3 {
		t.Errorf("all in Музыка: %+v", st)
	}
}

// OK on a photo shows it full screen; left and right go to the photos
// next to it, and a photo that cannot be decoded says so by name.
func TestPhotos(t *testing.T) {
	host := newHost("en")
	m := stick(t)
	dir := filepath.Join(m.Path, "Фото")
	good := draw.NewImage(image.NewRGBA(image.Rect(0, 0, 40, 30)))
	host.photos = map[string]*draw.Image{filepath.Join(dir, "Дача.jpg"): good, filepath.Join(dir, "Ёлка.jpg"): good}
	host.photoErrs = map[string]error{filepath.Join(dir, "Море.png"): errors.New("png: invalid format: not a PNG file")}
	b := NewBrowser(host, m)
	host.Push(b)
	keys(b, remote.KeyDown, remote.KeyOK, remote.KeyDown, remote.KeyOK) // Фото, Ёлка
	p, ok := host.top().(*Photos)
	if !ok {
		t.Fatalf("OK on a photo opened %T", host.top())
	}
	st := p.State().(PhotoState)
	if st.Name != "Ёлка.jpg" || st.Index != 1 || st.Count != 3 || !st.Loaded || st.Width != 40 {
		t.Fatalf("photo %+v", st)
	}
	p.Update(t0) // the neighbours start loading
	if !slices.Contains(host.photoReqs, filepath.Join(dir, "Море.png")) {
		t.Errorf("the next photo was not asked for: %q", host.photoReqs)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	p.Draw(rec, t0)
	if imgs := rec.Find(draw.OpImage); len(imgs) != 1 || imgs[0].Rect.H != 720 || imgs[0].Rect.W != 960 {
		t.Errorf("the photo is not drawn fitted to the screen: %+v", imgs)
	}
	keys(p, remote.KeyRight)
	st = p.State().(PhotoState)
	if st.Name != "Море.png" || st.Error == "" {
		t.Fatalf("a broken photo: %+v", st)
	}
	rec = draw.NewRecorder(1280, 720, nil)
	p.Draw(rec, t0)
	if texts := strings.Join(rec.Texts(), "|"); !strings.Contains(texts, "Cannot show the photo “Море.png”") || !strings.Contains(texts, "not a PNG") {
		t.Errorf("the broken photo's message: %s", texts)
	}
	keys(p, remote.KeyRight, remote.KeyRight)
	if st := p.State().(PhotoState); st.Index != 2 {
		t.Errorf("right past the last: index %d", st.Index)
	}
	keys(p, remote.KeyBack)
	if host.top() != Screen(b) {
		t.Errorf("Back from the photo: top %T", host.top())
	}
}

// A folder that cannot be read says which, and the browser goes on.
func TestBrowserUnreadable(t *testing.T) {
	host := newHost("ko")
	m := stick(t)
	os.RemoveAll(m.Path)
	b := NewBrowser(host, m)
	st := browserState(b)
	if st.Error == "" || !st.Loaded {
		t.Fatalf("a folder gone: %+v", st)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	b.Draw(rec, t0)
	if texts := strings.Join(rec.Texts(), "|"); !strings.Contains(texts, "‘STICK’ 폴더를 읽을 수 없습니다") {
		t.Errorf("no message naming the folder: %s", texts)
	}
	keys(b, remote.KeyOK, remote.KeyDown, remote.KeyBack)
	if host.backs != 1 {
		t.Errorf("Back from an unreadable root: %d backs", host.backs)
	}
}

// A song's now-playing screen: its name, its folder, its place.
func TestSongPlayer(t *testing.T) {
	host := newHost("ko")
	p := NewSongPlayer(host, "Песня 1.mp3", "/media/STICK/Музыка/Песня 1.mp3", "STICK › Музыка", 1, 2)
	st := p.State().(PlayerState)
	if st.Song == nil || st.Song.Index != 1 || st.Song.Count != 2 || st.File == "" {
		t.Fatalf("song state %+v", st)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	p.Draw(rec, t0)
	texts := strings.Join(rec.Texts(), "|")
	for _, want := range []string{"재생 중", "Песня 1.mp3", "STICK › Музыка", "1번째 곡 (전체 2곡)"} {
		if !strings.Contains(texts, want) {
			t.Errorf("now playing draws no %q: %s", want, texts)
		}
	}
}

func TestMediaScreensDrawn(t *testing.T) {
	m := stick(t)
	checkDrawn(t, "browser", func(h *fakeHost) Screen { return NewBrowser(h, m) })
	checkDrawn(t, "home with media", func(h *fakeHost) Screen {
		home := NewHome(h)
		home.SetMedia([]mounts.Medium{m})
		home.Notify(i18n.T(h.lang, i18n.MediumRemoved, "A VERY LONG VOLUME LABEL OF A STICK"))
		return home
	})
	checkDrawn(t, "photo", func(h *fakeHost) Screen {
		return NewPhotos(h, m.Path, []library.Entry{{Name: "Ёлка.jpg", Path: "/x/Ёлка.jpg", Kind: library.Photo}}, 0)
	})
	checkDrawn(t, "song", func(h *fakeHost) Screen {
		return NewSongPlayer(h, "가족 여행 노래.mp3", "/x/a.mp3", "STICK › 음악", 3, 12)
	})
	checkDrawn(t, "song shuffled, repeat one", func(h *fakeHost) Screen {
		h.st.Settings.Shuffle, h.st.Settings.Repeat = true, "one"
		return NewSongPlayer(h, "가족 여행 노래.mp3", "/x/a.mp3", "STICK › 음악", 3, 12)
	})
	for i := range dimPlaces { // dimmed, its text at each place it goes
		checkDrawn(t, "song dimmed", func(h *fakeHost) Screen {
			h.now = t0.Add(-dimAfter - time.Duration(i)*dimShift)
			p := NewSongPlayer(h, "Очень длинное название песни о семейной поездке на море.mp3", "/x/a.mp3", "STICK › Музыка › Лето 2024", 3, 12)
			h.now = t0
			return p
		})
	}
	checkDrawn(t, "photo zoomed in a slideshow", func(h *fakeHost) Screen {
		p := NewPhotos(h, m.Path, []library.Entry{{Name: "Ёлка.jpg", Path: "/x/Ёлка.jpg", Kind: library.Photo}, {Name: "b.jpg", Path: "/x/b.jpg", Kind: library.Photo}}, 0)
		keys(p, remote.KeyOK, remote.KeyFastForward)
		return p
	})
}

func TestFormatSize(t *testing.T) {
	cases := []struct {
		lang string
		n    int64
		want string
	}{
		{"en", 8 << 30, "8.6 GB"}, {"ru", 8 << 30, "8,6 ГБ"}, {"ko", 320e6, "320MB"}, {"en", 12345, "12 KB"}, {"en", 10, "0 KB"},
	}
	for _, c := range cases {
		if got := formatSize(c.lang, c.n); got != c.want {
			t.Errorf("formatSize(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

// The browser asks for the thumbnails of the rows on screen first, then
// of those just below and above, again only when the rows change; none
// while a video plays; it draws a thumbnail where one is ready, the
// kind's icon elsewhere, and reports how many of the rows show one.
func TestBrowserThumbs(t *testing.T) {
	host := newHost("en")
	root := filepath.Join(t.TempDir(), "MANY")
	if err := os.MkdirAll(filepath.Join(root, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		if err := os.WriteFile(filepath.Join(root, fmt.Sprintf("v%02d.mp4", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names := func(from, to int, more ...int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("v%02d.mp4", i))
		}
		for _, i := range more {
			out = append(out, fmt.Sprintf("v%02d.mp4", i))
		}
		return out
	}
	b := NewBrowser(host, mounts.Medium{Path: root, Label: "MANY"})
	host.Push(b)
	b.Update(t0)
	b.Update(t0)
	if want := append([]string{"dir"}, names(0, 10)...); len(host.thumbWants) != 1 || !slices.Equal(host.thumbWants[0], want) {
		t.Fatalf("wants %q, want the screen's rows first", host.thumbWants)
	}
	keys(b, remote.KeyChannelDown, remote.KeyChannelDown) // focus 18: rows 12 to 20 shown
	b.Update(t0)
	if got, want := host.thumbWants[len(host.thumbWants)-1], names(11, 20, 20, 10, 21, 9); !slices.Equal(got, want) {
		t.Fatalf("wants %q, want %q", got, want)
	}
	host.thumbs = map[string]*draw.Image{
		filepath.Join(root, "v12.mp4"): draw.NewImage(image.NewRGBA(image.Rect(0, 0, 72, 40))),
		filepath.Join(root, "v00.mp4"): draw.NewImage(image.NewRGBA(image.Rect(0, 0, 72, 40))), // off screen
	}
	if st := browserState(b); st.Visible != 9 || st.ThumbsReady != 1 {
		t.Errorf("visible %d, thumbnails %d; want 9 and 1", st.Visible, st.ThumbsReady)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	b.scroll.jump(float32(b.firstRow()))
	b.Draw(rec, t0)
	if imgs := rec.Find(draw.OpImage); len(imgs) != 1 || imgs[0].Image != host.thumbs[filepath.Join(root, "v12.mp4")] {
		t.Errorf("drew %d thumbnails, want v12's", len(imgs))
	}
	n := len(host.thumbWants)
	keys(b, remote.KeyOK)
	if len(host.thumbWants) != n+1 || host.thumbWants[n] != nil {
		t.Errorf("playing a video, the thumbnails still wanted: %q", host.thumbWants[n:])
	}
	b.Update(t0)
	if len(host.thumbWants) != n+2 || len(host.thumbWants[n+1]) != 13 {
		t.Errorf("back from the video, wants %q", host.thumbWants[n:])
	}
}
