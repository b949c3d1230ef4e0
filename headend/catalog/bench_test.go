package catalog_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/headend/internal/fakecat"
)

// bench100k is a store of 100,000 generated titles, made once and
// removed by TestMain.
var bench100k = sync.OnceValues(func() (*catalog.Store, error) {
	s, err := catalog.New(nil, nil)
	if err != nil {
		return nil, err
	}
	benchStore = s
	return s, fakecat.Fill(context.Background(), s, 100_000, 1)
})

var benchStore *catalog.Store

func TestMain(m *testing.M) {
	code := m.Run()
	if benchStore != nil {
		benchStore.Close()
	}
	os.Exit(code)
}

// reportP99 reports the 99th percentile of the latencies in ms.
func reportP99(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

func BenchmarkStoreSearch100k(b *testing.B) {
	s, err := bench100k()
	if err != nil {
		b.Fatal(err)
	}
	words := fakecat.Vocabulary()
	r := rand.New(rand.NewPCG(2, 3))
	ctx := context.Background()
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		w := words[r.IntN(len(words))]
		runes := []rune(w.Text)
		q := string(runes[:min(len(runes), 2+r.IntN(5))]) // as typed so far
		start := time.Now()
		if _, _, err := s.SearchPage(ctx, q, w.Lang, 0, 20); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportP99(b, lat)
}

func BenchmarkStoreSearchOneLetter100k(b *testing.B) {
	s, err := bench100k()
	if err != nil {
		b.Fatal(err)
	}
	words := fakecat.Vocabulary()
	r := rand.New(rand.NewPCG(2, 3))
	ctx := context.Background()
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		w := words[r.IntN(len(words))]
		start := time.Now()
		if _, _, err := s.SearchPage(ctx, string([]rune(w.Text)[:1]), w.Lang, 0, 20); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportP99(b, lat)
}

func BenchmarkStoreTitles100k(b *testing.B) {
	s, err := bench100k()
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(2, 3))
	ctx := context.Background()
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, _, err := s.Titles(ctx, "cat07", r.IntN(100)*50, 50); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportP99(b, lat)
}
