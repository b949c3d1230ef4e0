package screen

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// The frame every screen shares, in design units: the margin, where the
// header's baseline and the key hints sit.
const (
	margin      = 64
	headerY     = 58
	headerSize  = 34
	hintSize    = 18
	hintBottom  = 24
	spinnerSize = 22
)

// ellipsize shortens s with "…" until it fits width at size.
func ellipsize(c draw.Canvas, s string, size, width float32) string {
	return fit(c.MeasureText, s, size, width)
}

// ellipsizeBold is ellipsize for bold text.
func ellipsizeBold(c draw.Canvas, s string, size, width float32) string {
	return fit(func(s string, size float32) (float32, float32, float32) { return draw.MeasureBoldText(c, s, size) }, s, size, width)
}

// measureFunc measures a line of text in one style.
type measureFunc func(s string, size float32) (width, ascent, descent float32)

// fit shortens s with "…" until measure says it fits width at size.
func fit(measure measureFunc, s string, size, width float32) string {
	if w, _, _ := measure(s, size); w <= width {
		return s
	}
	// Cut by halves first: long descriptions would take a measure per rune.
	for len(s) > 16 {
		half := len(s) / 2
		for half > 0 && !utf8.RuneStart(s[half]) {
			half--
		}
		if w, _, _ := measure(s[:half]+"…", size); w <= width {
			break
		}
		s = s[:half]
	}
	for len(s) > 0 {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
		if w, _, _ := measure(s+"…", size); w <= width {
			return s + "…"
		}
	}
	return ""
}

// wrap breaks s into at most maxLines lines of width, at spaces where it
// can (Korean and Russian alike put spaces between words); the last line
// is ellipsized if the text goes on.
func wrap(c draw.Canvas, s string, size, width float32, maxLines int) []string {
	return wrapWith(c.MeasureText, s, size, width, maxLines)
}

// wrapBold is wrap for bold text.
func wrapBold(c draw.Canvas, s string, size, width float32, maxLines int) []string {
	return wrapWith(func(s string, size float32) (float32, float32, float32) { return draw.MeasureBoldText(c, s, size) }, s, size, width, maxLines)
}

func wrapWith(measure measureFunc, s string, size, width float32, maxLines int) []string {
	if maxLines <= 0 {
		return nil
	}
	words := strings.Fields(s)
	var lines []string
	line := ""
	for i, w := range words {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if tw, _, _ := measure(try, size); tw <= width || line == "" {
			line = try
			continue
		}
		if len(lines) == maxLines-1 {
			lines = append(lines, fit(measure, line+" "+strings.Join(words[i:], " "), size, width))
			return lines
		}
		lines = append(lines, line)
		line = w
	}
	if line != "" {
		lines = append(lines, fit(measure, line, size, width))
	}
	return lines
}

// centreText draws s centred horizontally in r with its baseline at y.
func centreText(c draw.Canvas, r draw.Rect, y float32, s string, size float32, col draw.Color) {
	w, _, _ := c.MeasureText(s, size)
	c.Text(r.X+(r.W-w)/2, y, s, size, col)
}

// rightText draws s ending at x.
func rightText(c draw.Canvas, x, y float32, s string, size float32, col draw.Color) {
	w, _, _ := c.MeasureText(s, size)
	c.Text(x-w, y, s, size, col)
}

// background fills the screen and draws the header: a title on the left,
// the clock on the right.
func background(c draw.Canvas, title string, now time.Time) {
	s := scale(c)
	w, h := c.Size()
	c.FillRect(draw.Rect{W: w, H: h}, colBackground)
	draw.BoldText(c, margin*s, headerY*s, title, headerSize*s, colAccent)
	rightText(c, w-margin*s, (headerY-2)*s, now.Format("15:04"), 26*s, colTextDim)
}

// hints draws the key hints at the bottom of the screen.
func hints(c draw.Canvas, text string) {
	s := scale(c)
	w, h := c.Size()
	c.Text(margin*s, h-hintBottom*s, ellipsize(c, text, hintSize*s, w-2*margin*s), hintSize*s, colTextDim)
}

// spinner draws eight dots around (x, y), one lit, turning twice a second.
func spinner(c draw.Canvas, now time.Time, x, y, s float32) {
	lit := int(now.UnixMilli()/125) % 8
	dx := [8]float32{0, 0.7, 1, 0.7, 0, -0.7, -1, -0.7}
	dy := [8]float32{-1, -0.7, 0, 0.7, 1, 0.7, 0, -0.7}
	for i := range 8 {
		col := colTextDim.Fade(0.4)
		if i == lit {
			col = colAccent
		}
		c.RoundRect(draw.Rect{X: x + dx[i]*spinnerSize*s - 5*s, Y: y + dy[i]*spinnerSize*s - 5*s, W: 10 * s, H: 10 * s}, 5*s, col)
	}
}

// loading draws a message and a spinner in the middle of area.
func loading(c draw.Canvas, area draw.Rect, msg string, now time.Time) {
	s := scale(c)
	mid := area.Y + area.H/2
	centreText(c, area, mid, msg, 28*s, colText)
	spinner(c, now, area.X+area.W/2, mid+50*s, s)
}

// failurePanel draws f in the middle of area: what went wrong, in the
// viewer's words, the reason, when the box tries again and the keys.
func failurePanel(c draw.Canvas, area draw.Rect, f Failure, lang string, now time.Time) {
	s := scale(c)
	title, detail := f.Words(lang)
	bw := min(760*s, area.W-32*s)
	box := draw.Rect{X: area.X + (area.W-bw)/2, Y: area.Y + area.H/2 - 140*s, W: bw, H: 280 * s}
	c.RoundRect(box, 16*s, colPanel)
	y := box.Y + 66*s
	centreText(c, box, y, ellipsize(c, title, 30*s, box.W-48*s), 30*s, colError)
	if detail != "" {
		y += 46 * s
		centreText(c, box, y, ellipsize(c, detail, 20*s, box.W-48*s), 20*s, colText)
	}
	if f.Detail != "" && f.Kind != FailRefused { // never the operator's raw answer
		y += 38 * s
		centreText(c, box, y, ellipsize(c, f.Detail, 16*s, box.W-48*s), 16*s, colTextDim)
	}
	if !f.RetryAt.IsZero() {
		centreText(c, box, box.Bottom()-76*s, i18n.T(lang, i18n.RetryIn, secondsUntil(now, f.RetryAt)), 22*s, colText)
		centreText(c, box, box.Bottom()-34*s, i18n.T(lang, i18n.HintRetry), 20*s, colAccent)
	} else {
		centreText(c, box, box.Bottom()-34*s, i18n.T(lang, i18n.HintError), 20*s, colAccent)
	}
}

// Words says in lang what went wrong, and what to do or why, as the
// failure panel shows it (detail may be empty).
func (f Failure) Words(lang string) (title, detail string) {
	switch f.Kind {
	case FailNetwork:
		return i18n.T(lang, i18n.NoNetwork), i18n.T(lang, i18n.NoNetworkDetail)
	case FailStream:
		return i18n.T(lang, i18n.StreamFailed), ""
	case FailNotOffered:
		return i18n.T(lang, i18n.NotAvailable), ""
	case FailRefused:
		return refusedWords(lang, f.Status)
	case FailInsecure:
		return i18n.T(lang, i18n.Insecure), i18n.T(lang, i18n.InsecureDetail)
	}
	return i18n.T(lang, i18n.ServerDown), i18n.T(lang, i18n.ServerDetail)
}

// refusedWords says, in lang, what an operator's 4xx answer of status
// means to the viewer and what they can do.
func refusedWords(lang string, status int) (title, detail string) {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusPaymentRequired, http.StatusUnavailableForLegalReasons:
		return i18n.T(lang, i18n.RefusedDenied), i18n.T(lang, i18n.RefusedDeniedDetail)
	case http.StatusNotFound, http.StatusGone:
		return i18n.T(lang, i18n.RefusedGone), i18n.T(lang, i18n.RefusedGoneDetail)
	case http.StatusConflict:
		return i18n.T(lang, i18n.RefusedLive), i18n.T(lang, i18n.RefusedLiveDetail)
	case http.StatusTooManyRequests:
		return i18n.T(lang, i18n.RefusedBusy), i18n.T(lang, i18n.RefusedBusyDetail)
	}
	return i18n.T(lang, i18n.Refused), i18n.T(lang, i18n.RefusedDetail)
}

func secondsUntil(now, t time.Time) int {
	return max(0, int(t.Sub(now).Seconds()+0.999))
}

// button draws a pill with a label, lit when focused, and returns its width.
func button(c draw.Canvas, x, y float32, label string, focused bool) float32 {
	s := scale(c)
	size := 22 * s
	tw, asc, desc := draw.MeasureBoldText(c, label, size)
	r := draw.Rect{X: x, Y: y, W: tw + 56*s, H: 56 * s}
	bg, fg := colRaised, colText
	if focused {
		bg, fg = colFocus, colBackground
	}
	c.RoundRect(r, 28*s, bg)
	draw.BoldText(c, x+28*s, y+r.H/2+(asc-desc)/2, label, size, fg)
	return r.W
}

// progressBar draws a bar of frac (0 to 1) done.
func progressBar(c draw.Canvas, r draw.Rect, frac float32, col draw.Color) {
	c.RoundRect(r, r.H/2, colTextDim.Fade(0.35))
	if frac > 0 {
		done := r
		done.W = r.W * min(frac, 1)
		c.RoundRect(done, r.H/2, col)
	}
}

// focusRing draws the highlight around a focused rectangle.
func focusRing(c draw.Canvas, r draw.Rect, radius, s float32) {
	c.RoundRect(r.Inset(-5*s), radius+5*s, colFocus)
}

// picture draws img over r, or when it is missing a placeholder in col
// with the label centred.
func picture(c draw.Canvas, r draw.Rect, img *draw.Image, col draw.Color, label string, s float32) {
	if img != nil {
		c.Image(r, img)
		return
	}
	c.RoundRect(r, 10*s, col)
	if label != "" {
		size := min(22*s, r.H/4)
		centreText(c, r, r.Y+r.H/2+size/3, ellipsize(c, label, size, r.W-20*s), size, colText)
	}
}

// colourKey draws a coloured remote button's dot and its meaning, and
// returns the width used.
func colourKey(c draw.Canvas, x, y float32, col draw.Color, label string, s float32) float32 {
	c.RoundRect(draw.Rect{X: x, Y: y - 14*s, W: 16 * s, H: 16 * s}, 8*s, col)
	c.Text(x+24*s, y, label, hintSize*s, colTextDim)
	w, _, _ := c.MeasureText(label, hintSize*s)
	return 24*s + w + 28*s
}

// entryRow is one row of a list of entries (Settings, What this box
// remembers): its label, its value as shown, and whether the arrows change
// it.
type entryRow struct {
	label, value string
	cycles       bool
}

// Where lists of entries go, in design units: the first row's top, the
// tallest a row is, and the room kept below the last for a help line and
// the hints.
const (
	entriesTop     = 92
	entryRowH      = 52
	entriesReserve = 96
)

// drawEntries draws rows under the screen's title, the focused one lit
// with ◀ ▶ around its value if it cycles, and returns the design y below
// the last row. Rows shrink to fit the screen when there are many.
func drawEntries(c draw.Canvas, rows []entryRow, focus int) float32 {
	w, _ := c.Size()
	return drawEntriesIn(c, rows, focus, w-2*margin*scale(c))
}

// drawEntriesIn is drawEntries in a column width wide from the left
// margin, leaving the right of the screen to something else.
func drawEntriesIn(c draw.Canvas, rows []entryRow, focus int, width float32) float32 {
	s := scale(c)
	rowH := float32(entryRowH)
	if n := float32(len(rows)); n > 0 {
		rowH = min(rowH, float32(int((720-entriesTop-entriesReserve)/n)))
	}
	for i, e := range rows {
		r := draw.Rect{X: margin * s, Y: (entriesTop + float32(i)*rowH) * s, W: width, H: (rowH - 6) * s}
		fg, val := colText, colTextDim
		if i == focus {
			c.RoundRect(r, 10*s, colFocus)
			fg, val = colBackground, colBackground
		} else {
			c.RoundRect(r, 10*s, colPanelSolid)
		}
		base := r.Y + r.H/2 + 7*s
		c.Text(r.X+24*s, base, e.label, 21*s, fg)
		lw, _, _ := c.MeasureText(e.label, 21*s)
		value := e.value
		right := r.Right() - 24*s
		if i == focus && e.cycles {
			value = "◀  " + value + "  ▶"
		}
		vx := max(r.X+24*s+lw+40*s, r.X+360*s)
		rightText(c, right, base, ellipsize(c, value, 20*s, right-vx), 20*s, val)
	}
	return entriesTop + float32(len(rows))*rowH
}
