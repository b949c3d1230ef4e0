package epg

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

func store(t *testing.T) *catalog.Store {
	t.Helper()
	s, err := catalog.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i, c := range []catalog.Channel{
		{Channel: operator.Channel{ID: "kbs1", Number: 9, Name: operator.Text{"ko": "KBS 1TV"}}},
		{Channel: operator.Channel{ID: "mbc", Number: 11, Name: operator.Text{"ko": "MBC", "en": "Munhwa"}}},
	} {
		if err := s.PutChannel(context.Background(), c); err != nil {
			t.Fatal(i, err)
		}
	}
	return s
}

const guide = `<?xml version="1.0" encoding="UTF-8"?>
<tv>
  <channel id="kbs1"><display-name>KBS 1TV</display-name></channel>
  <channel id="I11.kr"><display-name lang="en">munhwa</display-name></channel>
  <channel id="sbs"><display-name>SBS</display-name></channel>
  <programme start="20261123200000 +0900" stop="20261123210000 +0900" channel="kbs1">
    <title lang="ko">뉴스 9</title><title lang="en">News 9</title><desc lang="ko">저녁 뉴스</desc>
  </programme>
  <programme start="20261123210000 +0900" channel="kbs1"><title lang="kor">드라마</title></programme>
  <programme start="20261123220000 +0900" channel="kbs1"><title>심야 토론</title></programme>
  <programme start="20261123200000 +0900" stop="20261123203000 +0900" channel="I11.kr"><title>Quiz</title></programme>
  <programme start="20261123200000 +0900" stop="20261123203000 +0900" channel="sbs"><title>Elsewhere</title></programme>
  <programme start="20261123200000 +0900" stop="20261123203000 +0900" channel="undeclared"><title>Nowhere</title></programme>
  <programme start="bad" stop="20261123203000 +0900" channel="mbc"><title>Bad</title></programme>
  <programme start="20261123203000 +0900" stop="20261123203000 +0900" channel="mbc"><title>Empty</title></programme>
  <programme start="20261123203000 +0900" stop="20261125203000 +0900" channel="mbc"><title>Too long</title></programme>
</tv>`

// programmes lists the store's programmes on 2026-11-23 as
// "channel start-stop title".
func programmes(t *testing.T, s *catalog.Store) string {
	t.Helper()
	var out []string
	kst := time.FixedZone("", 9*3600)
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, kst)
	err := s.Programmes(context.Background(), nil, day, day.Add(48*time.Hour), func(p operator.Programme) bool {
		out = append(out, fmt.Sprintf("%s %s-%s %s", p.ChannelID, p.Start.In(kst).Format("15:04"), p.Stop.In(kst).Format("15:04"), p.Title["ko"]+p.Title["en"]))
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "; ")
}

func TestImport(t *testing.T) {
	s := store(t)
	st, err := Import(context.Background(), s, strings.NewReader(guide), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Channels != 3 || st.Programmes != 3 || strings.Join(st.Unmatched, ",") != "sbs,undeclared" {
		t.Errorf("stats %+v", st)
	}
	// sbs, undeclared: unmatched; bad start (reader); empty, too long, the
	// last kbs1 programme without stop.
	if st.Skipped != 6 || len(st.Problems) != 4 {
		t.Errorf("skipped %d, problems %q", st.Skipped, st.Problems)
	}
	want := "kbs1 20:00-21:00 뉴스 9News 9; kbs1 21:00-22:00 드라마; mbc 20:00-20:30 Quiz"
	if got := programmes(t, s); got != want {
		t.Errorf("programmes\n%s\nwant\n%s", got, want)
	}
}

func TestImportGzipAndErrors(t *testing.T) {
	s := store(t)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(guide))
	zw.Close()
	if st, err := Import(context.Background(), s, &gz, Options{}); err != nil || st.Programmes != 3 {
		t.Errorf("gzip: %+v, %v", st, err)
	}
	for _, in := range []string{"<html><body>", "not xml at all", guide[:len(guide)/2]} {
		if _, err := Import(context.Background(), store(t), strings.NewReader(in), Options{}); err == nil {
			t.Errorf("%.30q: no error", in)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Import(ctx, store(t), strings.NewReader(guide), Options{}); err == nil {
		t.Error("canceled: no error")
	}
}

// longGuide is a guide of n ten-minute programmes of kbs1 from start.
func longGuide(n int, start time.Time) string {
	var b strings.Builder
	b.WriteString(`<tv><channel id="kbs1"/>`)
	for i := range n {
		from := start.Add(time.Duration(i) * 10 * time.Minute)
		fmt.Fprintf(&b, `<programme start="%s" stop="%s" channel="kbs1"><title>P%d</title></programme>`,
			from.Format("20060102150405 -0700"), from.Add(10*time.Minute).Format("20060102150405 -0700"), i)
	}
	b.WriteString("</tv>")
	return b.String()
}

// cancelAfter is a reader that cancels a context once n bytes were read.
type cancelAfter struct {
	r      *strings.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	k, err := c.r.Read(p[:min(len(p), 4096)])
	if c.n -= k; c.n <= 0 {
		c.cancel()
	}
	return k, err
}

// TestImportCanceledMidway cancels an import while batches are being
// written behind the reading: Import must return the context's error,
// having waited for its writer, with the batches written before counted.
func TestImportCanceledMidway(t *testing.T) {
	smallBatches(t)
	s := store(t)
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	g := longGuide(batch*3, start)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := Import(ctx, s, &cancelAfter{r: strings.NewReader(g), n: len(g) * 2 / 3, cancel: cancel}, Options{Lang: "en"})
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Import: %v, want context.Canceled", err)
	}
	count := 0
	s.Programmes(context.Background(), []string{"kbs1"}, start, start.Add(time.Duration(batch*3+1)*10*time.Minute), func(operator.Programme) bool {
		count++
		return true
	})
	if count != st.Programmes || count >= batch*3 {
		t.Errorf("%d programmes stored, Stats.Programmes %d; want them equal and fewer than %d", count, st.Programmes, batch*3)
	}
}

// smallBatches makes the batches small for the test, so that a guide of
// several is quick to import (under the race detector too).
func smallBatches(t *testing.T) {
	old := batch
	batch = 500
	t.Cleanup(func() { batch = old })
}

func TestImportBatches(t *testing.T) {
	smallBatches(t)
	s := store(t)
	var b strings.Builder
	b.WriteString(`<tv><channel id="kbs1"/>`)
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	n := batch*2 + 10
	for i := range n {
		from := start.Add(time.Duration(i) * 10 * time.Minute)
		fmt.Fprintf(&b, `<programme start="%s" stop="%s" channel="kbs1"><title>P%d</title></programme>`,
			from.Format("20060102150405 -0700"), from.Add(10*time.Minute).Format("20060102150405 -0700"), i)
	}
	b.WriteString("</tv>")
	st, err := Import(context.Background(), s, strings.NewReader(b.String()), Options{Lang: "en"})
	if err != nil || st.Programmes != n {
		t.Fatalf("%+v, %v", st, err)
	}
	count := 0
	s.Programmes(context.Background(), []string{"kbs1"}, start, start.Add(time.Duration(n+1)*10*time.Minute), func(p operator.Programme) bool {
		if p.Title["en"] == "" {
			t.Fatalf("programme %+v has no English title", p)
		}
		count++
		return true
	})
	if count != n {
		t.Errorf("%d programmes stored, want %d", count, n)
	}
}

// TestImportBomb imports a gzip bomb, a valid guide that decompresses
// to 8 MiB made as it is read, under a limit of 1 MiB: the import must
// fail naming the limit, having read no more than it.
func TestImportBomb(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		zw := gzip.NewWriter(pw)
		io.WriteString(zw, "<tv>")
		el := `<programme start="20261123200000 +0900" channel="nowhere"><title>x</title></programme>`
		for n := 0; n < 8<<20; n += len(el) {
			if _, err := io.WriteString(zw, el); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		io.WriteString(zw, "</tv>")
		pw.CloseWithError(zw.Close())
	}()
	defer pr.Close()
	_, err := Import(context.Background(), store(t), pr, Options{MaxBytes: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "more than 1 MiB") {
		t.Fatalf("Import of a bomb: %v, want an error naming the limit of 1 MiB", err)
	}
}
