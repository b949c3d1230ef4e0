package main

import (
	"testing"
)

func TestWantMediaSteps(t *testing.T) {
	cases := []struct {
		only    []string
		section string
		want    bool
	}{
		{nil, "media", true},
		{[]string{"media"}, "media/open", true},
		{[]string{"media"}, "media/list", true},
		{[]string{"media/open"}, "media", true},
		{[]string{"media/open"}, "media/open", true},
		{[]string{"media/open"}, "media/list", false},
		{[]string{"media/list"}, "media/open", false},
		{[]string{"media/list"}, "ttff", false},
		{[]string{"ttff"}, "media", false},
	}
	for _, c := range cases {
		cfg := config{}
		if c.only != nil {
			cfg.only = map[string]bool{}
			for _, s := range c.only {
				cfg.only[s] = true
			}
		}
		if got := cfg.want(c.section); got != c.want {
			t.Errorf("-only %v: want(%q) = %v, want %v", c.only, c.section, got, c.want)
		}
	}
}

func TestSeriesNames(t *testing.T) {
	fs := seriesNames()
	if len(fs) != 10000 {
		t.Fatalf("%d files, want 10,000", len(fs))
	}
	seen := map[string]bool{}
	for _, f := range fs {
		if seen[f.name] {
			t.Fatalf("%q twice", f.name)
		}
		seen[f.name] = true
	}
	if fs[0].name != "Ep 0001.mp4" || fs[seriesVideos].name != "IMG_0001.jpg" {
		t.Errorf("named %q... and %q...", fs[0].name, fs[seriesVideos].name)
	}
}

func TestMounted(t *testing.T) {
	if !mounted("/") {
		t.Error("/ is not mounted, by the mount table")
	}
	if dir := t.TempDir(); mounted(dir) {
		t.Errorf("%s is mounted, by the mount table", dir)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 10000: "10,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
