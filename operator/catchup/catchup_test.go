package catchup

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
)

var (
	start = time.Date(2026, 11, 23, 11, 0, 5, 0, time.UTC) // 20:00:05 in Seoul
	stop  = start.Add(90 * time.Minute)
	now   = start.Add(3 * time.Hour)
)

func TestExpand(t *testing.T) {
	s, e, n := "1795431605", "1795437005", "1795442405"
	tests := []struct{ in, want string }{
		{"?utc={utc}&lutc={lutc}", "?utc=" + s + "&lutc=" + n},
		{"?start=${start}&end=${end}&ts=${timestamp}", "?start=" + s + "&end=" + e + "&ts=" + n},
		{"/archive-{utc}-{duration}.m3u8", "/archive-" + s + "-5400.m3u8"},
		{"?d=${duration}&min={duration:60}&off={offset:60}", "?d=5400&min=90&off=180"},
		{"/{Y}/{m}/{d}/{H}-{M}-{S}.ts", "/2026/11/23/11-00-05.ts"},
		{"?from={utc:YmdHMS}&to={utcend:Y-m-d H:M}", "?from=20261123110005&to=2026-11-23 12:30"},
		{"?b=${(b)yyyyMMddHHmmss}&e=${(e)yyyy-MM-dd}", "?b=20261123110005&e=2026-11-23"},
		{"{unknown} ${what} {duration:0} {duration:x}", "{unknown} ${what} {duration:0} {duration:x}"},
		{"{unclosed", "{unclosed"},
		{"${", "${"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		if got := Expand(tt.in, start, stop, now); got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Times in any zone give the same URL.
	seoul := time.FixedZone("KST", 9*3600)
	if got := Expand("{H}{utc}", start.In(seoul), stop, now); got != "11"+s {
		t.Errorf("zoned start: %q", got)
	}
}

func TestURL(t *testing.T) {
	live := "http://127.0.0.1/ch/index.m3u8?token=x"
	tests := []struct {
		channel string
		c       operator.Catchup
		start   time.Time
		want    string
		err     error
	}{
		{live, operator.Catchup{Mode: "default", Source: "http://127.0.0.1/arc/{utc}-{duration}.ts"}, start, "http://127.0.0.1/arc/1795431605-5400.ts", nil},
		{"http://127.0.0.1/ch.m3u8", operator.Catchup{Mode: "append", Source: "?utc={utc}&lutc={lutc}"}, start, "http://127.0.0.1/ch.m3u8?utc=1795431605&lutc=1795442405", nil},
		{live, operator.Catchup{Mode: "shift"}, start, live + "&utc=1795431605&lutc=1795442405", nil},
		{"http://127.0.0.1/ch.ts", operator.Catchup{Mode: "SHIFT"}, start, "http://127.0.0.1/ch.ts?utc=1795431605&lutc=1795442405", nil},
		{live, operator.Catchup{Mode: "flussonic"}, start, "http://127.0.0.1/ch/index-1795431605-5400.m3u8?token=x", nil},
		{"http://127.0.0.1/ch/mpegts", operator.Catchup{Mode: "fs"}, start, "http://127.0.0.1/ch/timeshift_abs-1795431605.ts", nil},
		{live, operator.Catchup{}, start, "", ErrNoCatchup},
		{live, operator.Catchup{Mode: "shift", Days: 1}, start.AddDate(0, 0, -2), "", ErrTooOld},
		{live, operator.Catchup{Mode: "shift", Days: 7}, now.Add(time.Minute), "", ErrFuture},
	}
	for _, tt := range tests {
		got, err := URL(tt.channel, tt.c, tt.start, tt.start.Add(90*time.Minute), now)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("URL(%q, %+v) = %q, %v; want %q, %v", tt.channel, tt.c, got, err, tt.want, tt.err)
		}
	}
	for _, tt := range []struct {
		channel string
		c       operator.Catchup
		want    string
	}{
		{live, operator.Catchup{Mode: "default"}, "without catchup-source"},
		{live, operator.Catchup{Mode: "append"}, "without catchup-source"},
		{"http://127.0.0.1/ch/live.mp4", operator.Catchup{Mode: "flussonic"}, "cannot place"},
		{live, operator.Catchup{Mode: "xc"}, "unsupported mode"},
	} {
		if _, err := URL(tt.channel, tt.c, start, stop, now); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("URL(%q, %+v): %v, want %q", tt.channel, tt.c, err, tt.want)
		}
	}
	if _, err := URL(live, operator.Catchup{Mode: "shift"}, start, start, now); err == nil {
		t.Error("empty programme: no error")
	}
}

// FuzzExpand must never panic, and must keep text without braces as it is.
func FuzzExpand(f *testing.F) {
	f.Add("?utc={utc}&lutc={lutc}")
	f.Add("${(b)yyyyMMdd}{utc:YmdH}{offset:60}")
	f.Add("{{}}${${}")
	f.Fuzz(func(t *testing.T, s string) {
		got := Expand(s, start, stop, now)
		if !strings.ContainsAny(s, "{") && got != s {
			t.Fatalf("Expand(%q) = %q", s, got)
		}
	})
}
