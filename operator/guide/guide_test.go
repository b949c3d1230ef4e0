package guide

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
)

func open(t *testing.T) *Index {
	t.Helper()
	x, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

var day = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// testNow is when tests run: the guides are recent.
func testNow() time.Time { return day.Add(12 * time.Hour) }

func xmlTime(h float64) string {
	return day.Add(time.Duration(h * float64(time.Hour))).Format("20060102150405 -0700")
}

const sample = `<tv>
<channel id="kbs1"><display-name>KBS 1TV</display-name><icon src="http://127.0.0.1/kbs.png"/></channel>
<programme start="%s" stop="%s" channel="kbs1"><title lang="ko">아침</title><desc>Morning news</desc></programme>
<programme start="%s" channel="kbs1"><title lang="ko">낮</title></programme>
<programme start="%s" stop="%s" channel="kbs1"><title lang="ko">저녁</title></programme>
<programme start="%s" stop="%s" channel="mbc"><title>Film</title></programme>
<programme start="bad" channel="mbc"><title>Bad</title></programme>
</tv>`

func sampleGuide() string {
	return fmt.Sprintf(sample, xmlTime(6), xmlTime(9), xmlTime(9), xmlTime(12), xmlTime(18), xmlTime(20), xmlTime(23))
}

func list(t *testing.T, x *Index, ids []string, from, to float64) string {
	t.Helper()
	ps, err := x.Programmes(context.Background(), ids, day.Add(time.Duration(from*float64(time.Hour))), day.Add(time.Duration(to*float64(time.Hour))))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s %s-%s %s", p.ChannelID, p.Start.Format("15"), p.Stop.Format("15"), p.Title.In("ko")))
	}
	return strings.Join(out, "; ")
}

func TestImport(t *testing.T) {
	x := open(t)
	ctx := context.Background()
	st, err := x.Import(ctx, strings.NewReader(sampleGuide()), ImportOptions{Lang: "en", Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if st.Programmes != 4 || st.Channels != 1 || st.Skipped != 1 || st.Bytes != int64(len(sampleGuide())) {
		t.Errorf("stats %+v", st)
	}
	if got, want := list(t, x, nil, 0, 24), "kbs1 06-09 아침; kbs1 09-12 낮; kbs1 12-18 저녁; mbc 20-23 Film"; got != want {
		t.Errorf("programmes\n%s\nwant\n%s", got, want)
	}
	if got := list(t, x, []string{"kbs1"}, 10, 13); got != "kbs1 09-12 낮; kbs1 12-18 저녁" {
		t.Errorf("kbs1 10-13: %s", got)
	}
	ps, _ := x.Programmes(ctx, []string{"kbs1"}, day.Add(6*time.Hour), day.Add(7*time.Hour))
	if len(ps) != 1 || ps[0].Description["en"] != "Morning news" {
		t.Errorf("description: %+v", ps)
	}
	chans, err := x.Channels(ctx)
	if err != nil || len(chans) != 1 || chans[0].Names[0] != "KBS 1TV" || chans[0].Icon != "http://127.0.0.1/kbs.png" {
		t.Errorf("channels %+v, %v", chans, err)
	}
	if _, err := x.Programmes(ctx, nil, day, day); err == nil {
		t.Error("empty range: no error")
	}

	// A new guide replaces the old one.
	next := fmt.Sprintf(`<tv><programme start="%s" stop="%s" channel="mbc"><title>News</title></programme></tv>`, xmlTime(19), xmlTime(20))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, next)
	zw.Close()
	if _, err := x.Import(ctx, &gz, ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if got := list(t, x, nil, 0, 24); got != "mbc 19-20 News" {
		t.Errorf("after the second import: %s", got)
	}
	if chans, _ := x.Channels(ctx); len(chans) != 0 {
		t.Errorf("channels of the old guide kept: %+v", chans)
	}
}

func TestImportErrorsKeepTheOldGuide(t *testing.T) {
	x := open(t)
	ctx := context.Background()
	if _, err := x.Import(ctx, strings.NewReader(sampleGuide()), ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	before := list(t, x, nil, 0, 24)
	for _, bad := range []string{"<html><body>Not found</body></html>", "", sampleGuide()[:200]} {
		if _, err := x.Import(ctx, strings.NewReader(bad), ImportOptions{Now: testNow}); err == nil {
			t.Errorf("%.30q: no error", bad)
		}
		if got := list(t, x, nil, 0, 24); got != before {
			t.Errorf("after %.30q: %s", bad, got)
		}
	}
	// Programmes long past are pruned at the end of an import.
	if _, err := x.Import(ctx, strings.NewReader(sampleGuide()), ImportOptions{Now: func() time.Time { return day.AddDate(0, 0, 10) }}); err != nil {
		t.Fatal(err)
	}
	if n, _ := x.Count(ctx); n != 0 {
		t.Errorf("%d programmes kept, all ended 10 days ago", n)
	}
}

// TestFailedImportLeavesNothingBehind: an import that fails half-way has
// indexed some of its programmes (queries answer from them while it
// runs); the next complete guide replaces them too, and they are gone.
func TestFailedImportLeavesNothingBehind(t *testing.T) {
	x := open(t)
	ctx := context.Background()
	half := fmt.Sprintf(`<tv><programme start="%s" stop="%s" channel="half"><title>Half</title></programme><programme start=`, xmlTime(8), xmlTime(9))
	var pad strings.Builder
	for range batchSize {
		fmt.Fprintf(&pad, `<programme start="%s" stop="%s" channel="pad"><title>p</title></programme>`, xmlTime(1), xmlTime(2))
	}
	failed := strings.Replace(half, "<tv>", "<tv>"+pad.String(), 1)
	if _, err := x.Import(ctx, strings.NewReader(failed), ImportOptions{Now: testNow}); err == nil {
		t.Fatal("a guide cut in a tag imported with no error")
	}
	if n, _ := x.Count(ctx); n == 0 {
		t.Fatal("the failed import indexed nothing: the test shows nothing")
	}
	if _, err := x.Import(ctx, strings.NewReader("<tv></tv>"), ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if n, _ := x.Count(ctx); n != 0 {
		t.Errorf("%d programmes of the failed import kept after an empty guide", n)
	}
}

// TestQueriesWhileImporting reads half a guide, checks that it can be
// queried while the rest has not arrived, then lets the rest come.
func TestQueriesWhileImporting(t *testing.T) {
	x := open(t)
	var guide bytes.Buffer
	total, err := genGuide(&guide, 8<<20, 20, day)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	release := make(chan struct{})
	half := guide.Len() / 2
	go func() {
		pw.Write(guide.Bytes()[:half])
		// The rest comes when the test says.
		<-release
		pw.Write(guide.Bytes()[half:])
		pw.Close()
	}()
	progress := make(chan Stats, 100)
	done := make(chan error, 1)
	go func() {
		_, err := x.Import(context.Background(), pr, ImportOptions{Now: testNow, Progress: func(s Stats) {
			select {
			case progress <- s:
			default:
			}
		}})
		done <- err
	}()
	deadline := time.After(time.Minute)
	for seen := 0; seen < batchSize; {
		select {
		case s := <-progress:
			seen = s.Programmes
		case <-deadline:
			t.Fatal("no batch indexed within a minute")
		}
	}
	n, err := x.Count(context.Background())
	if err != nil || n < batchSize || n >= total {
		t.Errorf("while importing: %d programmes of %d, %v", n, total, err)
	}
	ps, err := x.Programmes(context.Background(), []string{"ch000.kr"}, day, day.Add(2*time.Hour))
	if err != nil || len(ps) == 0 {
		t.Errorf("query while importing: %d, %v", len(ps), err)
	}
	close(release)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("import did not end")
	}
	if n, _ := x.Count(context.Background()); n != total {
		t.Errorf("%d programmes indexed, want %d", n, total)
	}
}

func TestProgrammesBounded(t *testing.T) {
	x := open(t)
	var guide bytes.Buffer
	if _, err := genGuide(&guide, 8<<20, 2, day); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Import(context.Background(), &guide, ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	ps, err := x.Programmes(context.Background(), nil, day, day.AddDate(10, 0, 0))
	if err != nil || len(ps) != MaxRows {
		t.Errorf("%d programmes, %v; want %d", len(ps), err, MaxRows)
	}
	var _ operator.Programme = ps[0]
}

// TestImportBomb imports a gzip bomb, a valid guide that decompresses
// to 8 MiB made as it is read, under a limit of 1 MiB: the import must
// fail naming the limit, having read no more than it.
func TestImportBomb(t *testing.T) {
	x := open(t)
	ctx := context.Background()
	pr, pw := io.Pipe()
	go func() {
		zw := gzip.NewWriter(pw)
		io.WriteString(zw, "<tv>")
		el := fmt.Sprintf(`<programme start="%s" stop="%s" channel="bomb"><title>x</title></programme>`, xmlTime(1), xmlTime(2))
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
	st, err := x.Import(ctx, pr, ImportOptions{Now: testNow, MaxBytes: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "more than 1 MiB") || st.Bytes > 1<<20 {
		t.Fatalf("Import of a bomb: read %d bytes, %v; want an error naming the limit of 1 MiB", st.Bytes, err)
	}
}
