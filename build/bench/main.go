// Command bench measures Manbang beside mpv, ffplay and ffmpeg on the same
// inputs in the same run, and writes bench/results.md, bench/results.json
// and the plots. `make bench` runs it; see bench/results.md for how each
// figure is taken.
//
// Usage:
//
//	go run ./build/bench [-out bench] [-work DIR] [-starts 20] [-cpu-seconds 60] [-only decode,ttff,cpu,cpu/idle,ui,headend,headend/xmltv,media,media/open,media/list]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// config holds the flags of a run.
type config struct {
	out        string // results directory
	work       string // streams and binaries, kept between runs
	bin        string // directory of manbang and manbang-headend
	starts     int    // starts per player for time to first frame
	cpuSeconds int    // playing time per player for CPU and RSS
	repeats    int    // decode runs per player (the median counts)
	threads    int    // decoder threads, the same for every decoder
	only       map[string]bool
	notes      []string // added to the results
}

// want says whether to run section, or a step "section/step" of it:
// -only headend runs all of the head-end's steps, -only headend/xmltv
// that step alone.
func (c config) want(section string) bool {
	if len(c.only) == 0 || c.only[section] {
		return true
	}
	parent, _, sub := strings.Cut(section, "/")
	if sub {
		return c.only[parent]
	}
	for k := range c.only {
		if strings.HasPrefix(k, section+"/") {
			return true
		}
	}
	return false
}

func main() {
	var c config
	var only, prevPath string
	var render bool
	flag.BoolVar(&render, "render", false, "measure nothing: draw results.md and the plots again from results.json (with -note, and -prev)")
	flag.StringVar(&prevPath, "prev", "", "with -render: the `results.json` of an earlier run, to list the regressions against")
	flag.Func("note", "a `NOTE` for results.md, e.g. how the binaries were built (repeatable)", func(s string) error {
		c.notes = append(c.notes, s)
		return nil
	})
	flag.StringVar(&c.out, "out", "bench", "`DIR` for results.md, results.json and the plots")
	flag.StringVar(&c.work, "work", filepath.Join(os.TempDir(), "manbang-bench"), "`DIR` for the streams, kept between runs")
	flag.StringVar(&c.bin, "bin", "bin", "`DIR` of the built manbang and manbang-headend")
	flag.IntVar(&c.starts, "starts", 20, "starts per player and case for time to first frame")
	flag.IntVar(&c.cpuSeconds, "cpu-seconds", 60, "seconds each player plays for the CPU and RSS figures (a multiple of 20)")
	flag.IntVar(&c.repeats, "repeats", 7, "decode throughput runs per decoder, after one not counted")
	flag.IntVar(&c.threads, "threads", 0, "decoder threads for every decoder (0: the number of cores)")
	flag.StringVar(&only, "only", "", "comma-separated sections to run: decode, ttff, cpu, ui, headend, memory, media (BENCH_MEMORY=2m shortens its 10 min), or a step of one: cpu/play (each player playing 1080p30 on screen), cpu/idle (the box on an idle Home at 1080p for 30 s), headend/catalogue, headend/live, headend/xmltv, headend/coldstart, media/open (the stick's MP4, MKV and AVI from the box's browser to the first frame, beside mpv and ffplay), media/list (a folder of 10,000 files to its first screen) (default all). A partial run writes results.json and results.md with its figures only: give it another -out than the committed bench")
	flag.Parse()
	if only != "" {
		c.only = map[string]bool{}
		for _, s := range strings.Split(only, ",") {
			c.only[strings.TrimSpace(s)] = true
		}
	}
	if c.cpuSeconds < 20 {
		c.cpuSeconds = 20
	}
	c.cpuSeconds -= c.cpuSeconds % clipSeconds
	if render {
		if err := rerender(c.out, c.notes, prevPath); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(ctx context.Context, c config) error {
	if c.threads <= 0 {
		c.threads = numCPU()
	}
	for _, tool := range []string{"ffmpeg", "ffplay", "mpv", "Xvfb"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is needed (make deps installs it): %w", tool, err)
		}
	}
	for _, b := range []string{"manbang", "manbang-headend"} {
		if _, err := os.Stat(filepath.Join(c.bin, b)); err != nil {
			return fmt.Errorf("%s: build it first (make build): %w", b, err)
		}
	}
	res := &Results{Date: time.Now().UTC().Format(time.RFC3339), Machine: machine(ctx), Threads: c.threads, Notes: c.notes}
	if err := os.MkdirAll(c.work, 0o755); err != nil {
		return err
	}
	// The streams take minutes to make the first time: only the cases
	// that play them wait for them.
	var st streams
	if c.want("decode") || c.want("ttff") || c.want("cpu/play") || c.want("memory") {
		logf("preparing streams in %s", c.work)
		var err error
		if st, err = prepareStreams(ctx, c.work, c.cpuSeconds, logf); err != nil {
			return err
		}
	}
	x, err := startXvfb(ctx)
	if err != nil {
		return err
	}
	defer x.Close()
	sections := []struct {
		name string
		fn   func(context.Context, config, streams, *xvfb, *Results) error
	}{
		{"decode", benchDecode},
		{"ttff", benchTTFF},
		{"cpu", benchCPU},
		{"ui", benchUI},
		{"headend", benchHeadend},
		{"memory", benchMemory},
		{"media", benchMedia},
	}
	for _, s := range sections {
		if !c.want(s.name) {
			continue
		}
		logf("section %s", s.name)
		if err := s.fn(ctx, c, st, x, res); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// One section failing leaves the others' figures standing.
			res.Notes = append(res.Notes, fmt.Sprintf("section %s failed: %v", s.name, err))
			logf("section %s failed: %v", s.name, err)
		}
	}
	res.Machine.Load = append(res.Machine.Load, loadavg())
	return writeResults(c.out, res)
}
