//go:build faults

package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixture holds what every test shares: the binaries and the streams.
var fixture struct {
	bin     string // directory of manbang and manbang-headend
	liveTS  string // 360p30 H.264 + AAC, 1 s GOP, 6 s, for the live channel
	hlsDir  string // HLS VOD: master.m3u8 over a 360p and a 180p variant, 1 s segments
	tmp     string
	hlsSecs int
}

var report = &faultReport{}

func TestMain(m *testing.M) {
	flag.Parse()
	code, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
	if code == 0 {
		code = m.Run()
	}
	if path := os.Getenv("FAULTS_REPORT"); path != "" {
		if err := report.write(path); err != nil {
			fmt.Fprintln(os.Stderr, "faults: report:", err)
		}
	}
	os.RemoveAll(fixture.tmp)
	os.Exit(code)
}

// setup builds the binaries (unless FAULTS_BIN names a directory holding
// them) and makes the streams with the ffmpeg CLI.
func setup() (int, error) {
	tmp, err := os.MkdirTemp("", "manbang-faults-")
	if err != nil {
		return 1, err
	}
	fixture.tmp = tmp
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return 1, fmt.Errorf("the ffmpeg CLI is needed: %w", err)
	}
	fixture.bin = os.Getenv("FAULTS_BIN")
	if fixture.bin == "" {
		fixture.bin = filepath.Join(tmp, "bin")
		cmd := exec.Command("go", "build", "-tags", "gles2", "-o", fixture.bin+"/", "github.com/manbang/manbang/cmd/manbang", "github.com/manbang/manbang/cmd/manbang-headend")
		if out, err := cmd.CombinedOutput(); err != nil {
			return 1, fmt.Errorf("build: %w\n%s", err, out)
		}
	}
	fixture.liveTS = filepath.Join(tmp, "live.ts")
	fixture.hlsDir = filepath.Join(tmp, "hls")
	fixture.hlsSecs = 8
	src := func(secs int) []string {
		return []string{"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=640x360:rate=30:duration=%d", secs),
			"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:sample_rate=48000:duration=%d", secs)}
	}
	enc := []string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k"}
	jobs := [][]string{
		append(append(src(6), enc...), "-b:v", "1500k", "-f", "mpegts", fixture.liveTS),
	}
	for _, v := range []struct {
		name, size string
		kbps       int
	}{{"hi", "640x360", 1500}, {"lo", "320x180", 300}} {
		dir := filepath.Join(fixture.hlsDir, v.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 1, err
		}
		args := append(src(fixture.hlsSecs), enc...)
		args = append(args, "-s", v.size, "-b:v", fmt.Sprintf("%dk", v.kbps), "-maxrate", fmt.Sprintf("%dk", v.kbps), "-bufsize", fmt.Sprintf("%dk", v.kbps),
			"-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-hls_segment_filename", filepath.Join(dir, "s%02d.ts"), filepath.Join(dir, "index.m3u8"))
		jobs = append(jobs, args)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(jobs))
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := exec.Command("ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-y"}, j...)...).CombinedOutput()
			if err != nil {
				errs[i] = fmt.Errorf("ffmpeg %v: %w\n%s", j, err, out)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return 1, err
		}
	}
	master := "#EXTM3U\n#EXT-X-VERSION:3\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=1700000,RESOLUTION=640x360\nhi/index.m3u8\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=450000,RESOLUTION=320x180\nlo/index.m3u8\n"
	return 0, os.WriteFile(filepath.Join(fixture.hlsDir, "master.m3u8"), []byte(master), 0o644)
}

// stats is the part of `manbang play --json` the suite reads.
type stats struct {
	FirstFrameMS     float64 `json:"first_frame_ms"`
	VideoFrames      int     `json:"video_frames"`
	PresentedFrames  int     `json:"presented_frames"`
	DroppedFrames    int     `json:"dropped_frames"`
	DecodeErrors     int     `json:"decode_errors"`
	ContinuityErrors int     `json:"continuity_errors"`
	PacketsLost      int     `json:"packets_lost"`
	PacketsRecovered int     `json:"packets_recovered"`
	PacketsForeign   int     `json:"packets_foreign"`
	VariantSwitches  int     `json:"variant_switches"`
	PositionMS       float64 `json:"position_ms"`
	AudioMS          float64 `json:"audio_ms"`
}

// played is the outcome of one `manbang play --headless --json`.
type played struct {
	stats  stats
	exitOK bool
	stderr string
	wall   time.Duration
}

// play runs the headless player on locator with args and waits for it,
// at most for limit.
func play(t *testing.T, limit time.Duration, locator string, args ...string) played {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	if lvl := os.Getenv("FAULTS_LOG"); lvl != "" {
		// The last --log-level wins: FAULTS_LOG=debug shows what the box did.
		args = append(args, "--log-level", lvl)
	}
	cmd := exec.CommandContext(ctx, filepath.Join(fixture.bin, "manbang"), append(append([]string{"play", "--headless", "--json"}, args...), locator)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	p := played{exitOK: err == nil, stderr: errb.String(), wall: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("manbang play %s did not end within %v", locator, limit)
	}
	checkNoPanic(t, p.stderr)
	if os.Getenv("FAULTS_LOG") != "" {
		t.Logf("manbang play %s:\n%s", locator, p.stderr)
	}
	if jerr := json.Unmarshal(out.Bytes(), &p.stats); jerr != nil && p.exitOK {
		t.Fatalf("manbang play %s: no statistics (%v); exit %v; stderr:\n%s", locator, jerr, err, p.stderr)
	}
	return p
}

// checkNoPanic fails the test when a Go panic or a fatal runtime error is
// in a process's output: bad input must never crash the box.
func checkNoPanic(t *testing.T, stderr string) {
	t.Helper()
	for _, s := range []string{"panic:", "fatal error:", "SIGSEGV"} {
		if strings.Contains(stderr, s) {
			t.Fatalf("the process crashed:\n%s", stderr)
		}
	}
}

// faultReport collects a row per case for FAULTS_REPORT (Markdown).
type faultReport struct {
	mu   sync.Mutex
	rows map[string][]string // by table
}

func (r *faultReport) add(table string, cells ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rows == nil {
		r.rows = map[string][]string{}
	}
	var b strings.Builder
	b.WriteString("|")
	for _, c := range cells {
		fmt.Fprintf(&b, " %v |", c)
	}
	r.rows[table] = append(r.rows[table], b.String())
}

// tableHeads are the Markdown heads of the report's tables.
var tableHeads = map[string]string{
	"rtp":      "| case | result | criterion | decode errors | continuity errors | packets lost | recovered | frames presented / expected | s not shown beyond the fault (start + recovery) | relay dropped / duplicated / reordered |\n|---|---|---|---:|---:|---:|---:|---|---:|---|",
	"hls":      "| case | result | criterion | decode errors | continuity errors | variant switches | frames decoded / presented / expected | server: cut / refused / stalled / resumed (Range) |\n|---|---|---|---:|---:|---:|---|---|",
	"server":   "| case | result | detail |\n|---|---|---|",
	"state":    "| case | result | detail |\n|---|---|---|",
	"soak":     "| case | result | detail |\n|---|---|---|",
	"security": "| case | result | detail |\n|---|---|---|",
}

func (r *faultReport) write(path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "# Fault suite results\n\nMade by `make faults` (build/faults) on %s, %s/%s, %d cores.\n",
		time.Now().UTC().Format(time.RFC3339), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	b.WriteString("Network faults come from a userspace relay on loopback (no netem qdisc in this kernel).\n")
	names := make([]string, 0, len(r.rows))
	for n := range r.rows {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n%s\n", n, tableHeads[n], strings.Join(r.rows[n], "\n"))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func verdict(ok bool) string {
	if ok {
		return "pass"
	}
	return "**FAIL**"
}
