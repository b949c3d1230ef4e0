package epg

import (
	"context"
	"strings"
	"testing"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

// FuzzImport imports arbitrary guides for a catalogue of two channels,
// its batches collected instead of written to a database (the catalogue's
// SQLite, instrumented for fuzzing, would leave the fuzzer a few inputs a
// minute; TestImport and the rest write through it): Import must never
// panic, keep its lists of problems and unmatched channels bounded, and
// hand on only programmes of catalogue channels that end after they
// start, last no longer than catalog.MaxProgramme and have a title, as
// many as it says it wrote.
func FuzzImport(f *testing.F) {
	f.Add(guide)
	f.Add(guide[:len(guide)/2])
	f.Add(`<tv><programme start="20261123200000 +0900" channel="kbs1"><title>a</title></programme><programme start="20261123200000 +0900" channel="kbs1"><title>b</title></programme></tv>`)
	f.Add(`<?xml version="1.0" encoding="ISO-8859-1"?><tv><channel id="x"><display-name>mbc</display-name></channel><programme start="202611232000" stop="202611232100" channel="x"><title>` + "\xe9" + `</title></programme></tv>`)
	f.Add(`<tv><programme start="20261123200000 +0900" stop="20261123190000 +0900" channel="mbc"><title></title></programme></tv>`)
	f.Add("\x1f\x8b\x08\x00")
	chans := []catalog.Channel{
		{Channel: operator.Channel{ID: "kbs1", Number: 9, Name: operator.Text{"ko": "KBS 1TV"}}},
		{Channel: operator.Channel{ID: "mbc", Number: 11, Name: operator.Text{"ko": "MBC", "en": "Munhwa"}}},
	}
	f.Fuzz(func(t *testing.T, in string) {
		var got []operator.Programme
		put := func(_ context.Context, b []operator.Programme) error {
			got = append(got, b...)
			return nil
		}
		st, _ := newImporterOf(chans, put, Options{Lang: "ko", MaxBytes: 1 << 20}).run(context.Background(), strings.NewReader(in))
		if len(st.Problems) > 20 || len(st.Unmatched) > 50 {
			t.Fatalf("%d problems, %d unmatched kept", len(st.Problems), len(st.Unmatched))
		}
		for _, p := range got {
			if (p.ChannelID != "kbs1" && p.ChannelID != "mbc") || !p.Stop.After(p.Start) || p.Stop.Sub(p.Start) > catalog.MaxProgramme || len(p.Title) == 0 {
				t.Fatalf("handed on %+v", p)
			}
		}
		if len(got) != st.Programmes {
			t.Fatalf("%d programmes handed on, %d said written", len(got), st.Programmes)
		}
	})
}
