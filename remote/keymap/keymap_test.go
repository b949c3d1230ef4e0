package keymap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/manbang/manbang/remote"
)

func TestParse(t *testing.T) {
	src := `# a remote
evdev  KEY_OK     ok   # trailing comment
  lirc tv:POWER   -
CEC    0x00       OK

evdev  KEY_UP
evdev  KEY_UP up down
tv     KEY_UP     up
evdev  KEY_UP     launch
keyboard Enter ok`
	entries, errs := Parse("test.map", strings.NewReader(src))
	want := []Entry{
		{Source: "evdev", Name: "KEY_OK", Key: remote.KeyOK, File: "test.map", Line: 2},
		{Source: "lirc", Name: "tv:POWER", Key: remote.KeyNone, File: "test.map", Line: 3},
		{Source: "cec", Name: "0x00", Key: remote.KeyOK, File: "test.map", Line: 4},
		{Source: "keyboard", Name: "Enter", Key: remote.KeyOK, File: "test.map", Line: 10},
	}
	if fmt.Sprint(entries) != fmt.Sprint(want) {
		t.Errorf("entries\n got %v\nwant %v", entries, want)
	}
	wantErrs := []string{
		`test.map:6: want "source name key", got 2 fields`,
		`test.map:7: want "source name key", got 4 fields`,
		`test.map:8: unknown source "tv"`,
		`test.map:9: unknown key "launch"`,
	}
	if len(errs) != len(wantErrs) {
		t.Fatalf("errors %v; want %d", errs, len(wantErrs))
	}
	for i, err := range errs {
		var le *LineError
		if !errors.As(err, &le) || !strings.HasPrefix(err.Error(), wantErrs[i]) {
			t.Errorf("error %d = %v; want %s...", i, err, wantErrs[i])
		}
	}
}

func TestDefaultMapsAreClean(t *testing.T) {
	m, errs := Default()
	for _, err := range errs {
		t.Error(err)
	}
	for _, src := range sources {
		if len(m.Entries(src)) == 0 {
			t.Errorf("no built-in %s map", src)
		}
	}
}

func TestLoadOverridesDefaultsAndReportsBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a-mine.map", "evdev KEY_OK menu\nevdev KEY_RED -\nevdev KEY_BOGUS up\n")
	write("b-broken.map", "nonsense here\n")
	write("ignored.txt", "evdev KEY_UP down\n")
	m, errs := Load([]string{filepath.Join(dir, "missing"), dir})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "b-broken.map:1:") {
		t.Errorf("errors %v; want one for b-broken.map line 1", errs)
	}
	keys, rerrs := Resolve(m.Entries(Evdev), func(name string) (string, error) {
		if name == "KEY_BOGUS" {
			return "", errors.New("unknown evdev key KEY_BOGUS")
		}
		return name, nil
	})
	if len(rerrs) != 1 || !strings.Contains(rerrs[0].Error(), "a-mine.map:3: unknown evdev key") {
		t.Errorf("resolve errors %v; want one at a-mine.map:3", rerrs)
	}
	if keys["KEY_OK"] != remote.KeyMenu {
		t.Errorf("KEY_OK = %v; the technician's map should win", keys["KEY_OK"])
	}
	if _, ok := keys["KEY_RED"]; ok {
		t.Error("KEY_RED still mapped after an unmapping line")
	}
	if keys["KEY_UP"] != remote.KeyUp {
		t.Errorf("KEY_UP = %v; a .txt file must not be read", keys["KEY_UP"])
	}
}

func TestResolveNumbers(t *testing.T) {
	entries, _ := Parse("n.map", strings.NewReader("cec 0x2b ok\ncec 43 up\ncec 0xzz down\n"))
	keys, errs := Resolve(entries, func(s string) (byte, error) {
		n, err := strconv.ParseUint(s, 0, 8)
		return byte(n), err
	})
	if len(keys) != 1 || keys[0x2b] != remote.KeyUp || len(errs) != 1 {
		t.Errorf("keys %v errs %v", keys, errs)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"evdev KEY_OK ok\n", "# c\n\nlirc a:b -\n", "cec 0x00 ok # x", "keyboard\tKP0\t0\r\n",
		"evdev KEY_OK", "x y z w\n", "evdev KEY_OK \xff\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		entries, errs := Parse("fuzz.map", strings.NewReader(s))
		lines := strings.Count(s, "\n") + 1
		for _, e := range entries {
			if e.Line < 1 || e.Line > lines || e.Name == "" || !slices.Contains(sources, e.Source) {
				t.Fatalf("bad entry %+v", e)
			}
		}
		for _, err := range errs {
			if !strings.HasPrefix(err.Error(), "fuzz.map:") {
				t.Fatalf("error without position: %v", err)
			}
		}
	})
}
