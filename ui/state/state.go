// Package state keeps what the box remembers between runs: the viewer's
// settings, recent searches, the last channels watched, local favourites
// and resume positions. It is one small JSON file, written atomically
// (a temporary file, fsync, rename, fsync of the directory), so that a
// power cut leaves either the old file or the new one, never half of one.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/manbang/manbang/operator"
)

// FileName is the state file's name in the state directory.
const FileName = "state.json"

// maxFileSize bounds the state file read back: anything larger is not
// ours.
const maxFileSize = 1 << 20

// Limits of the remembered lists.
const (
	MaxRecentSearches = 8
	MaxResume         = 20
	MaxFavourites     = 100
	MaxLocalResume    = 50
)

// Settings are the viewer's choices in the Settings screen.
type Settings struct {
	// Operator is the base URL of the operator's server.
	Operator string `json:"operator,omitempty"`
	// Lang is the UI language: "ko", "en" or "ru".
	Lang string `json:"lang,omitempty"`
	// PIN is the parental PIN, four digits.
	PIN string `json:"pin,omitempty"`
	// ParentalRating is the lowest age rating ("12", "15", "19") that asks
	// for the PIN; empty means parental control is off.
	ParentalRating string `json:"parental_rating,omitempty"`
	// Resolution is the display mode, "WxH", or "" for the window's or
	// monitor's own.
	Resolution string `json:"resolution,omitempty"`
	// Overscan is the safe-area inset on every side, in percent of the
	// screen (0 to MaxOverscan).
	Overscan int `json:"overscan,omitempty"`
	// Audio is the sound output: AudioAuto or AudioOff.
	Audio string `json:"audio,omitempty"`
	// Volume is the output volume from 0 to 100.
	Volume int `json:"volume"`
	// Muted silences the output without losing the volume.
	Muted bool `json:"muted,omitempty"`
	// ResumeShared has the box tell the operator where the viewer stopped
	// in a title, and read back what it keeps, so that another box of
	// theirs goes on from there. Off, as on a new box, resume positions
	// stay on this box (docs/API.md).
	ResumeShared bool `json:"resume_shared,omitempty"`
	// PhoneRemote switches the network remote on (Settings, phone
	// remote): phones paired with the code on the TV may press keys.
	// Off on a new box; off, the remote answers every request with 403.
	PhoneRemote bool `json:"phone_remote,omitempty"`
	// Shuffle plays the songs of a folder in a random order, each once
	// before any again; Repeat is what comes after a folder's last song
	// (RepeatOff, RepeatAll, RepeatOne). Both are the now-playing
	// screen's, kept like the volume.
	Shuffle bool   `json:"shuffle,omitempty"`
	Repeat  string `json:"repeat,omitempty"`
}

// What comes at the end of a song of a folder: after the last the
// browser again (off), the first again (all), or the same song (one).
const (
	RepeatOff = ""
	RepeatAll = "all"
	RepeatOne = "one"
)

// Sound outputs.
const (
	AudioAuto = "auto" // the sound device, silence when there is none
	AudioOff  = "off"  // no sound
)

// MaxOverscan is the largest safe-area inset, in percent.
const MaxOverscan = 10

// DefaultPIN is the parental PIN of a new box.
const DefaultPIN = "0000"

// Resume is where the viewer stopped in a title.
type Resume struct {
	Title       operator.Title `json:"title"`
	PositionSec float64        `json:"position_sec"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

// LocalResume is where the viewer stopped in a video file of their own
// medium (a USB stick). It is kept on this box only, never sent to the
// operator, and keyed by the file's path, size and time (LocalKey), so
// that another file that takes its name starts from its beginning.
type LocalResume struct {
	Key         string    `json:"key"`
	PositionSec float64   `json:"position_sec"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// LocalKey is the key of a local file's resume position: its path, size
// and modification time.
func LocalKey(path string, size int64, mod time.Time) string {
	return fmt.Sprintf("%s|%d|%d", path, size, mod.UnixNano())
}

// State is everything the box remembers.
type State struct {
	Settings Settings `json:"settings"`
	// Recent holds the last searches, newest first.
	Recent []string `json:"recent_searches,omitempty"`
	// LastChannel and PrevChannel are the IDs of the channel watched last
	// and the one before it (the Last key switches between them).
	LastChannel string `json:"last_channel,omitempty"`
	PrevChannel string `json:"prev_channel,omitempty"`
	// Favourites are titles the viewer marked, newest first.
	Favourites []operator.Title `json:"favourites,omitempty"`
	// Resume holds titles left unfinished, newest first.
	Resume []Resume `json:"resume,omitempty"`
	// LocalResume holds the viewer's own video files left unfinished,
	// newest first: on this box only.
	LocalResume []LocalResume `json:"local_resume,omitempty"`
}

// Default returns the state of a new box.
func Default() State {
	return State{Settings: Settings{Lang: "ko", PIN: DefaultPIN, Audio: AudioAuto, Volume: 80}}
}

// Normalize brings st within its limits: unknown values become defaults,
// lists are cut to their maximum. It never fails: a state file edited by
// hand or from an older box still loads.
func (st *State) Normalize() {
	def := Default().Settings
	s := &st.Settings
	if s.Lang == "" {
		s.Lang = def.Lang
	}
	if !validPIN(s.PIN) {
		s.PIN = def.PIN
	}
	switch s.ParentalRating {
	case "", "12", "15", "19":
	default:
		s.ParentalRating = ""
	}
	if s.Audio != AudioOff {
		s.Audio = AudioAuto
	}
	if s.Repeat != RepeatAll && s.Repeat != RepeatOne {
		s.Repeat = RepeatOff
	}
	s.Overscan = min(max(s.Overscan, 0), MaxOverscan)
	s.Volume = min(max(s.Volume, 0), 100)
	if _, _, ok := ParseResolution(s.Resolution); !ok {
		s.Resolution = ""
	}
	st.Recent = slices.DeleteFunc(st.Recent, func(q string) bool { return strings.TrimSpace(q) == "" })
	st.Recent = st.Recent[:min(len(st.Recent), MaxRecentSearches)]
	st.Favourites = slices.DeleteFunc(st.Favourites, func(t operator.Title) bool { return t.ID == "" })
	st.Favourites = st.Favourites[:min(len(st.Favourites), MaxFavourites)]
	st.Resume = slices.DeleteFunc(st.Resume, func(r Resume) bool { return r.Title.ID == "" || r.PositionSec <= 0 })
	st.Resume = st.Resume[:min(len(st.Resume), MaxResume)]
	st.LocalResume = slices.DeleteFunc(st.LocalResume, func(r LocalResume) bool { return r.Key == "" || r.PositionSec <= 0 })
	st.LocalResume = st.LocalResume[:min(len(st.LocalResume), MaxLocalResume)]
}

func validPIN(p string) bool {
	if len(p) != 4 {
		return false
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ParseResolution reads "WxH"; "" is valid and means the default (0, 0).
func ParseResolution(s string) (w, h int, ok bool) {
	if s == "" {
		return 0, 0, true
	}
	var x rune
	if n, err := fmt.Sscanf(s, "%d%c%d", &w, &x, &h); err != nil || n != 3 || x != 'x' {
		return 0, 0, false
	}
	if w < 640 || h < 360 || w > 7680 || h > 4320 || fmt.Sprintf("%dx%d", w, h) != s {
		return 0, 0, false
	}
	return w, h, true
}

// AddRecent puts q first among the recent searches.
func (st *State) AddRecent(q string) {
	q = strings.TrimSpace(q)
	if q == "" {
		return
	}
	st.Recent = slices.DeleteFunc(st.Recent, func(s string) bool { return s == q })
	st.Recent = append([]string{q}, st.Recent...)
	st.Recent = st.Recent[:min(len(st.Recent), MaxRecentSearches)]
}

// WatchChannel records id as the channel watched now.
func (st *State) WatchChannel(id string) {
	if id == "" || id == st.LastChannel {
		return
	}
	st.PrevChannel, st.LastChannel = st.LastChannel, id
}

// IsFavourite reports whether the title is among the favourites.
func (st *State) IsFavourite(id string) bool {
	return slices.ContainsFunc(st.Favourites, func(t operator.Title) bool { return t.ID == id })
}

// SetFavourite adds t to the favourites or removes it.
func (st *State) SetFavourite(t operator.Title, fav bool) {
	st.Favourites = slices.DeleteFunc(st.Favourites, func(f operator.Title) bool { return f.ID == t.ID })
	if fav {
		st.Favourites = append([]operator.Title{t}, st.Favourites...)
		st.Favourites = st.Favourites[:min(len(st.Favourites), MaxFavourites)]
	}
}

// Forgettable kinds of what the box remembers of its viewer.
const (
	ForgetResume   = "resume"   // where the viewer stopped in titles and in their own files
	ForgetSearches = "searches" // the recent searches
	ForgetChannels = "channels" // the last channels watched
)

// Remembered returns how many things of a kind the box remembers.
func (st *State) Remembered(kind string) int {
	switch kind {
	case ForgetResume:
		return len(st.Resume) + len(st.LocalResume)
	case ForgetSearches:
		return len(st.Recent)
	case ForgetChannels:
		n := 0
		for _, id := range []string{st.LastChannel, st.PrevChannel} {
			if id != "" {
				n++
			}
		}
		return n
	}
	return 0
}

// Forget forgets everything of a kind.
func (st *State) Forget(kind string) {
	switch kind {
	case ForgetResume:
		st.Resume, st.LocalResume = nil, nil
	case ForgetSearches:
		st.Recent = nil
	case ForgetChannels:
		st.LastChannel, st.PrevChannel = "", ""
	}
}

// ResumeAt returns where the viewer stopped in a title, if anywhere.
func (st *State) ResumeAt(id string) (time.Duration, bool) {
	for _, r := range st.Resume {
		if r.Title.ID == id {
			return time.Duration(r.PositionSec * float64(time.Second)), true
		}
	}
	return 0, false
}

// SetResume records that the viewer stopped t at pos, or, with pos 0 (the
// title was watched to its end), forgets it.
func (st *State) SetResume(t operator.Title, pos time.Duration, now time.Time) {
	st.Resume = slices.DeleteFunc(st.Resume, func(r Resume) bool { return r.Title.ID == t.ID })
	if pos <= 0 {
		return
	}
	st.Resume = append([]Resume{{Title: t, PositionSec: pos.Seconds(), UpdatedAt: now}}, st.Resume...)
	st.Resume = st.Resume[:min(len(st.Resume), MaxResume)]
}

// LocalResumeAt returns where the viewer stopped in the local file of
// key (LocalKey), if anywhere.
func (st *State) LocalResumeAt(key string) (time.Duration, bool) {
	for _, r := range st.LocalResume {
		if r.Key == key {
			return time.Duration(r.PositionSec * float64(time.Second)), true
		}
	}
	return 0, false
}

// SetLocalResume records that the viewer stopped the local file of key
// at pos, or, with pos 0, forgets it.
func (st *State) SetLocalResume(key string, pos time.Duration, now time.Time) {
	st.LocalResume = slices.DeleteFunc(slices.Clone(st.LocalResume), func(r LocalResume) bool { return r.Key == key })
	if pos <= 0 {
		return
	}
	st.LocalResume = append([]LocalResume{{Key: key, PositionSec: pos.Seconds(), UpdatedAt: now}}, st.LocalResume...)
	st.LocalResume = st.LocalResume[:min(len(st.LocalResume), MaxLocalResume)]
}

// MergeResume merges the resume positions another keeper (the operator)
// has with the box's: for a title both have, the newer position wins.
// It reports whether the box's positions changed.
func (st *State) MergeResume(other []Resume) bool {
	changed := false
	merged := slices.Clone(st.Resume) // a Saver may be writing the old list
	for _, r := range other {
		if r.Title.ID == "" || r.PositionSec <= 0 {
			continue
		}
		i := slices.IndexFunc(merged, func(l Resume) bool { return l.Title.ID == r.Title.ID })
		switch {
		case i < 0:
			merged = append(merged, r)
		case merged[i].UpdatedAt.Before(r.UpdatedAt):
			merged[i] = r
		default:
			continue
		}
		changed = true
	}
	if changed {
		slices.SortStableFunc(merged, func(a, b Resume) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
		st.Resume = merged[:min(len(merged), MaxResume)]
	}
	return changed
}

// Load reads the state file of dir. A missing file is the default state;
// a damaged one is the default state and an error saying so, so that the
// box still starts. Temporary files left by a write that a power cut or a
// kill interrupted are removed: Load runs at start, before any Saver.
func Load(dir string) (State, error) {
	path := filepath.Join(dir, FileName)
	RemoveStale(dir, time.Now())
	st := Default()
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("state: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return st, fmt.Errorf("state: read %s: %w", path, err)
	}
	if len(b) > maxFileSize {
		return st, fmt.Errorf("state: %s is larger than %d KiB; ignored", path, maxFileSize>>10)
	}
	got, err := Decode(b)
	if err != nil {
		return st, fmt.Errorf("state: %s: %w; starting afresh", path, err)
	}
	return got, nil
}

// RemoveStale removes the temporary files that writes interrupted by a
// kill or a power cut left in dir: only files named as Save names them
// (state.json.DIGITS.tmp), only regular files last changed before the
// given time (a write of another process still going on is left alone),
// never the state file itself. It returns how many it removed.
func RemoveStale(dir string, before time.Time) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		if !isTempName(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(before) {
			continue
		}
		if os.Remove(filepath.Join(dir, e.Name())) == nil {
			n++
		}
	}
	return n
}

// isTempName reports whether name is one Save gives its temporary files:
// FileName, a dot, the digits os.CreateTemp puts for its "*", ".tmp".
func isTempName(name string) bool {
	mid, ok := strings.CutPrefix(name, FileName+".")
	if !ok {
		return false
	}
	mid, ok = strings.CutSuffix(mid, ".tmp")
	if !ok || mid == "" {
		return false
	}
	for _, c := range mid {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Decode parses a state file's contents and normalizes them.
func Decode(b []byte) (State, error) {
	st := Default()
	if err := json.Unmarshal(b, &st); err != nil {
		return Default(), err
	}
	st.Normalize()
	return st, nil
}

// Save writes st to dir's state file atomically, creating dir if needed.
func Save(dir string, st State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("state: encode: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	tmp, err := os.CreateTemp(dir, FileName+".*.tmp")
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("state: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("state: sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, FileName)); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	// The rename is durable once the directory is synced.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Saver writes states on a goroutine of its own, so that the render loop
// never waits for the disk. Only the newest state waiting is written.
type Saver struct {
	dir     string
	pending chan State
	done    chan struct{}
	onErr   func(error)
}

// NewSaver starts a Saver writing to dir; onErr, if not nil, is told of
// failed writes (from the Saver's goroutine). Close stops it. Opening
// the store removes the temporary files of writes a kill interrupted
// (RemoveStale), so that they never pile up, even on a box that is
// killed again before it loads its state.
func NewSaver(dir string, onErr func(error)) *Saver {
	RemoveStale(dir, time.Now())
	s := &Saver{dir: dir, pending: make(chan State, 1), done: make(chan struct{}), onErr: onErr}
	go s.run()
	return s
}

// Save queues st to be written, replacing a state still waiting. It never
// blocks for long: at most for the Saver to take the waiting state. The
// lists are copied: the caller may go on changing its state in place
// while the Saver writes.
func (s *Saver) Save(st State) {
	st.Recent = slices.Clone(st.Recent)
	st.Favourites = slices.Clone(st.Favourites)
	st.Resume = slices.Clone(st.Resume)
	st.LocalResume = slices.Clone(st.LocalResume)
	for {
		select {
		case s.pending <- st:
			return
		default:
		}
		select {
		case <-s.pending: // drop the older state still waiting
		default:
		}
	}
}

func (s *Saver) run() {
	defer close(s.done)
	for st := range s.pending {
		if err := Save(s.dir, st); err != nil && s.onErr != nil {
			s.onErr(err)
		}
	}
}

// Close writes the state still waiting, if any, and stops the Saver. Save
// must not be called after Close.
func (s *Saver) Close() error {
	close(s.pending)
	<-s.done
	return nil
}
