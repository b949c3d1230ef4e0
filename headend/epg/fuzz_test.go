package epg

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

// FuzzImport imports arbitrary guides into a catalogue of two channels:
// Import must never panic, keep its lists of problems and unmatched
// channels bounded, and store only programmes that end after they
// start, last no longer than catalog.MaxProgramme and have a title, no
// more of them than it says it wrote.
func FuzzImport(f *testing.F) {
	f.Add(guide)
	f.Add(guide[:len(guide)/2])
	f.Add(`<tv><programme start="20261123200000 +0900" channel="kbs1"><title>a</title></programme><programme start="20261123200000 +0900" channel="kbs1"><title>b</title></programme></tv>`)
	f.Add(`<?xml version="1.0" encoding="ISO-8859-1"?><tv><channel id="x"><display-name>mbc</display-name></channel><programme start="202611232000" stop="202611232100" channel="x"><title>` + "\xe9" + `</title></programme></tv>`)
	f.Add(`<tv><programme start="20261123200000 +0900" stop="20261123190000 +0900" channel="mbc"><title></title></programme></tv>`)
	f.Fuzz(func(t *testing.T, in string) {
		s := store(t)
		st, _ := Import(context.Background(), s, strings.NewReader(in), Options{})
		if len(st.Problems) > 20 || len(st.Unmatched) > 50 {
			t.Fatalf("%d problems, %d unmatched kept", len(st.Problems), len(st.Unmatched))
		}
		from := time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)
		n := 0
		err := s.Programmes(context.Background(), nil, from, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), func(p operator.Programme) bool {
			n++
			if !p.Stop.After(p.Start) || p.Stop.Sub(p.Start) > catalog.MaxProgramme || len(p.Title) == 0 {
				t.Fatalf("stored %+v", p)
			}
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if n > st.Programmes {
			t.Fatalf("%d programmes stored, %d written", n, st.Programmes)
		}
	})
}
