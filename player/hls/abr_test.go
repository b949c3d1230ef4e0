package hls

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestABRChoose(t *testing.T) {
	vs := []variant{{uri: "low", bandwidth: 100_000}, {uri: "mid", bandwidth: 400_000}, {uri: "high", bandwidth: 1_000_000}, {uri: "audio", bandwidth: 50_000, audioOnly: true}}
	video := func(i int) bool { return !vs[i].audioOnly }
	tests := []struct {
		name    string
		samples []float64 // bits per second, ten seconds each
		cur     int
		buffer  time.Duration
		want    int
	}{
		{"no sample: stay", nil, 2, 0, 2},
		{"plenty: stay at the top", []float64{50e6}, 2, 0, 2},
		{"drop: down at once", []float64{600_000}, 2, 0, 1},
		{"drop below all: the lowest", []float64{10_000}, 2, 8 * time.Second, 0},
		{"slight drop, comfortable buffer: stay", []float64{1_100_000}, 2, 12 * time.Second, 2},
		{"slight drop, short buffer: down", []float64{1_100_000}, 2, 2 * time.Second, 1},
		{"rise with a short buffer: stay", []float64{50e6}, 0, time.Second, 0},
		{"rise with buffer: up", []float64{50e6}, 0, 2 * time.Second, 2},
		{"a rise is believed slowly", []float64{200_000, 5e6}, 0, 8 * time.Second, 1},
		{"a drop is believed at once", []float64{50e6, 50e6, 600_000}, 2, 8 * time.Second, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var a abr
			for _, bps := range tc.samples {
				a.sample(int(bps/8*10), 10*time.Second)
			}
			if got := a.choose(vs, video, tc.cur, tc.buffer, time.Second); got != tc.want {
				t.Errorf("choose = %s, want %s (estimate %.0f)", vs[got].uri, vs[tc.want].uri, a.estimate())
			}
		})
	}
	var a abr
	a.sample(100, time.Millisecond) // too small to measure
	if a.estimate() != 0 {
		t.Errorf("a tiny download was measured: %.0f", a.estimate())
	}
}

func TestBufferModel(t *testing.T) {
	var b bufferModel
	t0 := time.Unix(1000, 0)
	if b.now(t0) != 0 {
		t.Fatal("empty model has a buffer")
	}
	b.add(2*time.Second, t0)
	b.add(2*time.Second, t0.Add(500*time.Millisecond))
	if got := b.now(t0.Add(time.Second)); got != 3*time.Second {
		t.Errorf("buffer %v, want 3s", got)
	}
	if got := b.now(t0.Add(time.Minute)); got != 0 {
		t.Errorf("buffer %v after a long wait, want 0", got)
	}
}

// abrFixture makes three variants of the same 6-second clip in 1-second
// segments, and returns their directories from the lowest to the highest.
func abrFixture(t *testing.T) []string {
	return []string{
		hlsFixture(t, "abr0", "160x90", 1),
		hlsFixture(t, "abr1", "320x180", 1),
		hlsFixture(t, "abr2", "640x360", 1),
	}
}

// peakBandwidth is what a packager announces for a variant: the bit rate of
// its largest segment.
func peakBandwidth(t *testing.T, dir string) int {
	peak := 0
	for _, s := range segmentFiles(t, dir) {
		st, err := os.Stat(filepath.Join(dir, s))
		if err != nil {
			t.Fatal(err)
		}
		peak = max(peak, int(st.Size()*8)) // 1-second segments
	}
	return peak
}

// throttle serves files, sending the first segment requested at rate
// bits per second and everything after at full speed.
type throttle struct {
	files http.Handler
	dir   string
	rate  int

	mu       sync.Mutex
	segments int
}

func (th *throttle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, ".ts") {
		th.files.ServeHTTP(w, r)
		return
	}
	th.mu.Lock()
	th.segments++
	slow := th.segments == 1
	th.mu.Unlock()
	if !slow {
		th.files.ServeHTTP(w, r)
		return
	}
	body, err := os.ReadFile(filepath.Join(th.dir, filepath.FromSlash(r.URL.Path)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	start := time.Now()
	const chunk = 2048
	for off := 0; off < len(body); off += chunk {
		// Pace the body: this much may have gone out by now.
		due := start.Add(time.Duration(float64(off) * 8 / float64(th.rate) * float64(time.Second)))
		select {
		case <-time.After(time.Until(due)):
		case <-r.Context().Done():
			return
		}
		w.Write(body[off:min(off+chunk, len(body))])
		w.(http.Flusher).Flush()
	}
}

// The first segment arrives slowly: the reader switches down, then back up
// once the network is fast again, at segment boundaries.
func TestAdaptiveSwitching(t *testing.T) {
	dirs := abrFixture(t)
	root := filepath.Dir(dirs[0])
	bw := make([]int, len(dirs))
	var master strings.Builder
	master.WriteString("#EXTM3U\n")
	for i, d := range dirs {
		bw[i] = peakBandwidth(t, d)
		if i > 0 && bw[i] <= bw[i-1] {
			t.Fatalf("fixture bandwidths not increasing: %v", bw)
		}
		fmt.Fprintf(&master, "#EXT-X-STREAM-INF:BANDWIDTH=%d\n%s/index.m3u8\n", bw[i], filepath.Base(d))
	}
	if err := os.WriteFile(filepath.Join(root, "abr.m3u8"), []byte(master.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	th := &throttle{files: http.FileServer(http.Dir(root)), dir: root, rate: bw[2] * 2 / 3}
	srv := serve(t, th)
	r, err := Open(context.Background(), srv.URL+"/abr.m3u8", Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// A steady, comfortable buffer: the decisions rest on throughput alone.
	r.SetBufferLevel(func() time.Duration { return 8 * time.Second })
	got, err := readAll(t, r, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// Down to the middle variant (or the lowest, if the middle one does not
	// fit 0.8 of the throttled rate either), then up to the highest.
	down := 1
	if float64(bw[1]) > safetyFactor*float64(th.rate) {
		down = 0
	}
	segs := [3][]string{segmentFiles(t, dirs[0]), segmentFiles(t, dirs[1]), segmentFiles(t, dirs[2])}
	var want bytes.Buffer
	want.Write(concat(t, dirs[2], segs[2][0]))
	want.Write(concat(t, dirs[down], segs[down][1]))
	want.Write(concat(t, dirs[2], segs[2][2:]...))
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("read %d bytes, want the %d of high, %s, then high again", len(got), want.Len(), filepath.Base(dirs[down]))
	}
	st := r.Stats()
	if st.VariantSwitches != 2 || st.VariantBandwidth != bw[2] {
		t.Errorf("stats %+v, want 2 switches ending at %d bit/s", st, bw[2])
	}
	if ss := r.SourceStats(); ss.VariantSwitches != 2 || ss.VariantBandwidth != bw[2] {
		t.Errorf("source stats %+v", ss)
	}
}

// With Fixed, the slow start changes nothing.
func TestFixedVariant(t *testing.T) {
	dirs := abrFixture(t)
	root := filepath.Dir(dirs[0])
	body := fmt.Sprintf("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000\n%s/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=100000000\n%s/index.m3u8\n",
		filepath.Base(dirs[0]), filepath.Base(dirs[1]))
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(root)))
	mux.HandleFunc("/fixed.m3u8", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
	srv := serve(t, mux)
	r, err := Open(context.Background(), srv.URL+"/fixed.m3u8", Config{Fixed: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := readAll(t, r, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := concat(t, dirs[1], segmentFiles(t, dirs[1])...); !bytes.Equal(got, want) || r.Stats().VariantSwitches != 0 {
		t.Errorf("read %d bytes with %d switches; want the %d of the variant chosen at Open", len(got), r.Stats().VariantSwitches, len(want))
	}
}
