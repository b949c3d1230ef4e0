package headend

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/headend/internal/fakecat"
)

// bench100k is a head-end of 100,000 generated titles on 127.0.0.1 and a
// registered box's token, made once per test binary.
var bench100k = sync.OnceValues(func() (*benchServer, error) {
	store, err := catalog.New(nil, nil)
	if err != nil {
		return nil, err
	}
	if err := fakecat.Fill(context.Background(), store, 100_000, 1); err != nil {
		return nil, err
	}
	s, err := New(Config{Store: store, MediaDir: demoDir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	ts := httptest.NewServer(s.Handler())
	resp, err := http.Post(ts.URL+"/api/v1/devices", "application/json",
		strings.NewReader(`{"serial":"BENCH","model":"bench","firmware":"0"}`))
	if err != nil {
		return nil, err
	}
	var d struct{ Token string }
	err = jsonDecode(resp.Body, &d)
	resp.Body.Close()
	return &benchServer{url: ts.URL, token: d.Token}, err
})

type benchServer struct{ url, token string }

// cpuTime is the CPU time the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// load sends b.N GET requests made by path from workers goroutines, like
// boxes on the LAN would, and reports the 99th percentile of their
// latencies in milliseconds, the requests per second and the CPU time
// per request.
func load(b *testing.B, workers int, path func(r *rand.Rand) string) {
	s, err := bench100k()
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	jobs := make(chan string, workers)
	lat := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for p := range jobs {
				req, _ := http.NewRequest("GET", s.url+p, nil)
				req.Header.Set("Authorization", "Bearer "+s.token)
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[w] = append(lat[w], time.Since(start))
				if resp.StatusCode != 200 {
					b.Errorf("%s: %d", p, resp.StatusCode)
				}
			}
		})
	}
	r := rand.New(rand.NewPCG(7, 8))
	cpu0 := cpuTime()
	start := time.Now()
	b.ResetTimer()
	for b.Loop() {
		jobs <- path(r)
	}
	close(jobs)
	wg.Wait()
	took := time.Since(start)
	cpu := cpuTime() - cpu0
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p int) float64 { return float64(all[len(all)*p/1000].Microseconds()) / 1000 }
	b.ReportMetric(pct(500), "p50-ms")
	b.ReportMetric(pct(990), "p99-ms")
	b.ReportMetric(pct(999), "p99.9-ms")
	b.ReportMetric(float64(len(all))/took.Seconds(), "req/s")
	// CPU time per request, server and load generator together: what the
	// latency is made of when the machine is busy with other work.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(all)), "cpu-ms/req")
	client.CloseIdleConnections()
}

// BenchmarkSearch100k searches a catalogue of 100,000 titles as viewers
// type: the first 2 to 6 letters of a word of the names, in Korean,
// English or Russian, by a viewer of that language four times in five.
func BenchmarkSearch100k(b *testing.B) {
	words := fakecat.Vocabulary()
	langs := []string{"ko", "en", "ru"}
	load(b, runtime.GOMAXPROCS(0), func(r *rand.Rand) string {
		w := words[r.IntN(len(words))]
		runes := []rune(w.Text)
		q := string(runes[:min(len(runes), 2+r.IntN(5))])
		lang := w.Lang
		if r.IntN(5) == 0 {
			lang = langs[r.IntN(3)]
		}
		return "/api/v1/search?" + url.Values{"q": {q}, "lang": {lang}, "limit": {"20"}}.Encode()
	})
}

// BenchmarkTitlesPage100k pages through the categories of a catalogue of
// 100,000 titles.
func BenchmarkTitlesPage100k(b *testing.B) {
	load(b, runtime.GOMAXPROCS(0), func(r *rand.Rand) string {
		return fmt.Sprintf("/api/v1/titles?category=cat%02d&offset=%d&limit=50", r.IntN(fakecat.Categories), r.IntN(100)*50)
	})
}
