package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// players in the order of the results table's columns.
var players = []string{"manbang", "ffmpeg", "mpv", "ffplay"}

// Metric is one figure of the run: Manbang's value and the peers' on the
// same input.
type Metric struct {
	Section string             `json:"section"`
	Name    string             `json:"name"`
	Unit    string             `json:"unit"`
	Better  string             `json:"better"` // "higher" or "lower"
	Values  map[string]float64 `json:"values"` // by player
	Note    string             `json:"note,omitempty"`
}

// Key names the metric across runs.
func (m Metric) Key() string { return m.Section + "/" + m.Name }

// Ratios are Manbang's value divided by each peer's.
func (m Metric) Ratios() map[string]float64 {
	r := map[string]float64{}
	mb, ok := m.Values["manbang"]
	if !ok {
		return r
	}
	for p, v := range m.Values {
		if p != "manbang" && v > 0 {
			r[p] = mb / v
		}
	}
	return r
}

// Results is one run, as kept in results.json.
type Results struct {
	Date    string   `json:"date"`
	Machine Machine  `json:"machine"`
	Threads int      `json:"threads"`
	Metrics []Metric `json:"metrics"`
	Notes   []string `json:"notes,omitempty"`
	// Series are samples over time for the plots (RSS while playing).
	Series map[string][]float64 `json:"series,omitempty"`
}

func (r *Results) add(m Metric) { r.Metrics = append(r.Metrics, m) }

// regression is a figure of Manbang's that got worse than the previous
// run by more than the threshold.
type regression struct {
	Key       string
	Old, New  float64
	ChangePct float64
}

const regressionThreshold = 0.10

// compare finds Manbang's figures worse than prev's by more than 10%.
func compare(prev, cur *Results) []regression {
	old := map[string]Metric{}
	for _, m := range prev.Metrics {
		old[m.Key()] = m
	}
	var regs []regression
	for _, m := range cur.Metrics {
		o, ok := old[m.Key()]
		if !ok {
			continue
		}
		ov, ok1 := o.Values["manbang"]
		nv, ok2 := m.Values["manbang"]
		if !ok1 || !ok2 || ov == 0 {
			continue
		}
		change := (nv - ov) / math.Abs(ov)
		if m.Better == "higher" {
			change = -change
		}
		if change > regressionThreshold {
			regs = append(regs, regression{m.Key(), ov, nv, 100 * change})
		}
	}
	return regs
}

// writeResults writes results.json (after comparing with the one there),
// results.md and the plots.
func writeResults(dir string, r *Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	jsonPath := filepath.Join(dir, "results.json")
	var regs []regression
	var prevDate string
	if prev, err := readResults(jsonPath); err == nil {
		regs, prevDate = compare(prev, r), prev.Date
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("previous run: %w", err)
	}
	plots, err := writePlots(dir, r)
	if err != nil {
		r.Notes = append(r.Notes, "plots: "+err.Error())
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(jsonPath, append(b, '\n'), 0o644); err != nil {
		return err
	}
	md := markdown(r, regs, prevDate, plots)
	if err := os.WriteFile(filepath.Join(dir, "results.md"), []byte(md), 0o644); err != nil {
		return err
	}
	for _, g := range regs {
		fmt.Fprintf(os.Stderr, "REGRESSION %s: %.4g -> %.4g (%.0f%% worse)\n", g.Key, g.Old, g.New, g.ChangePct)
	}
	logf("wrote %s", filepath.Join(dir, "results.md"))
	return nil
}

// rerender draws results.md and the plots again from results.json, with
// notes added, and the regressions against the earlier run prevPath
// unless it is empty (the run is not compared with itself).
func rerender(dir string, notes []string, prevPath string) error {
	path := filepath.Join(dir, "results.json")
	r, err := readResults(path)
	if err != nil {
		return err
	}
	var regs []regression
	var prevDate string
	if prevPath != "" {
		prev, err := readResults(prevPath)
		if err != nil {
			return err
		}
		regs, prevDate = compare(prev, r), prev.Date
	}
	r.Notes = append(r.Notes, notes...)
	plots, err := writePlots(dir, r)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "results.md"), []byte(markdown(r, regs, prevDate, plots)), 0o644)
}

// readResults reads a run's results.json.
func readResults(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

func markdown(r *Results, regs []regression, prevDate string, plots []string) string {
	var b strings.Builder
	m := r.Machine
	fmt.Fprintf(&b, "# Manbang beside mpv, ffplay and ffmpeg\n\n")
	fmt.Fprintf(&b, "Made by `make bench` (build/bench) on %s.\n\n", r.Date)
	fmt.Fprintf(&b, "- Machine: %s, %d cores, %d MiB memory, %s\n", m.CPU, m.Cores, m.MemoryMB, m.Kernel)
	fmt.Fprintf(&b, "- Load average (1, 5, 15 min) at start and end: %s. The machine is shared: absolute figures move with\n  the load; the ratios, taken in the same run on the same input, are what to read.\n", strings.Join(m.Load, " / "))
	keys := make([]string, 0, len(m.Versions))
	for k := range m.Versions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "- %s: %s\n", k, m.Versions[k])
	}
	fmt.Fprintf(&b, "- Decoder threads for every decoder: %d\n\n", r.Threads)
	b.WriteString("The fault suite's results (`make faults`) are in [faults.md](faults.md).\n\n")
	if prevDate != "" {
		if len(regs) == 0 {
			fmt.Fprintf(&b, "Compared with the previous run (%s): no figure of Manbang's is more than 10%% worse.\n\n", prevDate)
		} else {
			fmt.Fprintf(&b, "## Regressions against the previous run (%s), over 10%%\n\n| figure | before | now | worse by |\n|---|---:|---:|---:|\n", prevDate)
			for _, g := range regs {
				fmt.Fprintf(&b, "| %s | %.4g | %.4g | %.0f%% |\n", g.Key, g.Old, g.New, g.ChangePct)
			}
			b.WriteString("\n")
		}
	}
	section := ""
	for _, mt := range r.Metrics {
		if mt.Section != section {
			section = mt.Section
			fmt.Fprintf(&b, "\n## %s\n\n", sectionTitles[section])
			b.WriteString("| figure | unit | better | manbang | ffmpeg | mpv | ffplay | manbang ÷ peer | note |\n|---|---|---|---:|---:|---:|---:|---|---|\n")
		}
		fmt.Fprintf(&b, "| %s | %s | %s |", mt.Name, mt.Unit, mt.Better)
		for _, p := range players {
			if v, ok := mt.Values[p]; ok {
				fmt.Fprintf(&b, " %s |", num(v))
			} else {
				b.WriteString(" – |")
			}
		}
		var rs []string
		ratios := mt.Ratios()
		for _, p := range players[1:] {
			if v, ok := ratios[p]; ok {
				rs = append(rs, fmt.Sprintf("%.2fx %s", v, p))
			}
		}
		fmt.Fprintf(&b, " %s | %s |\n", strings.Join(rs, ", "), mt.Note)
	}
	if len(plots) > 0 {
		b.WriteString("\n## Plots\n\n")
		for _, p := range plots {
			fmt.Fprintf(&b, "![%s](%s)\n\n", strings.TrimSuffix(p, ".png"), p)
		}
	}
	b.WriteString("\n## How each figure is taken\n\n")
	b.WriteString(methods)
	if len(r.Notes) > 0 {
		b.WriteString("\n## Notes of this run\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}

func num(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

var sectionTitles = map[string]string{
	"decode":  "Decode throughput (1080p30, headless, as fast as possible)",
	"ttff":    "Time to first frame",
	"cpu":     "CPU and memory on screen (Xvfb + Mesa llvmpipe): playing 1080p30, and an idle Home at 1080p",
	"ui":      "UI",
	"headend": "Head-end",
	"memory":  "Memory while playing 1080p30 headless in real time (VmRSS)",
	"media":   "The viewer's media: a stick's files opened from the browser, a folder of 10,000 files listed",
}

const methods = `- **Streams** are made by the harness with the ffmpeg CLI: a 20 s 1080p30 test pattern (testsrc2) with a 440 Hz tone,
  as H.264 (libx264 veryfast, 6 Mbit/s) and HEVC (libx265 ultrafast, 4 Mbit/s), 2 s GOP, AAC audio, MPEG-TS; an HLS VOD
  ladder of it (1080p 6 Mbit/s, 720p 3 Mbit/s, 480p 1.2 Mbit/s, 2 s segments); and the H.264 clip looped for the CPU runs.
  The live channel is the H.264 clip looped by the head-end's live engine (headend/live) over RTP on loopback.
- **Decode throughput**: ` + "`manbang play --headless --fast --json --threads N FILE`" + ` and
  ` + "`ffmpeg -threads N -i FILE -f null -`" + ` with the same N; decoded video frames (manbang: video_frames of its JSON;
  ffmpeg: the last frame= of its progress line) over the wall time of the process, measured by the harness for both.
  Both decode the audio too. After one pair of runs not counted (it brings the programs into the page cache), median of
  7 runs each, which alternate which of the two runs first; the note adds the median of each pair's ratio, which the
  machine's load moves less.
- **Time to first frame, HLS VOD**: the ladder's master playlist from a loopback HTTP server. manbang: first_frame_ms of
  its JSON (from player.Open to the first frame presented). mpv (` + "`--vo=null --ao=null -v --msg-time`" + `): the time
  between its log line opening the URL and its "first video frame" / "playback restart complete" line, by its own clock.
  ffplay (under Xvfb, ` + "`-vf showinfo -loglevel debug`" + `): between its first log line about the URL and the first
  showinfo line (the first decoded frame), as the lines reach the harness. Each player's first frame counts from its own
  opening of the stream, so the process start-up of none of them is in the figure.
- **Time to first frame, RTP live (channel change)**: the player is started on a free loopback port; the harness waits
  until the port is bound (/proc/net/udp), then subscribes the port to the channel on the live engine, with or without
  fast channel change (FCC: a burst from the last key frame). mpv and ffplay: from the subscription to the first-frame line
  (harness clock). manbang: first_frame_ms, which counts from player.Open, a few milliseconds before the subscription.
- **CPU and peak RSS**: each player plays the looped 1080p30 H.264 clip in a 1280x720 window on Xvfb (Mesa llvmpipe,
  software GL): ` + "`manbang play FILE`" + `, ` + "`mpv --hwdec=no --ao=null --geometry=1280x720`" + `,
  ` + "`ffplay -x 1280 -y 720`" + `. CPU is (utime+stime) from /proc/PID/stat over the wall time (100% = one core);
  peak RSS is VmHWM from /proc/PID/status before the player is stopped.
- **CPU on an idle Home** (` + "`-only cpu/idle`" + `): a new box (empty state and cache) in a 1920x1080 window on the same
  1920x1080 Xvfb, against the demo head-end with all its titles and live channels on loopback, through a proxy of the
  harness that counts the requests. Once the control endpoint says Home is ready with its rows and no request has
  reached the head-end for 3 s (the posters are in), nothing is asked of the box for 30 s. CPU is (utime+stime) from
  /proc/PID/stat over those 30 s, of the box and, on its own row, of Xvfb (which receives each picture software GL
  presents); the target for the box is under 2% of one core. **Pictures drawn** are what reached the screen in those
  30 s: the harness is an X client of the DAMAGE extension on the root window (raw rectangles, as x11vnc watches a
  screen), and drawing operations less than 5 ms apart count as one picture. The note beside them gives the render
  loop's turns over the same seconds (the control endpoint's ` + "`frames`" + `, which counts every turn, drawn or not).
- **Memory while playing**: ` + "`manbang play --headless FILE`" + ` (paced in real time, no window, no sound device) and
  ` + "`mpv --hwdec=no --vo=null --ao=null FILE`" + ` play the looped 1080p30 H.264 clip side by side for 10 minutes
  (BENCH_MEMORY shortens it); VmRSS of each is sampled every 5 s. Peak is the largest sample; growth is the mean of the
  last minute's samples over the first minute's.
- **UI**: the UI's Go benchmarks (ui/...) under Xvfb, and cold start to an interactive Home measured through the control
  endpoint (from the process start until GET /api/v1/state says Home is ready) against a head-end on loopback, each start
  a new box with empty state and cache directories.
- **Head-end**: the catalogue's reads at 100,000 generated titles, in the store (headend/catalog) and through the HTTP
  API on loopback with a Go load generator of one worker per core (headend: p99 of the request latencies of 3,000
  requests of random pages, about half of them first asked, so read from the store, the rest from the head-end's answer
  cache, which every catalogue write empties). Live fan-out
  (headend/live BenchmarkSubscribers): one channel padded with null packets to a constant 2 or 6 Mbit/s (190 or 570
  datagrams/s of 1,316 bytes), sent to 100 or 500 unicast subscribers on loopback, each datagram in one fan-out
  spread over a window centred on its schedule (12 µs a destination, at most the interval between datagrams), in
  slots of 32 destinations, each one sendmmsg call, every subscriber keeping its place and so its slot, from the
  channel's own sending thread, outside Go's scheduler, at SCHED_FIFO 10 (headend/live/paced; the bench runs as root;
  the channel's goroutine hands it the slots 10-20 ms ahead; sender reports go in the same slots); a datagram's
  **offset** at a destination = the time the sendmmsg call carrying it returned (an upper bound of its send time) minus
  the time its PCR schedules it. **Pacing jitter** (the figure held to 1 ms) = that offset minus the destination's
  median offset, as TR 101 290's PCR overall jitter counts only the variation against the PCR schedule (a receiver's
  clock recovery locks to a constant offset); p99 and max over 1,000 datagrams and every destination (50 µs buckets,
  rounded up). Beside it, the **absolute offset** |offset|, p99 and max: up to half the window by construction (a
  destination's constant part). While the fan-out benchmarks run, cyclictest (Debian's rt-tests: one thread at
  SCHED_FIFO 9, just under the sending threads, waking every 1 ms) measures the machine's own scheduling latency, given
  in the note of each jitter max: a thread the machine wakes late sends late. Subscribers per core = sends per CPU-second of the benchmark
  process minus its receivers' thread, over the stream's datagram rate. XMLTV: ` + "`manbang-headend import-epg`" + ` of a generated 100 MB guide (200 channels, half-hour
  programmes, Korean and English titles and descriptions) into a catalogue of its channels; wall time and ru_maxrss.
  Warm cold start: ` + "`manbang`" + ` under Xvfb, started once against the head-end to fill its catalogue cache, then
  five times through a loopback proxy that holds every /api/ answer for 2 s: from the process start to the control
  endpoint's Home ready, beside when the first API answer left the proxy.
- **The viewer's media** (` + "`-only media`" + `): the stick is a folder of the work directory, bind-mounted
  (` + "`mount --bind`" + `; the bench runs as root) on BENCH below the box's ` + "`--media`" + ` root, as an automounter mounts a
  stick below /media, and unmounted after. On it, made by the ffmpeg CLI: a 30 s 1080p30 test pattern with a tone as
  MKV (libx264 veryfast, 6 Mbit/s, 2 s GOP, AAC), the same streams remuxed to MP4 (moov first), and AVI (mpeg4 tagged
  XVID, q 4, MP3); and a folder of 10,000 files, 9,000 episodes ("Ep 0001.mp4"..., hard links of one 2 s 320x180
  clip) and 1,000 photos ("IMG_0001.jpg"..., of one 1600x1200 JPEG). One box (against the head-end with a few titles,
  under Xvfb) is driven through the control endpoint: Home's media row, OK on the stick, then in its browser.
  **Open** (` + "`media/open`" + `): the file focused, from the OK key sent to the first state of the Player screen
  with the file's stats.presented_frames ≥ 1 (the state is polled every millisecond; the key's HTTP round trip is in
  the figure), then Back to the browser, as many times as -starts, after a first open of the MP4 given on a row of its
  own (the first file a box plays since it started sets up what later ones reuse); mpv and ffplay open the same path as for time to
  first frame (mpv: from its [file] line opening the path, before probing; ffplay: from its "Opening ... for
  reading"), so their process start-up is not in their figures. **List** (` + "`media/list`" + `): from OK on the folder
  to the browser's first state with the folder listed and entries on screen, then Back, as many times as -starts; the
  target is under 300 ms (the median); the folder is in the kernel's caches after the first listing, as a stick is
  after its first. With thumbnails, when the browser's state reports ` + "`visible`" + ` (entries on screen) and
  ` + "`thumbs_ready`" + ` (of those, with their thumbnail shown): to the first state with all of them shown; a browser
  without them gives no figure. mpv and ffplay have no browser: the list figures have no peer.
`

func numCPU() int {
	n := 0
	if b, err := os.ReadFile("/sys/fs/cgroup/cpu.max"); err == nil {
		var quota, period int
		if c, _ := fmt.Sscanf(string(b), "%d %d", &quota, &period); c == 2 && period > 0 {
			n = quota / period
		}
	}
	if n <= 0 {
		n = defaultCPUs()
	}
	return n
}
