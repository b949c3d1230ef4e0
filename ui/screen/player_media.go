package screen

import (
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/library"
)

// songInfo is a song's place in the folder it plays from.
type songInfo struct {
	folder   string
	n, count int // the n-th song (from 1) of count
}

// SongState is a song's place as the Player screen reports it.
type SongState struct {
	Folder string `json:"folder"`
	Index  int    `json:"index"` // from 1
	Count  int    `json:"count"`
}

// NewFilePlayer returns the Player screen for a video file of the
// viewer's medium, opening: name is the file's name as shown, path the
// file played.
func NewFilePlayer(host PlayerHost, name, path string) *Player {
	p := NewPlayer(host, operator.Title{Name: operator.Text{"en": name}})
	p.file = path
	return p
}

// NewSongPlayer returns the Player screen for the n-th song (from 1) of
// count of a folder, opening: a now-playing screen with the song's name,
// its folder and where it is, while the player plays its sound.
func NewSongPlayer(host PlayerHost, name, path, folder string, n, count int) *Player {
	p := NewFilePlayer(host, name, path)
	p.song = &songInfo{folder: folder, n: n, count: count}
	return p
}

// File returns the path of the file of the viewer's medium played, ""
// for the operator's titles and channels.
func (p *Player) File() string { return p.file }

// drawSong draws the now-playing screen of a song.
func (p *Player) drawSong(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, _ := c.Size()
	lang := p.host.Lang()
	background(c, i18n.T(lang, i18n.NowPlaying), now)
	x := margin * s
	drawKindIconMusic(c, draw.Rect{X: x, Y: 200 * s, W: 120 * s, H: 120 * s})
	tx := x + 160*s
	tw := w - tx - margin*s
	for i, line := range wrapBold(c, p.title.Name.In(lang), 36*s, tw, 2) {
		draw.BoldText(c, tx, (236+float32(i)*46)*s, line, 36*s, colText)
	}
	c.Text(tx, 340*s, ellipsize(c, p.song.folder, 22*s, tw), 22*s, colTextDim)
	c.Text(tx, 376*s, i18n.T(lang, i18n.SongOf, p.song.n, p.song.count), 20*s, colAccent)
	if p.state == PlayOpening {
		c.Text(x, 470*s, i18n.T(lang, i18n.Opening), 24*s, colTextDim)
		spinner(c, now, w-margin*s-spinnerSize*s, 462*s, s)
	} else {
		pos, total := p.Position(), p.total()
		bar := draw.Rect{X: x, Y: 460 * s, W: w - 2*margin*s, H: 10 * s}
		var frac float32
		if total > 0 {
			frac = float32(min(max(float64(pos)/float64(total), 0), 1))
		}
		progressBar(c, bar, frac, colAccent)
		c.Text(bar.X, bar.Bottom()+36*s, formatClock(pos), 22*s, colText)
		if total > 0 {
			rightText(c, bar.Right(), bar.Bottom()+36*s, formatClock(total), 22*s, colText)
		}
		p.drawPlayState(c, w-margin*s, 420*s, s)
	}
	hints(c, i18n.T(lang, i18n.HintSong))
}

// drawKindIconMusic draws the big note of the now-playing screen on a
// raised square.
func drawKindIconMusic(c draw.Canvas, r draw.Rect) {
	s := scale(c)
	c.RoundRect(r, 16*s, colRaised)
	drawKindIcon(c, library.Music, r.Inset(r.W*0.2), colAccent, colRaised)
}
