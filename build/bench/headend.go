package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// benchHeadend measures the head-end: the catalogue's reads in the store
// and through the HTTP API at 100,000 titles, the live engine's fan-out,
// an XMLTV import, and the box's cold start from its catalogue cache
// while the head-end is slow to answer.
func benchHeadend(ctx context.Context, c config, _ streams, x *xvfb, r *Results) error {
	steps := []struct {
		name string
		fn   func(context.Context, config, *Results) error
	}{
		{"catalogue", benchCatalogue},
		{"live", benchLiveFanOut},
		{"xmltv", benchXMLTVImport},
		{"coldstart", func(ctx context.Context, c config, r *Results) error { return benchWarmStart(ctx, c, x, r) }},
	}
	var failed []error
	for _, s := range steps {
		if !c.want("headend/" + s.name) {
			continue
		}
		logf("headend: %s", s.name)
		if err := s.fn(ctx, c, r); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed = append(failed, fmt.Errorf("%s: %w", s.name, err))
		}
	}
	return errors.Join(failed...)
}

// benchCatalogue runs the catalogue's Go benchmarks: the store alone
// (headend/catalog) and through the HTTP API on loopback with a Go load
// generator of as many workers as cores (headend).
func benchCatalogue(ctx context.Context, c config, r *Results) error {
	bs, _, err := runGoBench(ctx, c, "./headend/catalog", "BenchmarkStore(Search|Titles)", "2s", "")
	if err != nil {
		return err
	}
	names := map[string]string{
		"BenchmarkStoreSearch100k":          "store search p99 (2-6 letters), 100,000 titles",
		"BenchmarkStoreSearchOneLetter100k": "store search p99 (one letter), 100,000 titles",
		"BenchmarkStoreTitles100k":          "store titles page p99 (50 titles), 100,000 titles",
	}
	for _, b := range bs {
		if v, ok := b.figures["p99-ms"]; ok && names[b.name] != "" {
			r.add(Metric{Section: "headend", Name: names[b.name], Unit: "ms", Better: "lower",
				Values: map[string]float64{"manbang": v}, Note: fmt.Sprintf("%s; mean %.2f ms", b.name, b.figures["ns/op"]/1e6)})
		}
	}
	bs, _, err = runGoBench(ctx, c, "./headend", "Benchmark(Search|TitlesPage)100k$", "3000x", "")
	if err != nil {
		return err
	}
	api := map[string]string{
		"BenchmarkSearch100k":     "API search p99 (HTTP, loopback), 100,000 titles",
		"BenchmarkTitlesPage100k": "API titles page p99 (HTTP, loopback), 100,000 titles",
	}
	for _, b := range bs {
		if v, ok := b.figures["p99-ms"]; ok && api[b.name] != "" {
			r.add(Metric{Section: "headend", Name: api[b.name], Unit: "ms", Better: "lower",
				Values: map[string]float64{"manbang": v},
				Note: fmt.Sprintf("%s; p50 %.2f ms, p99.9 %.2f ms; %.0f req/s, %.2f CPU-ms/req (server and load generator)",
					b.name, b.figures["p50-ms"], b.figures["p99.9-ms"], b.figures["req/s"], b.figures["cpu-ms/req"])})
		}
	}
	return nil
}

// benchLiveFanOut runs the live engine's fan-out benchmark: one channel,
// padded to a constant 2 or 6 Mbit/s, to 100 and 500 unicast subscribers
// on loopback, 1,000 datagrams each.
//
// cyclictest measures the machine's own scheduling latency beside each
// case, at a real-time priority just under the engine's sending threads:
// a machine (a virtual one whose host is busy) that wakes its threads
// late paces late, whatever the engine does. (A case the engine cannot
// keep up with starves it too, up to the 50ms a sending thread may stay
// busy at real-time priority.)
func benchLiveFanOut(ctx context.Context, c config, r *Results) error {
	var bs []goBench
	lats := map[string]schedLatency{} // by case: "2M/500"
	for _, rate := range []string{"2M", "6M"} {
		for _, subs := range []string{"100", "500"} {
			name := rate + "/" + subs
			var got []goBench
			lat, err := withSchedLatency(ctx, 9, func() error {
				var err error
				got, _, err = runGoBench(ctx, c, "./headend/live", "BenchmarkSubscribers/"+name+"$", "1000x", "")
				return err
			})
			if err != nil {
				return err
			}
			logf("headend: live %s: %s", name, lat)
			bs, lats[name] = append(bs, got...), lat
		}
	}
	streamRate := map[string]float64{"2M": 2e6 / 8 / 1316, "6M": 6e6 / 8 / 1316} // datagrams/s of 1,316-byte payloads
	for _, b := range bs {
		parts := strings.Split(strings.TrimPrefix(b.name, "BenchmarkSubscribers/"), "/")
		if len(parts) != 2 {
			continue
		}
		rate, subs := parts[0], parts[1]
		what := fmt.Sprintf("live fan-out, %sbit/s channel to %s unicast subscribers", rate, subs)
		f := b.figures
		behind := ""
		if want := streamRate[rate]; f["datagrams/s"] < 0.98*want {
			behind = fmt.Sprintf("; FELL BEHIND: %.0f of %.0f datagrams/s (one core cannot keep up)", f["datagrams/s"], want)
		}
		r.add(Metric{Section: "headend", Name: what + ": pacing jitter p99", Unit: "ms", Better: "lower",
			Values: map[string]float64{"manbang": f["jitter-p99-ms"]},
			Note: fmt.Sprintf("offset minus the destination's median offset; max %.2f ms; %.0f sends/s, %.0f dropped, %.0f lost%s",
				f["jitter-max-ms"], f["sends/s"], f["dropped"], f["lost"], behind)})
		r.add(Metric{Section: "headend", Name: what + ": pacing jitter max", Unit: "ms", Better: "lower",
			Values: map[string]float64{"manbang": f["jitter-max-ms"]},
			Note:   "the figure held to 1 ms: offset minus the destination's median offset; " + lats[rate+"/"+subs].String()})
		r.add(Metric{Section: "headend", Name: what + ": absolute offset p99", Unit: "ms", Better: "lower",
			Values: map[string]float64{"manbang": f["pacing-p99-ms"]},
			Note: fmt.Sprintf("|send - PCR schedule|; p50 %.2f ms, max %.2f ms; first slots %.2f ms early (the fan-out is spread around the schedule)",
				f["pacing-p50-ms"], f["pacing-max-ms"], f["lead-ms"])})
		r.add(Metric{Section: "headend", Name: what + ": absolute offset max", Unit: "ms", Better: "lower",
			Values: map[string]float64{"manbang": f["pacing-max-ms"]}, Note: "percentiles stop at 200 ms (200 = 200 or more); the max does not"})
		if subs == "500" && f["engine-cores"] > 0 {
			// Sends per engine CPU-second over the stream's datagram
			// rate: right also when the engine fell behind.
			perCore := f["sends/s"] / f["engine-cores"]
			r.add(Metric{Section: "headend", Name: fmt.Sprintf("live RTP subscribers per core (%sbit/s channel)", rate), Unit: "subscribers", Better: "higher",
				Values: map[string]float64{"manbang": perCore / streamRate[rate]},
				Note: fmt.Sprintf("%.0f sends per engine CPU-second (the process minus the receivers' thread; loopback delivery included) over %.0f datagrams/s",
					perCore, streamRate[rate])})
		}
	}
	return nil
}

// XMLTV guide generated for the import figure.
const (
	guideChannels = 200
	guideBytes    = 100 << 20
)

// benchXMLTVImport imports a generated 100 MB XMLTV guide into a
// catalogue of its channels with `manbang-headend import-epg`, and
// reports the wall time and the peak RSS of the process.
func benchXMLTVImport(ctx context.Context, c config, r *Results) error {
	guide := filepath.Join(c.work, "guide-100MB.xml")
	if st, err := os.Stat(guide); err != nil || st.Size() < guideBytes {
		logf("headend: writing %s", guide)
		if err := writeGuide(guide, guideChannels, guideBytes); err != nil {
			return err
		}
	}
	data := filepath.Join(c.work, "epg-data")
	if err := os.RemoveAll(data); err != nil {
		return err
	}
	if err := makeGuideCatalogue(data, guideChannels); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "manbang-headend"), "import-epg", "--data", data, guide)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		return fmt.Errorf("import-epg: %w: %s", err, tail(string(out)))
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		return errors.New("import-epg: no resource usage")
	}
	st, _ := os.Stat(guide)
	note := fmt.Sprintf("%.0f MB, %d channels; %s", float64(st.Size())/1e6, guideChannels, strings.TrimSpace(lastLine(string(out))))
	r.add(Metric{Section: "headend", Name: "XMLTV import of a 100 MB guide: time", Unit: "s", Better: "lower",
		Values: map[string]float64{"manbang": took.Seconds()}, Note: note})
	r.add(Metric{Section: "headend", Name: "XMLTV import of a 100 MB guide: peak RSS", Unit: "MiB", Better: "lower",
		Values: map[string]float64{"manbang": float64(ru.Maxrss) / 1024}, Note: "ru_maxrss of manbang-headend import-epg"})
	return nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
