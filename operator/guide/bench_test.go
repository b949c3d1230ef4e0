package guide

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkImport100MB imports a generated XMLTV guide of 100 MB (about
// 200,000 programmes) from a file, and reports the time it takes and the
// process's peak resident memory during the import (VmHWM, reset before
// it). Run it alone: go test -run '^$' -bench Import100MB ./operator/guide
func BenchmarkImport100MB(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "guide.xml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	n, err := genGuide(f, 100<<20, 200, time.Now().Add(-24*time.Hour).Truncate(time.Hour))
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	var took, cpu time.Duration
	var peak int64
	for i := 0; b.Loop(); i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		x, err := Open(filepath.Join(dir, "index"+strconv.Itoa(i)+".db"))
		if err != nil {
			b.Fatal(err)
		}
		resetPeakRSS()
		start, cpu0 := time.Now(), cpuTime()
		st, err := x.Import(context.Background(), f, ImportOptions{})
		took += time.Since(start)
		cpu += cpuTime() - cpu0
		peak = max(peak, peakRSS())
		f.Close()
		x.Close()
		if err != nil || st.Programmes != n {
			b.Fatalf("imported %d of %d programmes: %v", st.Programmes, n, err)
		}
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "import-s")
	// Parsing and writing run on two goroutines: on a machine busy with
	// other work, the CPU time tells what the import needs.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "import-cpu-s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64(n), "programmes")
}

// cpuTime is the CPU time the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets the process's VmHWM (Linux 4.0 and later).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns the process's VmHWM in bytes, or 0.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := strings.CutPrefix(string(line), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
