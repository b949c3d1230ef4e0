package player

import (
	"errors"
	"fmt"
	"slices"

	"github.com/manbang/manbang/player/hls"
)

// errLiveRendition is SelectRendition's error on a live HLS stream, whose
// pipeline cannot restart where it is.
var errLiveRendition = errors.New("a live stream's audio rendition is chosen when it opens (Options.AudioLang)")

// AudioRenditions returns the alternative audio renditions of the HLS
// variant playing (the languages of a VOD title packaged as separate
// audio playlists) and the index of the one heard: -1 when none is, or
// the stream has none. Tracks does not list them: their audio is not in
// the variant's program.
func (p *Player) AudioRenditions() ([]hls.Rendition, int) {
	p.in.mu.Lock()
	defer p.in.mu.Unlock()
	return slices.Clone(p.in.rends), p.in.rend
}

// SelectRendition switches the audio to rendition i of AudioRenditions
// for the rest of playback. The pipeline restarts where it is, as a seek
// does, so the new language is heard at once with the same picture. The
// rendition's playlist is opened first: when it cannot be, the error says
// so and the old audio plays on. Only a stream that can seek switches.
func (p *Player) SelectRendition(i int) error {
	rends, cur := p.AudioRenditions()
	if i < 0 || i >= len(rends) {
		return fmt.Errorf("player: no audio rendition %d (the stream has %d)", i, len(rends))
	}
	rd := rends[i]
	if i == cur {
		return nil
	}
	if !p.in.seekable {
		return fmt.Errorf("player: audio rendition %q: %w", rd.Name, errLiveRendition)
	}
	var a *hls.Reader
	if rd.URI != "" {
		var err error
		if a, err = p.in.main.hls.OpenRendition(p.ctx, rd); err != nil {
			return fmt.Errorf("player: audio rendition %q: %w", rd.Name, err)
		}
		if !a.Seekable() {
			a.Close()
			return fmt.Errorf("player: audio rendition %q: its playlist is live: %w", rd.Name, ErrNotSeekable)
		}
	}
	p.mu.Lock()
	speed, pos := p.stats.Speed, p.position
	p.mu.Unlock()
	swapped := false
	err := p.restartWith(pos, speed, func() {
		swapped = true
		if old := p.in.swapRendition(a, i); old != nil {
			old.closer.Close()
		}
		p.update(func(s *Stats) { s.AudioLang = rd.Language })
	})
	if !swapped && a != nil {
		a.Close()
	}
	return err
}

// swapRendition makes a (nil: the variant's own audio) rendition i the
// audio track while no pipeline runs, and returns the track it replaces.
// After close, a is closed at once instead.
func (in *input) swapRendition(a *hls.Reader, i int) (old *track) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed {
		if a != nil {
			a.Close()
		}
		return nil
	}
	old = in.alt
	in.alt = nil
	in.main.audio = a == nil
	if a != nil {
		in.alt = renditionTrack(a)
	}
	in.rend = i
	return old
}
