package draw

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/ui/text"
)

// OpKind says which Canvas method an Op records.
type OpKind int

// Recorded operations.
const (
	OpFillRect OpKind = iota + 1
	OpRoundRect
	OpText
	OpImage
	OpVideo
	OpPushClip
	OpPopClip
)

var opNames = [...]string{"?", "FillRect", "RoundRect", "Text", "Image", "Video", "PushClip", "PopClip"}

func (k OpKind) String() string {
	if k < 0 || int(k) >= len(opNames) {
		return fmt.Sprintf("OpKind(%d)", int(k))
	}
	return opNames[k]
}

// Op is one recorded drawing call. Fields a call does not use are zero.
type Op struct {
	Kind OpKind
	// Rect is the rectangle passed in; for text, the box the line occupies
	// (from x, ascent above the baseline to descent below it).
	Rect   Rect
	Radius float32
	Color  Color
	Text   string
	X, Y   float32 // text pen position; Y is the baseline
	Size   float32 // text size
	Bold   bool
	Image  *Image
	Frame  *media.VideoFrame
	// Clip is the clip in force when the call was made: the whole canvas
	// intersected with every pushed clip.
	Clip Rect
}

// Visible reports whether any of the op's area lies inside its clip.
func (o Op) Visible() bool { return !o.Rect.Intersect(o.Clip).Empty() }

// Recorder is a Canvas that records what is drawn on it, for screen tests.
// It measures text with real fonts when given some, so layouts match the
// screen; with nil fonts every rune is 0.55 of the size wide.
type Recorder struct {
	w, h  float32
	fonts *text.Fonts
	ops   []Op
	clips []Rect
	err   error
}

var _ BoldCanvas = (*Recorder)(nil)

// NewRecorder returns an empty w x h recorder measuring with fonts, which
// may be nil.
func NewRecorder(w, h float32, fonts *text.Fonts) *Recorder {
	return &Recorder{w: w, h: h, fonts: fonts}
}

// Ops returns the recorded operations in the order they were made.
func (r *Recorder) Ops() []Op { return r.ops }

// Reset forgets everything recorded, to record the next frame.
func (r *Recorder) Reset() {
	r.ops = r.ops[:0]
	r.clips = r.clips[:0]
	r.err = nil
}

// Texts returns every string drawn, in order.
func (r *Recorder) Texts() []string {
	var s []string
	for _, o := range r.ops {
		if o.Kind == OpText {
			s = append(s, o.Text)
		}
	}
	return s
}

// FindText returns the first text op whose string contains substr.
func (r *Recorder) FindText(substr string) (Op, bool) {
	for _, o := range r.ops {
		if o.Kind == OpText && strings.Contains(o.Text, substr) {
			return o, true
		}
	}
	return Op{}, false
}

// Find returns every op of the given kind.
func (r *Recorder) Find(kind OpKind) []Op {
	var ops []Op
	for _, o := range r.ops {
		if o.Kind == kind {
			ops = append(ops, o)
		}
	}
	return ops
}

// Err reports unbalanced clipping: a PopClip with no PushClip, or clips
// still pushed.
func (r *Recorder) Err() error {
	if r.err != nil {
		return r.err
	}
	if len(r.clips) > 0 {
		return fmt.Errorf("recorder: %d clips pushed and never popped", len(r.clips))
	}
	return nil
}

func (r *Recorder) clip() Rect {
	if len(r.clips) == 0 {
		return Rect{0, 0, r.w, r.h}
	}
	return r.clips[len(r.clips)-1]
}

func (r *Recorder) add(o Op) {
	o.Clip = r.clip()
	r.ops = append(r.ops, o)
}

// Size returns the size given to NewRecorder.
func (r *Recorder) Size() (w, h float32) { return r.w, r.h }

// FillRect records a FillRect.
func (r *Recorder) FillRect(rc Rect, c Color) { r.add(Op{Kind: OpFillRect, Rect: rc, Color: c}) }

// RoundRect records a RoundRect.
func (r *Recorder) RoundRect(rc Rect, radius float32, c Color) {
	r.add(Op{Kind: OpRoundRect, Rect: rc, Radius: radius, Color: c})
}

// Text records a line of regular text.
func (r *Recorder) Text(x, y float32, s string, size float32, c Color) {
	r.text(x, y, s, size, c, false)
}

// BoldText records a line of bold text.
func (r *Recorder) BoldText(x, y float32, s string, size float32, c Color) {
	r.text(x, y, s, size, c, true)
}

func (r *Recorder) text(x, y float32, s string, size float32, c Color, bold bool) {
	w, a, d := r.measure(s, size, bold)
	r.add(Op{Kind: OpText, Rect: Rect{x, y - a, w, a + d}, Color: c, Text: s, X: x, Y: y, Size: size, Bold: bold})
}

// MeasureText measures regular text.
func (r *Recorder) MeasureText(s string, size float32) (width, ascent, descent float32) {
	return r.measure(s, size, false)
}

// MeasureBoldText measures bold text.
func (r *Recorder) MeasureBoldText(s string, size float32) (width, ascent, descent float32) {
	return r.measure(s, size, true)
}

func (r *Recorder) measure(s string, size float32, bold bool) (width, ascent, descent float32) {
	if r.fonts == nil {
		return 0.55 * size * float32(utf8.RuneCountInString(s)), 0.8 * size, 0.2 * size
	}
	st := text.Regular
	if bold {
		st = text.Bold
	}
	return r.fonts.MeasureStyle(s, size, st)
}

// Image records an Image.
func (r *Recorder) Image(rc Rect, img *Image) { r.add(Op{Kind: OpImage, Rect: rc, Image: img}) }

// Video records a Video.
func (r *Recorder) Video(rc Rect, f *media.VideoFrame) { r.add(Op{Kind: OpVideo, Rect: rc, Frame: f}) }

// PushClip records a PushClip; its Clip is the new clip.
func (r *Recorder) PushClip(rc Rect) {
	r.clips = append(r.clips, r.clip().Intersect(rc))
	r.add(Op{Kind: OpPushClip, Rect: rc})
}

// PopClip records a PopClip.
func (r *Recorder) PopClip() {
	if len(r.clips) == 0 {
		if r.err == nil {
			r.err = errors.New("recorder: PopClip without PushClip")
		}
	} else {
		r.clips = r.clips[:len(r.clips)-1]
	}
	r.add(Op{Kind: OpPopClip})
}
