package screen

import (
	"image"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/library"
)

// threePhotos is a viewer of three photos of 400×300, loaded, showing the
// first.
func threePhotos(host *fakeHost) *Photos {
	host.photos = map[string]*draw.Image{}
	var es []library.Entry
	for _, n := range []string{"a.jpg", "b.jpg", "c.jpg"} {
		es = append(es, library.Entry{Name: n, Path: "/m/" + n, Kind: library.Photo})
		host.photos["/m/"+n] = draw.NewImage(image.NewRGBA(image.Rect(0, 0, 400, 300)))
	}
	return NewPhotos(host, "/m", es, 0)
}

func photoState(p *Photos) PhotoState { return p.State().(PhotoState) }

// OK starts a slideshow: every slideEvery the next photo, at the time
// Wake names, round to the first after the last; OK again stops it.
func TestPhotoSlideshow(t *testing.T) {
	host := newHost("en")
	p := threePhotos(host)
	p.Update(t0)
	if photoState(p).Slideshow || !p.Wake(t0.Add(photoCaption)).IsZero() {
		t.Fatal("a slideshow without OK")
	}
	keys(p, remote.KeyOK)
	if !photoState(p).Slideshow {
		t.Fatal("OK started no slideshow")
	}
	if texts := drawnTexts(p, t0); !strings.Contains(texts, "Slideshow") {
		t.Errorf("the slideshow is not shown: %s", texts)
	}
	now := t0
	var seen []int
	for range 4 {
		next := p.Wake(now.Add(photoCaption))
		if !next.Equal(now.Add(slideEvery)) {
			t.Fatalf("Wake %v after the photo came, want %v", next.Sub(now), slideEvery)
		}
		p.Update(next.Add(-time.Millisecond))
		if i := photoState(p).Index; len(seen) > 0 && i != seen[len(seen)-1] {
			t.Fatalf("moved on before its time to %d", i)
		}
		now = next
		p.Update(now)
		seen = append(seen, photoState(p).Index)
	}
	if want := []int{1, 2, 0, 1}; !slices.Equal(seen, want) {
		t.Errorf("the slideshow showed %v, want %v", seen, want)
	}
	// A photo still loading is shown its full time once it comes.
	delete(host.photos, "/m/c.jpg")
	now = now.Add(slideEvery)
	p.Update(now) // to c, loading
	p.Update(now.Add(3 * slideEvery))
	if st := photoState(p); st.Index != 2 || st.Loaded {
		t.Fatalf("moved past a photo still loading: %+v", st)
	}
	keys(p, remote.KeyPlayPause)
	if photoState(p).Slideshow {
		t.Error("Play did not stop the slideshow")
	}
}

// Fast-forward zooms in to 2× and 4×, rewind out; zoomed, the arrows move
// over the photo instead of changing it, within its edges; the larger
// decode is asked for and drawn once it comes.
func TestPhotoZoom(t *testing.T) {
	host := newHost("en")
	p := threePhotos(host)
	host.details = map[string]*draw.Image{}
	keys(p, remote.KeyFastForward)
	p.Update(t0)
	if st := photoState(p); st.Zoom != 2 || st.Detail {
		t.Fatalf("zoom in: %+v", st)
	}
	if len(host.detailReqs) == 0 || host.detailReqs[0] != "/m/a.jpg" {
		t.Fatalf("the larger photo was not asked for: %q", host.detailReqs)
	}
	if w := p.Wake(t0); !w.Equal(t0) {
		t.Errorf("Wake %v while the larger photo loads", w)
	}
	drawn := func() draw.Op {
		rec := draw.NewRecorder(1280, 720, nil)
		p.Draw(rec, t0)
		imgs := rec.Find(draw.OpImage)
		if len(imgs) != 1 {
			t.Fatalf("%d pictures drawn", len(imgs))
		}
		return imgs[0]
	}
	// 400×300 fits 960×720; at 2× 1920×1440, its middle in the middle.
	if r := drawn().Rect; !near(r, draw.Rect{X: -320, Y: -360, W: 1920, H: 1440}) {
		t.Errorf("2× drawn at %+v", r)
	}
	texts := drawnTexts(p, t0)
	if !strings.Contains(texts, "2×") || !strings.Contains(texts, "move") {
		t.Errorf("zoom not shown: %s", texts)
	}
	keys(p, remote.KeyRight, remote.KeyRight, remote.KeyRight, remote.KeyDown)
	st := photoState(p)
	if st.Index != 0 {
		t.Fatalf("right while zoomed changed the photo to %d", st.Index)
	}
	if r := drawn().Rect; !near(r, draw.Rect{X: 1280 - 1920, Y: -360 - 180, W: 1920, H: 1440}) {
		t.Errorf("panned right to the edge and down: %+v", r)
	}
	host.details["/m/a.jpg"] = draw.NewImage(image.NewRGBA(image.Rect(0, 0, 800, 600)))
	if op := drawn(); op.Image != host.details["/m/a.jpg"] || !near(op.Rect, draw.Rect{X: 1280 - 1920, Y: -360 - 180, W: 1920, H: 1440}) || !photoState(p).Detail {
		t.Errorf("the larger photo is not drawn: %+v", op.Rect)
	}
	keys(p, remote.KeyFastForward, remote.KeyFastForward)
	if st := photoState(p); st.Zoom != 4 {
		t.Errorf("zoom in past 4×: %d", st.Zoom)
	}
	// Closer round the same middle: 3/4 across, 5/8 down.
	if r := drawn().Rect; !near(r, draw.Rect{X: 640 - 0.75*3840, Y: 360 - 0.625*2880, W: 3840, H: 2880}) {
		t.Errorf("4× drawn at %+v", r)
	}
	keys(p, remote.KeyRewind, remote.KeyRewind, remote.KeyRewind)
	if st := photoState(p); st.Zoom != 1 || st.Detail {
		t.Errorf("zoom out past 1×: %+v", st)
	}
	if r := drawn().Rect; !near(r, draw.Rect{X: 160, W: 960, H: 720}) {
		t.Errorf("1× after zooming drawn at %+v", r)
	}
	keys(p, remote.KeyRight)
	if photoState(p).Index != 1 {
		t.Error("right at 1× does not change the photo")
	}
	// Another photo comes whole.
	keys(p, remote.KeyFastForward, remote.KeyLeft)
	keys(p, remote.KeyRewind, remote.KeyLeft)
	if st := photoState(p); st.Index != 0 || st.Zoom != 1 {
		t.Errorf("after zooming out and left: %+v", st)
	}
}

// near reports whether a and b are the same rectangle but for rounding.
func near(a, b draw.Rect) bool {
	d := func(x, y float32) bool { return x-y < 0.01 && y-x < 0.01 }
	return d(a.X, b.X) && d(a.Y, b.Y) && d(a.W, b.W) && d(a.H, b.H)
}
