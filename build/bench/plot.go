package main

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// playerColours keep each player's colour the same in every plot.
var playerColours = map[string]color.RGBA{
	"manbang": {R: 0xe0, G: 0x5a, B: 0x2b, A: 0xff},
	"ffmpeg":  {R: 0x3b, G: 0x6e, B: 0xb4, A: 0xff},
	"mpv":     {R: 0x6a, G: 0x3d, B: 0x9a, A: 0xff},
	"ffplay":  {R: 0x33, G: 0x99, B: 0x55, A: 0xff},
}

// groupedBars is a bar chart of metrics (the groups on the x axis) with a
// bar per player present.
func groupedBars(title, ylabel string, ms []Metric, label func(Metric) string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Y.Min = 0
	var present []string
	for _, pl := range players {
		for _, m := range ms {
			if _, ok := m.Values[pl]; ok {
				present = append(present, pl)
				break
			}
		}
	}
	top := 0.0
	for _, m := range ms {
		for _, v := range m.Values {
			top = max(top, v)
		}
	}
	p.Y.Max = 1.25 * top // room for the legend above the bars
	w := vg.Points(60 / float64(max(1, len(present))))
	for i, pl := range present {
		vals := make(plotter.Values, len(ms))
		for j, m := range ms {
			vals[j] = m.Values[pl]
		}
		b, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, err
		}
		b.Color = playerColours[pl]
		b.LineStyle.Width = 0
		b.Offset = w * vg.Length(float64(i)-float64(len(present)-1)/2)
		p.Add(b)
		p.Legend.Add(pl, b)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = label(m)
	}
	p.NominalX(names...)
	p.Add(plotter.NewGrid())
	return p, nil
}

// savePlots writes plots side by side into one PNG.
func savePlots(path string, width vg.Length, ps ...*plot.Plot) error {
	h := vg.Points(320)
	img := vgimg.New(width, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(ps), PadX: vg.Points(12), PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(6)}
	canvases := plot.Align([][]*plot.Plot{ps}, tiles, dc)
	for i, p := range ps {
		p.Draw(canvases[0][i])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func bySection(r *Results, section string, keep func(Metric) bool) []Metric {
	var ms []Metric
	for _, m := range r.Metrics {
		if m.Section == section && keep(m) {
			ms = append(ms, m)
		}
	}
	return ms
}

// writePlots draws decode throughput, time to first frame, and CPU and
// memory, and returns the names of the PNGs written.
func writePlots(dir string, r *Results) ([]string, error) {
	var names []string
	all := func(Metric) bool { return true }
	short := func(m Metric) string {
		s := strings.TrimPrefix(m.Name, "RTP live channel change, ")
		s = strings.TrimSuffix(s, " p95")
		s = strings.TrimSuffix(strings.TrimPrefix(s, "1080p30 "), " decode")
		if strings.HasPrefix(m.Name, "RTP") {
			s = "RTP " + s
		}
		return strings.Replace(s, " 1080p ladder", "", 1)
	}
	if ms := bySection(r, "decode", all); len(ms) > 0 {
		p, err := groupedBars("Decode throughput, 1080p30", "frames/s (higher is better)", ms, short)
		if err != nil {
			return names, err
		}
		if err := savePlots(filepath.Join(dir, "decode.png"), vg.Points(420), p); err != nil {
			return names, err
		}
		names = append(names, "decode.png")
	}
	med := bySection(r, "ttff", func(m Metric) bool { return !strings.HasSuffix(m.Name, " p95") })
	p95 := bySection(r, "ttff", func(m Metric) bool { return strings.HasSuffix(m.Name, " p95") })
	if len(med) > 0 {
		a, err := groupedBars("Time to first frame, median", "ms (lower is better)", med, short)
		if err != nil {
			return names, err
		}
		b, err := groupedBars("Time to first frame, p95", "ms (lower is better)", p95, short)
		if err != nil {
			return names, err
		}
		if err := savePlots(filepath.Join(dir, "ttff.png"), vg.Points(900), a, b); err != nil {
			return names, err
		}
		names = append(names, "ttff.png")
	}
	// The players' figures only: the idle Home's are the box's alone.
	playing := func(m Metric) bool {
		return strings.HasPrefix(m.Name, "CPU playing ") || strings.HasPrefix(m.Name, "peak RSS playing ")
	}
	if ms := bySection(r, "cpu", playing); len(ms) == 2 {
		a, err := groupedBars("CPU playing 1080p30 on screen", "% of one core (lower is better)", ms[:1], func(Metric) string { return "CPU" })
		if err != nil {
			return names, err
		}
		b, err := groupedBars("Peak RSS", "MiB (lower is better)", ms[1:], func(Metric) string { return "peak RSS" })
		if err != nil {
			return names, err
		}
		ps := []*plot.Plot{a, b}
		if c, err := rssLines(r); err == nil && c != nil {
			ps = append(ps, c)
		}
		if err := savePlots(filepath.Join(dir, "cpu.png"), vg.Points(1000), ps...); err != nil {
			return names, err
		}
		names = append(names, "cpu.png")
	}
	return names, nil
}

// rssLines plots each player's RSS over its playing time.
func rssLines(r *Results) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "RSS while playing"
	p.X.Label.Text = "s"
	p.Y.Label.Text = "MiB"
	p.Y.Min = 0
	n := 0
	for _, pl := range players {
		s := r.Series["rss "+pl]
		if len(s) == 0 {
			continue
		}
		pts := make(plotter.XYs, len(s))
		for i, v := range s {
			pts[i] = plotter.XY{X: float64(i + 1), Y: v}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("rss %s: %w", pl, err)
		}
		l.Color = playerColours[pl]
		l.Width = vg.Points(2)
		p.Add(l)
		p.Legend.Add(pl, l)
		n++
	}
	if n == 0 {
		return nil, nil
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p, nil
}
