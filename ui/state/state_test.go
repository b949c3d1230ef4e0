package state

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
)

func TestLoadMissingIsDefault(t *testing.T) {
	st, err := Load(filepath.Join(t.TempDir(), "none"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st, Default()) {
		t.Errorf("got %+v, want the default", st)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "state")
	st := Default()
	st.Settings.Lang = "ru"
	st.Settings.Overscan = 5
	st.Settings.ParentalRating = "15"
	st.Settings.Resolution = "1920x1080"
	st.AddRecent("다큐")
	st.AddRecent("news")
	st.WatchChannel("kbs1")
	st.WatchChannel("mbc")
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	st.SetFavourite(operator.Title{ID: "t1", Name: operator.Text{"en": "One"}}, true)
	st.SetResume(operator.Title{ID: "t2"}, 90*time.Second, now)
	if err := Save(dir, st); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, st) {
		t.Errorf("loaded %+v\nsaved  %+v", got, st)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != FileName {
		t.Errorf("the state directory holds %v; want only %s", entries, FileName)
	}
	if info, _ := os.Stat(dir); info.Mode().Perm() != 0o700 {
		t.Errorf("state directory mode %v", info.Mode().Perm())
	}
}

func TestLoadDamaged(t *testing.T) {
	cases := []struct {
		name, body, wantErr string
	}{
		{"not JSON", "{{{", "starting afresh"},
		{"truncated", `{"settings": {"lang": "en"`, "starting afresh"},
		{"too large", `{"recent_searches": ["` + strings.Repeat("x", maxFileSize) + `"]}`, "larger than"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, FileName), []byte(c.body), 0o600)
		st, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.wantErr)
		}
		if !reflect.DeepEqual(st, Default()) {
			t.Errorf("%s: got %+v, want the default state", c.name, st)
		}
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct {
		name string
		in   Settings
		want Settings
	}{
		{"empty", Settings{}, Settings{Lang: "ko", PIN: DefaultPIN, Audio: AudioAuto}},
		{"bad pin", Settings{Lang: "en", PIN: "12a4", Audio: AudioOff}, Settings{Lang: "en", PIN: DefaultPIN, Audio: AudioOff}},
		{"short pin", Settings{Lang: "en", PIN: "123", Audio: AudioAuto}, Settings{Lang: "en", PIN: DefaultPIN, Audio: AudioAuto}},
		{"ranges", Settings{Lang: "ru", PIN: "4321", Overscan: 40, Volume: 300, Audio: "hdmi"}, Settings{Lang: "ru", PIN: "4321", Overscan: MaxOverscan, Volume: 100, Audio: AudioAuto}},
		{"negative", Settings{Lang: "ru", PIN: "4321", Overscan: -3, Volume: -1, Audio: AudioAuto}, Settings{Lang: "ru", PIN: "4321", Audio: AudioAuto}},
		{"rating", Settings{Lang: "ko", PIN: "0000", ParentalRating: "18", Audio: AudioAuto}, Settings{Lang: "ko", PIN: "0000", Audio: AudioAuto}},
		{"repeat", Settings{Lang: "ko", PIN: "0000", Audio: AudioAuto, Shuffle: true, Repeat: "twice"}, Settings{Lang: "ko", PIN: "0000", Audio: AudioAuto, Shuffle: true}},
		{"repeat one", Settings{Lang: "ko", PIN: "0000", Audio: AudioAuto, Repeat: RepeatOne}, Settings{Lang: "ko", PIN: "0000", Audio: AudioAuto, Repeat: RepeatOne}},
		{"resolution", Settings{Lang: "ko", PIN: "0000", Resolution: "huge", Audio: AudioAuto}, Settings{Lang: "ko", PIN: "0000", Audio: AudioAuto}},
	}
	for _, c := range cases {
		st := State{Settings: c.in}
		st.Normalize()
		if st.Settings != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, st.Settings, c.want)
		}
	}
}

func TestParseResolution(t *testing.T) {
	cases := []struct {
		in   string
		w, h int
		ok   bool
	}{
		{"", 0, 0, true},
		{"1280x720", 1280, 720, true},
		{"3840x2160", 3840, 2160, true},
		{"1280X720", 0, 0, false},
		{"1280x720x3", 0, 0, false},
		{"01280x720", 0, 0, false},
		{"100x100", 0, 0, false},
		{"x", 0, 0, false},
	}
	for _, c := range cases {
		w, h, ok := ParseResolution(c.in)
		if w != c.w || h != c.h || ok != c.ok {
			t.Errorf("ParseResolution(%q) = %d, %d, %v; want %d, %d, %v", c.in, w, h, ok, c.w, c.h, c.ok)
		}
	}
}

func TestLists(t *testing.T) {
	var st State
	for i := 0; i < MaxRecentSearches+3; i++ {
		st.AddRecent(strings.Repeat("q", i+1))
	}
	st.AddRecent("qq")
	st.AddRecent("  ")
	if len(st.Recent) != MaxRecentSearches || st.Recent[0] != "qq" || st.Recent[1] != strings.Repeat("q", MaxRecentSearches+3) {
		t.Errorf("recent searches %q", st.Recent)
	}
	st.WatchChannel("a")
	st.WatchChannel("b")
	st.WatchChannel("b")
	if st.LastChannel != "b" || st.PrevChannel != "a" {
		t.Errorf("last %q prev %q", st.LastChannel, st.PrevChannel)
	}
	now := time.Unix(0, 0)
	st.SetResume(operator.Title{ID: "x"}, time.Minute, now)
	st.SetResume(operator.Title{ID: "y"}, 2*time.Minute, now)
	st.SetResume(operator.Title{ID: "x"}, 3*time.Minute, now)
	if pos, ok := st.ResumeAt("x"); !ok || pos != 3*time.Minute || st.Resume[0].Title.ID != "x" || len(st.Resume) != 2 {
		t.Errorf("resume %+v", st.Resume)
	}
	st.SetResume(operator.Title{ID: "x"}, 0, now)
	if _, ok := st.ResumeAt("x"); ok {
		t.Error("a title watched to its end is still to resume")
	}
	st.SetFavourite(operator.Title{ID: "f"}, true)
	st.SetFavourite(operator.Title{ID: "f"}, true)
	if !st.IsFavourite("f") || len(st.Favourites) != 1 {
		t.Errorf("favourites %+v", st.Favourites)
	}
	st.SetFavourite(operator.Title{ID: "f"}, false)
	if st.IsFavourite("f") {
		t.Error("f is still a favourite")
	}
}

// The Saver writes the newest state and, on Close, whatever still waits.
func TestSaver(t *testing.T) {
	dir := t.TempDir()
	errs := make(chan error, 10)
	s := NewSaver(dir, func(err error) { errs <- err })
	for i := 0; i <= 10; i++ {
		st := Default()
		st.Settings.Volume = i * 10
		s.Save(st)
	}
	s.Close()
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Settings.Volume != 100 {
		t.Errorf("saved volume %d, want the last one, 100", got.Settings.Volume)
	}
	select {
	case err := <-errs:
		t.Errorf("saver error: %v", err)
	default:
	}
}

func TestSaverReportsErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o600)
	errs := make(chan error, 1)
	s := NewSaver(file, func(err error) { errs <- err }) // a file is no directory
	s.Save(Default())
	s.Close()
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), "state:") {
			t.Errorf("error %q lacks context", err)
		}
	default:
		t.Error("saving into a file instead of a directory reported nothing")
	}
}

func FuzzDecode(f *testing.F) {
	b, _ := os.ReadFile("testdata/state.json")
	f.Add(b)
	f.Add([]byte(`{"settings":{"lang":"en","pin":"1234","volume":500},"recent_searches":["", "x"]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := Decode(b)
		if err != nil {
			return
		}
		s := st.Settings
		if !validPIN(s.PIN) || s.Volume < 0 || s.Volume > 100 || s.Overscan < 0 || s.Overscan > MaxOverscan ||
			len(st.Recent) > MaxRecentSearches || len(st.Resume) > MaxResume || len(st.Favourites) > MaxFavourites {
			t.Fatalf("Decode(%q) gave an out-of-range state %+v", b, st)
		}
		if _, _, ok := ParseResolution(s.Resolution); !ok {
			t.Fatalf("resolution %q kept", s.Resolution)
		}
	})
}

// A write cut off by a kill leaves its temporary file; the next start
// removes it and still loads the last complete state.
func TestLoadRemovesInterruptedWrites(t *testing.T) {
	dir := t.TempDir()
	want := Default()
	want.AddRecent("다큐")
	if err := Save(dir, want); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, FileName+".123456.tmp")
	if err := os.WriteFile(stale, []byte(`{"half":`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Recent) != 1 || got.Recent[0] != "다큐" {
		t.Errorf("loaded recent searches %q, want [다큐]", got.Recent)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the interrupted write's file is still there: %v", err)
	}
}

// Opening the store removes only its own temporary files, only those
// older than the open, and never the state file.
func TestRemoveStale(t *testing.T) {
	open := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	before, after := open.Add(-time.Minute), open.Add(time.Minute)
	cases := []struct {
		name    string
		mtime   time.Time
		dir     bool
		removed bool
	}{
		{FileName + ".123456.tmp", before, false, true},
		{FileName + ".9.tmp", before, false, true},
		{FileName + ".123456.tmp.keep", before, false, false},
		{FileName + ".77.tmp", after, false, false}, // a write still going on
		{FileName + ".abc.tmp", before, false, false},
		{FileName + "..tmp", before, false, false},
		{FileName + ".55.tmp", before, true, false}, // not a file of ours
		{"other.json.123.tmp", before, false, false},
		{"." + FileName + ".123.tmp", before, false, false},
		{FileName, before, false, false},
	}
	dir := t.TempDir()
	for _, c := range cases {
		p := filepath.Join(dir, c.name)
		var err error
		if c.dir {
			err = os.Mkdir(p, 0o700)
		} else {
			err = os.WriteFile(p, []byte(`{"half":`), 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, c.mtime, c.mtime); err != nil {
			t.Fatal(err)
		}
	}
	want := 0
	for _, c := range cases {
		if c.removed {
			want++
		}
	}
	if n := RemoveStale(dir, open); n != want {
		t.Errorf("removed %d files, want %d", n, want)
	}
	for _, c := range cases {
		_, err := os.Lstat(filepath.Join(dir, c.name))
		if gone := errors.Is(err, fs.ErrNotExist); gone != c.removed {
			t.Errorf("%s: removed %v, want %v", c.name, gone, c.removed)
		}
	}
	if n := RemoveStale(filepath.Join(dir, "none"), open); n != 0 {
		t.Errorf("a missing directory: removed %d", n)
	}
}

// A box killed during writes again and again, and never loading in
// between, still finds no pile of temporary files: the saver removes the
// stale ones when it opens.
func TestSaverRemovesInterruptedWrites(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	for i := range 5 {
		p := filepath.Join(dir, FileName+"."+strconv.Itoa(1000+i)+".tmp")
		if err := os.WriteFile(p, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	s := NewSaver(dir, func(err error) { t.Error(err) })
	st := Default()
	st.AddRecent("news")
	s.Save(st)
	s.Close()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != FileName {
		t.Errorf("the state directory holds %v; want only %s", entries, FileName)
	}
}

func TestMergeResume(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 23, h, 0, 0, 0, time.UTC) }
	title := func(id string) operator.Title { return operator.Title{ID: id} }
	var st State
	st.SetResume(title("a"), 10*time.Second, at(5))
	st.SetResume(title("b"), 20*time.Second, at(8))
	cases := []struct {
		name    string
		other   []Resume
		changed bool
		want    string // id@seconds, newest first
	}{
		{"nothing", nil, false, "b@20 a@10"},
		{"older loses", []Resume{{Title: title("a"), PositionSec: 99, UpdatedAt: at(4)}}, false, "b@20 a@10"},
		{"same time keeps the box's", []Resume{{Title: title("a"), PositionSec: 99, UpdatedAt: at(5)}}, false, "b@20 a@10"},
		{"newer wins and moves up", []Resume{{Title: title("a"), PositionSec: 30, UpdatedAt: at(9)}}, true, "a@30 b@20"},
		{"new title", []Resume{{Title: title("c"), PositionSec: 40, UpdatedAt: at(6)}}, true, "b@20 c@40 a@10"},
		{"empty entries ignored", []Resume{{Title: title(""), PositionSec: 5, UpdatedAt: at(9)}, {Title: title("d"), UpdatedAt: at(9)}}, false, "b@20 a@10"},
	}
	for _, c := range cases {
		s := st
		s.Resume = slices.Clone(st.Resume)
		if got := s.MergeResume(c.other); got != c.changed {
			t.Errorf("%s: changed %v, want %v", c.name, got, c.changed)
		}
		var ids []string
		for _, r := range s.Resume {
			ids = append(ids, r.Title.ID+"@"+strconv.FormatFloat(r.PositionSec, 'f', -1, 64))
		}
		if got := strings.Join(ids, " "); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	var many []Resume
	for i := range MaxResume + 5 {
		many = append(many, Resume{Title: title(strconv.Itoa(i)), PositionSec: 1, UpdatedAt: at(1)})
	}
	s := State{}
	s.MergeResume(many)
	if len(s.Resume) != MaxResume {
		t.Errorf("%d positions kept, want %d", len(s.Resume), MaxResume)
	}
}

// Local files' resume positions are kept by path, size and time, counted
// and forgotten with the titles', and survive a save and a load.
func TestLocalResume(t *testing.T) {
	st := Default()
	mod := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	key := LocalKey("/media/STICK/영화/여행.mp4", 1234, mod)
	st.SetLocalResume(key, 95*time.Second, time.Now())
	if pos, ok := st.LocalResumeAt(key); !ok || pos != 95*time.Second {
		t.Fatalf("LocalResumeAt = %v, %v", pos, ok)
	}
	if _, ok := st.LocalResumeAt(LocalKey("/media/STICK/영화/여행.mp4", 1235, mod)); ok {
		t.Error("a file of another size resumes")
	}
	if n := st.Remembered(ForgetResume); n != 1 {
		t.Errorf("Remembered(resume) = %d, want 1", n)
	}
	dir := t.TempDir()
	if err := Save(dir, st); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if pos, ok := got.LocalResumeAt(key); !ok || pos != 95*time.Second {
		t.Fatalf("after a load: %v, %v", pos, ok)
	}
	got.Forget(ForgetResume)
	if n := got.Remembered(ForgetResume); n != 0 || len(got.LocalResume) != 0 {
		t.Errorf("after Forget: %d remembered", n)
	}
	st.SetLocalResume(key, 0, time.Now())
	if _, ok := st.LocalResumeAt(key); ok {
		t.Error("a position set to 0 is still there")
	}
}
