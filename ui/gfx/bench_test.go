package gfx

import (
	"fmt"
	"testing"

	gl "github.com/go-gl/gl/v3.1/gles2"

	"github.com/manbang/manbang/ui/draw"
)

// BenchmarkDrawHomeLike draws a 1280x720 home screen's worth of tiles and
// text per frame and waits for the GPU, so ns/op is the frame time.
func BenchmarkDrawHomeLike(b *testing.B) {
	r := newTestRenderer(b, 0)
	labels := make([]string, 60)
	for i := range labels {
		labels[i] = fmt.Sprintf("채널 %d · Канал · Channel", i+1)
	}
	paint := func() {
		r.Begin(1280, 720, draw.RGB(0x101828))
		r.FillRect(draw.Rect{W: 1280, H: 64}, draw.RGB(0x1f2a44))
		draw.BoldText(r, 32, 44, "Manbang 홈 Главная", 28, draw.White)
		for row := 0; row < 4; row++ {
			r.Text(32, float32(110+row*150), fmt.Sprintf("Row %d 추천 Рекомендации", row), 22, draw.White)
			r.PushClip(draw.Rect{X: 0, Y: float32(120 + row*150), W: 1280, H: 130})
			for col := 0; col < 15; col++ {
				x, y := float32(32+col*200), float32(124+row*150)
				r.RoundRect(draw.Rect{X: x, Y: y, W: 184, H: 104}, 12, draw.RGB(0x2b59c3))
				r.Text(x+12, y+90, labels[row*15+col], 16, draw.White)
			}
			r.PopClip()
		}
		r.End()
		gl.Finish()
	}
	do(paint) // warm the glyph atlas
	b.ResetTimer()
	for b.Loop() {
		do(paint)
	}
	b.StopTimer()
	do(func() {})
	s := r.Stats()
	b.ReportMetric(float64(s.DrawCalls), "drawcalls/op")
	b.ReportMetric(float64(s.Quads), "quads/op")
}

// BenchmarkRoundRects fills twenty tile-sized rounded rectangles, at whole
// and fractional positions: the anti-aliased shapes' fill cost.
func BenchmarkRoundRects(b *testing.B) {
	r := newTestRenderer(b, 0)
	paint := func() {
		r.Begin(1280, 720, draw.RGB(0x101828))
		for i := 0; i < 20; i++ {
			x, y := float32(i%5)*250+float32(i%3)*0.3, float32(i/5)*150+float32(i%2)*0.5
			r.RoundRect(draw.Rect{X: x, Y: y, W: 232, H: 130}, 10, draw.RGB(0x263445))
		}
		r.End()
		gl.Finish()
	}
	do(paint)
	b.ResetTimer()
	for b.Loop() {
		do(paint)
	}
	b.StopTimer()
	b.ReportMetric(float64(r.Stats().DrawCalls), "drawcalls/op")
}
