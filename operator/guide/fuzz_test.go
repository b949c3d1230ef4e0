package guide

import (
	"context"
	"strings"
	"testing"

	"github.com/manbang/manbang/operator/unpack"
	"github.com/manbang/manbang/operator/xmltv"
)

// FuzzImport reads arbitrary guides as Import does (unpacked, bounded,
// parsed into batches), the batches collected instead of written to the
// index (its SQLite, instrumented for fuzzing, would leave the fuzzer a
// few inputs a minute; the tests write through it): it must never panic,
// must keep its list of problems short, and must hand on only programmes
// that end after they start, last no longer than MaxProgramme and have a
// title, in batches of at most batchSize.
func FuzzImport(f *testing.F) {
	f.Add(sampleGuide())
	f.Add(`<tv><programme start="20261123200000 +0900" stop="20261123190000 +0900" channel="x"><title>back</title></programme></tv>`)
	f.Add(`<tv><programme start="20261123200000 +0900" stop="20261130200000 +0900" channel="x"><title>a week</title></programme></tv>`)
	f.Add(`<?xml version="1.0" encoding="windows-1251"?><tv><channel id="r"><display-name>` + "\xcf\xe5\xf0\xe2\xfb\xe9" + `</display-name></channel><programme start="202611232000" stop="202611232100" channel="r"><title>` + "\xcd\xee\xe2\xee\xf1\xf2\xe8" + `</title></programme></tv>`)
	f.Add("\x1f\x8b\x08\x00")
	f.Add(`<tv><programme start="20261123200000 +0900" channel="x"><title>open</title></programme><programme start="20261123210000 +0900" channel="x"><title></title></programme>`)
	f.Fuzz(func(t *testing.T, in string) {
		r, err := unpack.Reader(strings.NewReader(in))
		if err != nil {
			return
		}
		xr := xmltv.NewReader(unpack.LimitReader(r, 1<<20))
		batches := make(chan batch, 2)
		go func() {
			parse(context.Background(), xr, "ko", batches)
			close(batches)
		}()
		for b := range batches {
			if len(b.items) > batchSize {
				t.Fatalf("a batch of %d", len(b.items))
			}
			for _, it := range b.items {
				p, ok := it.(row)
				if !ok {
					continue
				}
				if p.stop <= p.start || p.stop-p.start > int64(MaxProgramme.Seconds()) || p.title == "" || p.title == "{}" {
					t.Fatalf("handed on %+v", p)
				}
			}
		}
		if n := len(xr.Problems()); n > 20 {
			t.Fatalf("%d problems kept", n)
		}
	})
}
