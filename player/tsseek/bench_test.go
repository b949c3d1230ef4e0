package tsseek

import (
	"bytes"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/manbang/manbang/player/demux"
)

// countingAt counts the reads an index makes: over HTTP, each is a
// request.
type countingAt struct {
	r            *bytes.Reader
	reads, bytes atomic.Int64
}

func (c *countingAt) ReadAt(p []byte, off int64) (int, error) {
	c.reads.Add(1)
	c.bytes.Add(int64(len(p)))
	return c.r.ReadAt(p, off)
}

func benchClip(b *testing.B) *countingAt {
	file, err := os.ReadFile(clip(b, false))
	if err != nil {
		b.Fatal(err)
	}
	return &countingAt{r: bytes.NewReader(file)}
}

func BenchmarkOpen(b *testing.B) {
	r := benchClip(b)
	for b.Loop() {
		if _, err := Open(r, r.r.Size(), Config{IsKeyframe: demux.IsKeyframe}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(r.reads.Load())/float64(b.N), "reads/op")
	b.ReportMetric(float64(r.bytes.Load())/float64(b.N), "readbytes/op")
}

func BenchmarkLocate(b *testing.B) {
	r := benchClip(b)
	ix, err := Open(r, r.r.Size(), Config{IsKeyframe: demux.IsKeyframe})
	if err != nil {
		b.Fatal(err)
	}
	r.reads.Store(0)
	r.bytes.Store(0)
	i := 0
	for b.Loop() {
		if _, err := ix.Locate(time.Duration(i%12)*time.Second + 500*time.Millisecond); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(r.reads.Load())/float64(b.N), "reads/op")
	b.ReportMetric(float64(r.bytes.Load())/float64(b.N), "readbytes/op")
}
