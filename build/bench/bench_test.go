package main

import (
	"testing"
)

func TestParseGoBench(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkStoreSearch100k-2   	    1234	   1925000 ns/op	        65.00 p99-ms	    5120 B/op	      40 allocs/op
BenchmarkSubscribers/500-2   	     301	  66000000 ns/op	       200.0 pacing-p99-ms	     19300 sends/s
BenchmarkBroken-2 --- FAIL
PASS
`)
	got := parseGoBench(out)
	if len(got) != 2 {
		t.Fatalf("got %d benchmarks, want 2: %+v", len(got), got)
	}
	for _, c := range []struct {
		i    int
		name string
		unit string
		want float64
	}{
		{0, "BenchmarkStoreSearch100k", "p99-ms", 65},
		{0, "BenchmarkStoreSearch100k", "ns/op", 1925000},
		{1, "BenchmarkSubscribers/500", "sends/s", 19300},
		{1, "BenchmarkSubscribers/500", "pacing-p99-ms", 200},
	} {
		if got[c.i].name != c.name || got[c.i].figures[c.unit] != c.want {
			t.Errorf("benchmark %d: %s %s = %v, want %s %v", c.i, got[c.i].name, c.unit, got[c.i].figures[c.unit], c.name, c.want)
		}
	}
}

func TestCompare(t *testing.T) {
	m := func(name, better string, v float64) Metric {
		return Metric{Section: "s", Name: name, Better: better, Values: map[string]float64{"manbang": v, "mpv": 1}}
	}
	prev := &Results{Metrics: []Metric{m("fps", "higher", 100), m("ms", "lower", 100), m("steady", "lower", 100), m("gone", "lower", 1)}}
	cur := &Results{Metrics: []Metric{m("fps", "higher", 85), m("ms", "lower", 115), m("steady", "lower", 109), m("new", "lower", 5)}}
	regs := compare(prev, cur)
	want := map[string]bool{"s/fps": true, "s/ms": true}
	if len(regs) != len(want) {
		t.Fatalf("regressions %+v, want %v", regs, want)
	}
	for _, r := range regs {
		if !want[r.Key] {
			t.Errorf("unexpected regression %+v", r)
		}
	}
}

func TestSummarize(t *testing.T) {
	for _, c := range []struct {
		xs          []float64
		median, p95 float64
	}{
		{[]float64{5}, 5, 5},
		{[]float64{3, 1, 2}, 2, 3},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100}, 11, 19},
		{nil, 0, 0},
	} {
		s := summarize(c.xs, 0)
		if s.Median != c.median || s.P95 != c.p95 {
			t.Errorf("summarize(%v) = %+v, want median %v p95 %v", c.xs, s, c.median, c.p95)
		}
	}
}

func TestParseCyclictest(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		want    schedLatency
		wantErr bool
	}{
		{"summary", "# /dev/cpu_dma_latency set to 0us\n# Histogram\n000000 000000\n# Total: 000002993\n# Min Latencies: 00011\n# Avg Latencies: 00019\n# Max Latencies: 06260\n# Histogram Overflows: 00001\n# Histogram Overflow at cycle number:\n# Thread 0: 02756\n",
			schedLatency{maxUS: 6260, overMS: 1, total: 2993, available: true}, false},
		{"killed before its summary", "# /dev/cpu_dma_latency set to 0us\n", schedLatency{available: true}, true},
		{"garbled number", "# Total: 12x\n# Max Latencies: 1\n# Histogram Overflows: 0\n", schedLatency{available: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCyclictest(tt.out)
			if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
				t.Errorf("parseCyclictest = %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
