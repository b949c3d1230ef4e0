package draw

import (
	"image"
	"testing"

	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/ui/text"
)

func TestLetterbox(t *testing.T) {
	for _, tc := range []struct {
		name   string
		r      Rect
		aspect float64
		want   Rect
	}{
		{"4:3 in 16:9 pillarboxes", Rect{0, 0, 1920, 1080}, 4.0 / 3, Rect{240, 0, 1440, 1080}},
		{"2.35 in 16:9 letterboxes", Rect{0, 0, 1600, 900}, 2.0, Rect{0, 50, 1600, 800}},
		{"same aspect fills", Rect{10, 20, 160, 90}, 16.0 / 9, Rect{10, 20, 160, 90}},
		{"offset rect", Rect{100, 100, 400, 400}, 2, Rect{100, 200, 400, 200}},
		{"bad aspect fills", Rect{0, 0, 10, 10}, 0, Rect{0, 0, 10, 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Letterbox(tc.r, tc.aspect); got != tc.want {
				t.Errorf("Letterbox(%v, %.3f) = %v, want %v", tc.r, tc.aspect, got, tc.want)
			}
		})
	}
}

func TestRect(t *testing.T) {
	r := Rect{10, 10, 100, 50}
	for _, tc := range []struct {
		name      string
		got, want Rect
	}{
		{"intersect overlapping", r.Intersect(Rect{50, 0, 100, 20}), Rect{50, 10, 60, 10}},
		{"intersect disjoint", r.Intersect(Rect{200, 0, 10, 10}), Rect{}},
		{"intersect inside", r.Intersect(Rect{20, 20, 5, 5}), Rect{20, 20, 5, 5}},
		{"inset", r.Inset(5), Rect{15, 15, 90, 40}},
		{"outset", r.Inset(-5), Rect{5, 5, 110, 60}},
		{"inset past empty", r.Inset(40), Rect{50, 50, 20, 0}},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if !r.Contains(10, 10) || r.Contains(110, 10) || r.Contains(50, 60) {
		t.Errorf("Contains edges wrong for %v", r)
	}
}

func TestColor(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want Color
	}{
		{"RGB", RGB(0x1a2b3c), Color{0x1a, 0x2b, 0x3c, 0xff}},
		{"RGBA", RGBA(0x1a2b3c80), Color{0x1a, 0x2b, 0x3c, 0x80}},
		{"WithAlpha", White.WithAlpha(7), Color{0xff, 0xff, 0xff, 7}},
		{"Fade half", Black.Fade(0.5), Color{0, 0, 0, 128}},
		{"Fade clamps", Black.Fade(3), Black},
		{"Fade out", White.Fade(-1), Color{0xff, 0xff, 0xff, 0}},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestImageIdentity(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 30, 20))
	a, b := NewImage(src), NewImage(src)
	if a.ID() == b.ID() || a.ID() == 0 {
		t.Errorf("IDs %d and %d: want distinct and non-zero", a.ID(), b.ID())
	}
	if w, h := a.Size(); w != 30 || h != 20 || a.Source() != src {
		t.Errorf("Size() = %d x %d, want 30 x 20", w, h)
	}
}

func TestRecorder(t *testing.T) {
	fonts, err := text.Load(text.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRecorder(1280, 720, fonts)
	frame := &media.VideoFrame{Width: 720, Height: 576}
	img := NewImage(image.NewRGBA(image.Rect(0, 0, 1, 1)))

	r.FillRect(Rect{0, 0, 1280, 720}, Black)
	r.PushClip(Rect{100, 100, 200, 200})
	r.PushClip(Rect{250, 250, 200, 200})
	r.RoundRect(Rect{400, 400, 50, 50}, 8, White)
	r.PopClip()
	r.Text(120, 150, "Hello", 24, White)
	BoldText(r, 120, 190, "Bold", 24, White)
	r.PopClip()
	r.Image(Rect{0, 0, 10, 10}, img)
	r.Video(Rect{0, 0, 1280, 720}, frame)

	if err := r.Err(); err != nil {
		t.Fatalf("Err() = %v for balanced clips", err)
	}
	want := []OpKind{OpFillRect, OpPushClip, OpPushClip, OpRoundRect, OpPopClip, OpText, OpText, OpPopClip, OpImage, OpVideo}
	ops := r.Ops()
	if len(ops) != len(want) {
		t.Fatalf("recorded %d ops, want %d", len(ops), len(want))
	}
	for i, k := range want {
		if ops[i].Kind != k {
			t.Errorf("op %d is %v, want %v", i, ops[i].Kind, k)
		}
	}
	if got := ops[3].Clip; got != (Rect{250, 250, 50, 50}) {
		t.Errorf("nested clip = %v, want the intersection", got)
	}
	if ops[3].Visible() {
		t.Errorf("round rect outside its clip reported visible")
	}
	if got := ops[5].Clip; got != (Rect{100, 100, 200, 200}) {
		t.Errorf("clip after pop = %v", got)
	}
	if got := ops[9].Clip; got != (Rect{0, 0, 1280, 720}) {
		t.Errorf("clip after all pops = %v", got)
	}
	hello, ok := r.FindText("ell")
	if !ok {
		t.Fatalf("FindText did not find Hello")
	}
	w, a, d := fonts.Measure("Hello", 24)
	if hello.Rect != (Rect{120, 150 - a, w, a + d}) || hello.Bold {
		t.Errorf("Hello op = %+v; want box from real font metrics", hello)
	}
	if bold, _ := r.FindText("Bold"); !bold.Bold {
		t.Errorf("BoldText did not record bold text")
	}
	if got := r.Texts(); len(got) != 2 || got[0] != "Hello" || got[1] != "Bold" {
		t.Errorf("Texts() = %q", got)
	}
	if v := r.Find(OpVideo); len(v) != 1 || v[0].Frame != frame {
		t.Errorf("Find(OpVideo) = %+v", v)
	}

	r.Reset()
	r.PopClip()
	if r.Err() == nil {
		t.Errorf("PopClip without PushClip not reported")
	}
	r.Reset()
	r.PushClip(Rect{})
	if r.Err() == nil {
		t.Errorf("unpopped clip not reported")
	}
}

// plainCanvas is a Canvas without bold support.
type plainCanvas struct {
	*Recorder
}

func (p plainCanvas) BoldText() {} // hides Recorder.BoldText with another signature

func TestBoldFallsBack(t *testing.T) {
	r := NewRecorder(100, 100, nil)
	cv := plainCanvas{r}
	BoldText(cv, 0, 10, "abc", 10, White)
	if ops := r.Ops(); len(ops) != 1 || ops[0].Bold || ops[0].Text != "abc" {
		t.Errorf("fallback recorded %+v, want one regular text", ops)
	}
	if w, _, _ := MeasureBoldText(cv, "abcd", 10); w != 22 {
		t.Errorf("fallback measure = %.1f, want 22 (0.55 per rune)", w)
	}
}
