package app

import (
	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/ui/state"
)

// soundOutput returns a new sink for a playback as the settings say: the
// configured one, silence, or the sound device (silence where there is
// none). The playback closes it.
func (a *App) soundOutput() audio.Sink {
	switch {
	case a.cfg.Audio != nil:
		return unclosed{a.cfg.Audio}
	case a.st.Settings.Audio == state.AudioOff:
		return audio.NewSilent(nil)
	}
	return audio.Open(a.log)
}

// unclosed is a sink that is not the playback's to close.
type unclosed struct{ audio.Sink }

func (unclosed) Close() error { return nil }
