package screen

import (
	"slices"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/library"
	"github.com/manbang/manbang/ui/state"
)

// SongHost is the now-playing screen's host: the player's, and the order
// the folder's songs play in, which the screen shows and changes.
type SongHost interface {
	PlayerHost
	// SongOrder returns whether the songs are shuffled and what comes at
	// the end of one (state.Repeat*).
	SongOrder() (shuffle bool, repeat string)
	// SetSongOrder changes them, for the songs to come and the folders
	// played later.
	SetSongOrder(shuffle bool, repeat string)
}

// songInfo is a song's place in the folder it plays from.
type songInfo struct {
	host     SongHost
	folder   string
	n, count int // the n-th song (from 1) of count
	idle     idle
}

// SongState is a song's place as the Player screen reports it, the order
// the songs play in, and whether the screen is dimmed.
type SongState struct {
	Folder  string `json:"folder"`
	Index   int    `json:"index"` // from 1
	Count   int    `json:"count"`
	Shuffle bool   `json:"shuffle"`
	Repeat  string `json:"repeat"` // off, all, one
	Dimmed  bool   `json:"dimmed"`
}

// repeats is the order the Blue key steps through.
var repeats = []string{state.RepeatOff, state.RepeatAll, state.RepeatOne}

// repeatName is a repeat mode as the state report says it.
func repeatName(r string) string {
	if r == state.RepeatOff {
		return "off"
	}
	return r
}

func repeatWord(lang, r string) string {
	switch r {
	case state.RepeatAll:
		return i18n.T(lang, i18n.RepeatAll)
	case state.RepeatOne:
		return i18n.T(lang, i18n.RepeatOne)
	}
	return i18n.T(lang, i18n.RepeatOff)
}

func shuffleWord(lang string, on bool) string {
	if on {
		return i18n.T(lang, i18n.ShuffleOn)
	}
	return i18n.T(lang, i18n.ShuffleOff)
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
func NewSongPlayer(host SongHost, name, path, folder string, n, count int) *Player {
	p := NewFilePlayer(host, name, path)
	p.song = &songInfo{host: host, folder: folder, n: n, count: count, idle: idle{keyAt: host.Now()}}
	return p
}

// FollowSong carries over how long the viewer has left the remote alone
// from the song before, which this one follows: a dimmed screen stays
// dimmed from song to song.
func (p *Player) FollowSong(prev *Player) {
	if p.song != nil && prev != nil && prev.song != nil {
		p.song.idle = prev.song.idle
	}
}

// handleSong handles the keys of the now-playing screen before the
// player's: the first key on a dimmed screen only brings it back; Yellow
// shuffles, Blue steps through the repeat modes. It reports whether it
// used ev.
func (p *Player) handleSong(ev remote.Event, now time.Time) bool {
	if p.song.idle.wakes(ev, now, p.songDimmed(now)) {
		return true
	}
	switch ev.Key {
	case remote.KeyYellow, remote.KeyBlue:
	default:
		return false
	}
	if firstPress(ev) {
		host := p.song.host
		shuffle, repeat := host.SongOrder()
		if ev.Key == remote.KeyYellow {
			shuffle = !shuffle
		} else {
			repeat = nextRepeat(repeat)
		}
		host.SetSongOrder(shuffle, repeat)
	}
	return true
}

// songDimmed reports whether the now-playing screen is shown dimmed at
// now: left alone long enough, and not showing an error or a picture.
func (p *Player) songDimmed(now time.Time) bool {
	return p.song.idle.dimmed(now) && p.frame == nil && p.state != PlayError
}

// songWake is when the now-playing screen next changes: the next second
// of the song while it plays and the screen is lit; when it dims; when
// its dimmed text moves. A song's end wakes the loop by itself.
func (p *Player) songWake(now time.Time) time.Time {
	if p.state == PlayError {
		return time.Time{} // the error panel does not dim
	}
	dim := p.song.idle.wake(now)
	if p.songDimmed(now) || p.state != PlayPlaying || p.ctl == nil {
		return dim
	}
	pos := p.Position()
	return soonest(dim, now.Add(time.Second-pos%time.Second))
}

// songState is the song's part of the State report.
func (p *Player) songState() *SongState {
	shuffle, repeat := p.song.host.SongOrder()
	return &SongState{Folder: p.song.folder, Index: p.song.n, Count: p.song.count,
		Shuffle: shuffle, Repeat: repeatName(repeat), Dimmed: p.songDimmed(p.clock)}
}

// File returns the path of the file of the viewer's medium played, ""
// for the operator's titles and channels.
func (p *Player) File() string { return p.file }

// drawSong draws the now-playing screen of a song.
func (p *Player) drawSong(c draw.Canvas, now time.Time) {
	if p.songDimmed(now) {
		p.drawSongDimmed(c, now)
		return
	}
	s := scale(c)
	w, _ := c.Size()
	lang := p.host.Lang()
	shuffle, repeat := p.song.host.SongOrder()
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
	order := shuffleWord(lang, shuffle) + "  ·  " + repeatWord(lang, repeat)
	rightText(c, w-margin*s, 376*s, order, 20*s, colTextDim)
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
	hints(c, i18n.T(lang, i18n.HintSong, shuffleWord(lang, !shuffle), repeatWord(lang, nextRepeat(repeat))))
}

// nextRepeat is the repeat mode the Blue key turns to.
func nextRepeat(r string) string { return repeats[(slices.Index(repeats, r)+1)%len(repeats)] }

// drawSongDimmed draws the now-playing screen left alone: black, the
// song's name and folder faint, moved to another place every while so
// that nothing stays lit on the same pixels.
func (p *Player) drawSongDimmed(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, h := c.Size()
	lang := p.host.Lang()
	c.FillRect(draw.Rect{W: w, H: h}, draw.Black)
	dx, dy := p.song.idle.shift(now)
	x, y := margin*s+dx*s, 200*s+dy*s
	drawKindIconMusic(c, draw.Rect{X: x, Y: y, W: 120 * s, H: 120 * s})
	tx := x + 160*s
	tw := w - tx - margin*s - 80*s
	c.Text(tx, y+50*s, ellipsize(c, p.title.Name.In(lang), 32*s, tw), 32*s, colText)
	c.Text(tx, y+96*s, ellipsize(c, p.song.folder, 22*s, tw), 22*s, colTextDim)
	c.FillRect(draw.Rect{W: w, H: h}, draw.RGBA(0x000000c8))
}

// drawKindIconMusic draws the big note of the now-playing screen on a
// raised square.
func drawKindIconMusic(c draw.Canvas, r draw.Rect) {
	s := scale(c)
	c.RoundRect(r, 16*s, colRaised)
	drawKindIcon(c, library.Music, r.Inset(r.W*0.2), colAccent, colRaised)
}
