package imports

import (
	"slices"
	"testing"
)

// The screens are plain state drawn on a canvas: they build, and are
// tested, without FFmpeg, ALSA or GL. The app core and the playback
// session do pull in the player's cgo, which shows the check can fail.
func TestScreensNeedNoCgo(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		pkg     string
		wantCgo string // a cgo package that must be listed; "" for none at all
	}{
		{"./ui/screen", ""},
		{"./ui/session", "github.com/manbang/manbang/player/avcodec"},
	}
	for _, c := range cases {
		got, err := CgoDeps(root, "gles2", c.pkg)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case c.wantCgo == "" && len(got) > 0:
			t.Errorf("%s depends on cgo packages: %v", c.pkg, got)
		case c.wantCgo != "" && !slices.Contains(got, c.wantCgo):
			t.Errorf("%s: cgo dependencies %v lack %s", c.pkg, got, c.wantCgo)
		}
	}
}
