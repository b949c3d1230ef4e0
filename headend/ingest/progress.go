package ingest

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"
)

// readProgress reads ffmpeg's -progress output (key=value lines, each
// block ending with progress=continue or progress=end) and calls f with
// the position reached at the end of each block. It returns when r ends.
func readProgress(r io.Reader, f func(done time.Duration, end bool)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64<<10)
	var done time.Duration
	for sc.Scan() {
		key, val, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok {
			continue
		}
		switch key {
		case "out_time_us", "out_time_ms": // both are in microseconds
			if us, err := strconv.ParseInt(val, 10, 64); err == nil && us >= 0 && us < 1<<50 {
				done = time.Duration(us) * time.Microsecond
			}
		case "progress":
			f(done, val == "end")
		}
	}
	// Drain what a scanner error left, so that ffmpeg never blocks.
	io.Copy(io.Discard, r)
}

// Bar renders progress as a one-line text bar: "[#####.....]  50%
// 0:25/0:50".
func Bar(done, total time.Duration, width int) string {
	frac := 0.0
	if total > 0 {
		frac = min(1, max(0, float64(done)/float64(total)))
	}
	n := int(frac * float64(width))
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "] " +
		strconv.Itoa(int(frac*100)) + "% " + clock(min(done, total)) + "/" + clock(total)
}

// clock formats d as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return strconv.Itoa(s/3600) + ":" + two(s/60%60) + ":" + two(s%60)
	}
	return strconv.Itoa(s/60) + ":" + two(s%60)
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
