package screen

import (
	"strconv"

	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// icon names a shape drawn with rectangles, crisp at any size: no bitmap
// is scaled.
type icon int

const (
	iconNone icon = iota
	iconPlay
	iconPause
	iconForward
	iconRewind
	iconSpeaker
	iconMuted
)

// drawIcon draws ic filling r.
func drawIcon(c draw.Canvas, ic icon, r draw.Rect, col draw.Color) {
	switch ic {
	case iconPlay:
		triangle(c, r, true, col)
	case iconPause:
		bw := r.W * 0.34
		c.RoundRect(draw.Rect{X: r.X + r.W*0.08, Y: r.Y, W: bw, H: r.H}, bw*0.2, col)
		c.RoundRect(draw.Rect{X: r.Right() - r.W*0.08 - bw, Y: r.Y, W: bw, H: r.H}, bw*0.2, col)
	case iconForward, iconRewind:
		half := draw.Rect{X: r.X, Y: r.Y, W: r.W / 2, H: r.H}
		triangle(c, half, ic == iconForward, col)
		half.X += r.W / 2
		triangle(c, half, ic == iconForward, col)
	case iconSpeaker, iconMuted:
		body := draw.Rect{X: r.X, Y: r.Y + r.H*0.32, W: r.W * 0.2, H: r.H * 0.36}
		c.FillRect(body, col)
		triangle(c, draw.Rect{X: body.Right() - r.W*0.02, Y: r.Y + r.H*0.08, W: r.W * 0.32, H: r.H * 0.84}, false, col)
		if ic == iconMuted {
			cross(c, draw.Rect{X: r.X + r.W*0.62, Y: r.Y + r.H*0.28, W: r.W * 0.38, H: r.H * 0.44}, col)
			return
		}
		for i := 0; i < 3; i++ { // sound waves as rising bars
			bh := r.H * (0.25 + 0.22*float32(i))
			c.RoundRect(draw.Rect{X: r.X + r.W*(0.62+0.13*float32(i)), Y: r.Y + (r.H-bh)/2, W: r.W * 0.07, H: bh}, r.W*0.035, col)
		}
	}
}

// triangle fills a triangle pointing right (or left) inside r, as a stack
// of pixel-high slices: sharp at any resolution.
func triangle(c draw.Canvas, r draw.Rect, right bool, col draw.Color) {
	n := int(r.H)
	if n < 1 {
		return
	}
	step := r.H / float32(n)
	for i := 0; i < n; i++ {
		y := r.Y + float32(i)*step
		mid := (float32(i) + 0.5) / float32(n) // 0..1 down the triangle
		w := r.W * (1 - 2*abs32(mid-0.5))
		x := r.X
		if !right {
			x = r.Right() - w
		}
		c.FillRect(draw.Rect{X: x, Y: y, W: w, H: step}, col)
	}
}

// cross draws an X of square dots inside r.
func cross(c draw.Canvas, r draw.Rect, col draw.Color) {
	n := max(int(r.H/2), 2)
	d := r.H / float32(n)
	for i := 0; i < n; i++ {
		f := float32(i) / float32(n-1)
		c.FillRect(draw.Rect{X: r.X + f*(r.W-d*1.6), Y: r.Y + f*(r.H-d*1.6), W: d * 1.6, H: d * 1.6}, col)
		c.FillRect(draw.Rect{X: r.Right() - d*1.6 - f*(r.W-d*1.6), Y: r.Y + f*(r.H-d*1.6), W: d * 1.6, H: d * 1.6}, col)
	}
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

// DrawVolume draws the volume indicator the app shows over any screen
// after a volume key: a speaker and a bar, or the muted speaker.
func DrawVolume(c draw.Canvas, lang string, volume int, muted bool) {
	s := scale(c)
	box := draw.Rect{X: margin * s, Y: 36 * s, W: 360 * s, H: 72 * s}
	c.RoundRect(box, 14*s, colPanel)
	ic := iconSpeaker
	if muted {
		ic = iconMuted
	}
	drawIcon(c, ic, draw.Rect{X: box.X + 20*s, Y: box.Y + 20*s, W: 40 * s, H: 32 * s}, colText)
	bar := draw.Rect{X: box.X + 80*s, Y: box.Y + 32*s, W: 140 * s, H: 8 * s}
	frac := float32(volume) / 100
	col := colAccent
	if muted {
		col = colTextDim
	}
	progressBar(c, bar, frac, col)
	label := strconv.Itoa(volume)
	if muted {
		label = i18n.T(lang, i18n.Muted)
	}
	rightText(c, box.Right()-20*s, box.Y+44*s, label, 20*s, colText)
}
