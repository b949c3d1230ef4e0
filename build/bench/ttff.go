package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/manbang/manbang/headend/live"
)

// marker finds the moment a peer opened the stream and the moment it had
// its first video frame, in its log.
type marker struct {
	open, frame *regexp.Regexp
}

// mpv's log says it opens a URL in an [ffmpeg] (lavf) line and a local
// file in a [file] line, before probing it; [cplayer]'s "Opening done",
// after the probing, is the last resort.
var (
	mpvMarker    = marker{regexp.MustCompile(`\[ffmpeg\] Opening |\[file\] Opening |\[cplayer\] Opening `), regexp.MustCompile(`first video frame after restart shown`)}
	ffplayMarker = marker{regexp.MustCompile(`Opening '.*' for reading`), regexp.MustCompile(`Parsed_showinfo.*\bn:\s*0 `)}
)

// peerCmd is the command line of a peer playing url with the log its
// marker reads.
func peerCmd(player, url string) []string {
	switch player {
	case "mpv":
		return []string{"mpv", "--no-config", "--vo=null", "--ao=null", "-v", "--msg-time", url}
	default:
		return []string{"ffplay", "-hide_banner", "-loglevel", "debug", "-vf", "showinfo", "-an", "-x", "320", "-y", "180", url}
	}
}

// peerFirstFrame starts a peer on url and returns when it opened the
// stream and when it showed its first frame, by the harness's clock. ready,
// if not nil, is called once the process has started, and its time
// replaces the opening (live: the subscription starts the stream).
func peerFirstFrame(ctx context.Context, x *xvfb, player, url string, ready func() (time.Time, error)) (time.Duration, error) {
	args := peerCmd(player, url)
	m := mpvMarker
	if player == "ffplay" {
		m = ffplayMarker
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display, "SDL_AUDIODRIVER=dummy")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		pw.Close()
		close(exited)
	}()
	defer func() {
		cmd.Process.Kill()
		pr.Close()
		<-exited
	}()
	var opened time.Time
	if ready != nil {
		t, err := ready()
		if err != nil {
			return 0, err
		}
		opened = t
	}
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var lastLines []string
	for sc.Scan() {
		now := time.Now()
		l := sc.Text()
		lastLines = append(lastLines, l)
		if len(lastLines) > 5 {
			lastLines = lastLines[1:]
		}
		if opened.IsZero() && m.open.MatchString(l) {
			opened = now
		}
		if !opened.IsZero() && m.frame.MatchString(l) {
			return now.Sub(opened), nil
		}
	}
	return 0, fmt.Errorf("%s %s: no first frame in its log (%v): %s", player, url, ctx.Err(), strings.Join(lastLines, " | "))
}

// benchTTFF measures time to first frame on HLS VOD and RTP live.
func benchTTFF(ctx context.Context, c config, st streams, x *xvfb, r *Results) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(st.HLSDir)), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	defer srv.Close()
	hlsURL := "http://" + l.Addr().String() + "/master.m3u8"
	mb, err := startsOf(c.starts, func() (float64, error) {
		s, _, err := manbangPlay(ctx, c.bin, "--duration", "2500ms", "--log-level", "error", hlsURL)
		if err == nil && s.FirstFrameMS == 0 {
			err = errors.New("no frame within 2.5s")
		}
		return s.FirstFrameMS, err
	})
	if err != nil {
		return err
	}
	m := Metric{Section: "ttff", Name: "HLS VOD 1080p ladder", Unit: "ms", Better: "lower", Values: map[string]float64{}}
	mp95 := Metric{Section: "ttff", Name: "HLS VOD 1080p ladder p95", Unit: "ms", Better: "lower", Values: map[string]float64{}}
	record(m, mp95, "manbang", mb)
	for _, p := range []string{"mpv", "ffplay"} {
		s, err := startsOf(c.starts, func() (float64, error) {
			d, err := peerFirstFrame(ctx, x, p, hlsURL, nil)
			return ms(d), err
		})
		if err != nil {
			return err
		}
		record(m, mp95, p, s)
	}
	m.Note = failures(m)
	r.add(m)
	r.add(mp95)

	e := live.New(live.Config{Addr: "127.0.0.1:0", SubscriberTimeout: time.Minute, Logger: slog.New(slog.DiscardHandler)})
	defer e.Close()
	if err := e.AddChannel(live.Channel{ID: "bench", Source: st.H264, Retransmit: true}); err != nil {
		return err
	}
	if err := e.Start(ctx); err != nil {
		return err
	}
	for _, fcc := range []bool{false, true} {
		name := "RTP live channel change, no FCC"
		if fcc {
			name = "RTP live channel change, FCC burst"
		}
		m := Metric{Section: "ttff", Name: name, Unit: "ms", Better: "lower", Values: map[string]float64{}}
		mp95 := Metric{Section: "ttff", Name: name + " p95", Unit: "ms", Better: "lower", Values: map[string]float64{}}
		for _, p := range []string{"manbang", "mpv", "ffplay"} {
			s, err := startsOf(c.starts, func() (float64, error) { return liveStart(ctx, c, x, e, p, fcc) })
			if err != nil {
				return err
			}
			record(m, mp95, p, s)
		}
		m.Note = failures(m)
		r.add(m)
		r.add(mp95)
	}
	return nil
}

// liveStart starts player on a free port, subscribes the port to the
// channel once bound, and returns the time to its first frame.
func liveStart(ctx context.Context, c config, x *xvfb, e *live.Engine, player string, fcc bool) (float64, error) {
	port, err := freeUDPPort()
	if err != nil {
		return 0, err
	}
	var sub *live.Subscription
	defer func() {
		if sub != nil {
			sub.Close()
		}
	}()
	subscribe := func() (time.Time, error) {
		if err := waitUDPBound(ctx, port, 10*time.Second); err != nil {
			return time.Time{}, err
		}
		t := time.Now()
		s, err := e.Subscribe("bench", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, live.SubscribeOptions{FastChannelChange: fcc})
		sub = s
		return t, err
	}
	if player != "manbang" {
		d, err := peerFirstFrame(ctx, x, player, fmt.Sprintf("rtp://127.0.0.1:%d", port), subscribe)
		return ms(d), err
	}
	type result struct {
		s   playStats
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, _, err := manbangPlay(ctx, c.bin, "--duration", "4s", "--log-level", "error", fmt.Sprintf("rtp://@:%d", port))
		done <- result{s, err}
	}()
	if _, err := subscribe(); err != nil {
		<-done
		return 0, err
	}
	res := <-done
	if res.err == nil && res.s.FirstFrameMS == 0 {
		res.err = errors.New("no frame within 4s")
	}
	return res.s.FirstFrameMS, res.err
}

// sample is the outcome of n starts: the times of those that showed a
// frame and how many did not.
type sample struct {
	ok     []float64
	failed int
	err    error // the last failure
}

func startsOf(n int, f func() (float64, error)) (sample, error) {
	var s sample
	for range n {
		v, err := f()
		if errors.Is(err, context.Canceled) {
			return s, err
		}
		if err != nil {
			s.failed++
			s.err = err
			continue
		}
		s.ok = append(s.ok, v)
	}
	if s.err != nil {
		logf("ttff: %d of %d starts failed; last: %v", s.failed, n, s.err)
	}
	return s, nil
}

// failed counts starts without a frame per player, for the note.
var failedStarts = map[string]map[string]int{}

func record(med, p95 Metric, player string, s sample) {
	sum := summarize(s.ok, s.failed)
	if sum.N > 0 {
		med.Values[player] = sum.Median
		p95.Values[player] = sum.P95
	}
	if s.failed > 0 {
		if failedStarts[med.Name] == nil {
			failedStarts[med.Name] = map[string]int{}
		}
		failedStarts[med.Name][player] = s.failed
	}
	logf("%s %s %s: median %.0f ms, p95 %.0f ms, %d ok, %d failed", med.Section, med.Name, player, sum.Median, sum.P95, sum.N, sum.Failed)
}

func failures(m Metric) string {
	var parts []string
	for _, p := range players {
		if n := failedStarts[m.Name][p]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d starts without a frame", p, n))
		}
	}
	return strings.Join(parts, "; ")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
