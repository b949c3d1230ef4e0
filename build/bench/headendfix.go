package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

// writeGuide writes an XMLTV guide of channels channels, half-hour
// programmes with Korean and English titles and descriptions, until the
// file has at least size bytes.
func writeGuide(path string, channels int, size int64) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, `<?xml version="1.0" encoding="UTF-8"?>`)
	fmt.Fprintln(w, `<tv generator-info-name="manbang-bench">`)
	for i := range channels {
		fmt.Fprintf(w, "  <channel id=\"ch%03d.bench\"><display-name lang=\"en\">Bench %d</display-name></channel>\n", i, i)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var written int64
	for slot := 0; written < size; slot++ {
		from, to := start.Add(time.Duration(slot)*30*time.Minute), start.Add(time.Duration(slot+1)*30*time.Minute)
		for i := range channels {
			n, _ := fmt.Fprintf(w, "  <programme start=\"%s\" stop=\"%s\" channel=\"ch%03d.bench\">\n"+
				"    <title lang=\"ko\">벤치 방송 %d-%d</title><title lang=\"en\">Bench programme %d-%d</title>\n"+
				"    <desc lang=\"ko\">긴 설명이 있는 프로그램입니다. 시청자는 이 프로그램을 보고 여러 가지를 배웁니다. %d</desc>\n"+
				"    <desc lang=\"en\">A programme with a long description; the viewer learns many things watching it. %d</desc>\n"+
				"  </programme>\n",
				from.Format("20060102150405 -0700"), to.Format("20060102150405 -0700"), i, i, slot, i, slot, slot, slot)
			written += int64(n)
		}
	}
	fmt.Fprintln(w, `</tv>`)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// makeGuideCatalogue makes a catalogue in dir with the generated guide's
// channels, named as the guide names them.
func makeGuideCatalogue(dir string, channels int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	s, err := catalog.Open(filepath.Join(dir, catalog.FileName))
	if err != nil {
		return err
	}
	err = s.Write(context.Background(), func(w *catalog.Writer) error {
		for i := range channels {
			c := catalog.Channel{Channel: operator.Channel{ID: fmt.Sprintf("ch%03d", i), Number: i + 1,
				Name: operator.Text{"en": fmt.Sprintf("Bench %d", i)}, Rating: "ALL"}}
			if err := w.AddChannel(c); err != nil {
				return err
			}
		}
		return nil
	})
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// apiDelay is how long the slow proxy holds every API answer.
const apiDelay = 2 * time.Second

// slowProxy forwards to a head-end and holds every /api/ answer back for
// apiDelay; it notes when the first answer left after since was reset.
type slowProxy struct {
	srv   *http.Server
	url   string
	mu    sync.Mutex
	since time.Time
	first time.Duration // 0 until an answer left
}

func startSlowProxy(target string) (*slowProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &slowProxy{}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.Path) >= 5 && r.URL.Path[:5] == "/api/" {
			select {
			case <-time.After(apiDelay):
			case <-r.Context().Done():
				return
			}
			rp.ServeHTTP(w, r)
			p.mu.Lock()
			if p.first == 0 {
				p.first = time.Since(p.since)
			}
			p.mu.Unlock()
			return
		}
		rp.ServeHTTP(w, r)
	})}
	ln, err := listenLoopback()
	if err != nil {
		return nil, err
	}
	p.url = "http://" + ln.Addr().String()
	go p.srv.Serve(ln)
	return p, nil
}

// reset starts a new start's clock.
func (p *slowProxy) reset(at time.Time) {
	p.mu.Lock()
	p.since, p.first = at, 0
	p.mu.Unlock()
}

// firstAnswer returns when the first API answer of this start left.
func (p *slowProxy) firstAnswer() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.first
}

func (p *slowProxy) close() { p.srv.Close() }

func listenLoopback() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// benchWarmStart measures the box's cold start with a warm catalogue
// cache: manbang is started once against the head-end to fill its cache,
// then five times against a proxy that holds every API answer for 2 s.
// The figure is the time from the process start to the control endpoint
// reporting Home ready, beside the time the first API answer arrived.
func benchWarmStart(ctx context.Context, c config, x *xvfb, r *Results) error {
	hp, hurl, err := startHeadend(ctx, c, filepath.Join(c.work, "headend"))
	if err != nil {
		return fmt.Errorf("head-end: %w", err)
	}
	defer hp.stop()
	box := filepath.Join(c.work, "warm-box")
	os.RemoveAll(box)
	cache, state := filepath.Join(box, "cache"), filepath.Join(box, "state")
	// run starts the box against operatorURL and returns when Home was
	// ready; then it calls after, if any, before stopping the box.
	run := func(operatorURL string, after func() error) (home time.Duration, err error) {
		start := time.Now()
		p, err := startProcess(ctx, []string{"DISPLAY=" + x.display, "LIBGL_ALWAYS_SOFTWARE=1"},
			filepath.Join(c.bin, "manbang"), "--operator", operatorURL, "--control", "127.0.0.1:0", "--lang", "en",
			"--log-level", "warn", "--cache", cache, "--state", state)
		if err != nil {
			return 0, err
		}
		defer p.stop()
		base, err := p.waitLine(controlLine, 30*time.Second)
		if err != nil {
			return 0, err
		}
		if _, err := waitState(ctx, base, 30*time.Second, homeReady); err != nil {
			return 0, err
		}
		home = time.Since(start)
		if after != nil {
			err = after()
		}
		return home, err
	}
	// The first start fills the cache: Home is ready once every row came.
	if _, err := run(hurl, nil); err != nil {
		return fmt.Errorf("warming the cache: %w", err)
	}
	proxy, err := startSlowProxy(hurl)
	if err != nil {
		return err
	}
	defer proxy.close()
	waitAnswer := func() error {
		deadline := time.Now().Add(10 * apiDelay)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for proxy.firstAnswer() == 0 {
			if time.Now().After(deadline) {
				return errors.New("no API answer through the slow proxy")
			}
			<-tick.C
		}
		return nil
	}
	var homes, firsts []float64
	var last error
	before := 0
	for range 5 {
		proxy.reset(time.Now())
		home, err := run(proxy.url, waitAnswer)
		if err != nil {
			last = err
			continue
		}
		first := proxy.firstAnswer()
		homes, firsts = append(homes, ms(home)), append(firsts, ms(first))
		if home < first {
			before++
		}
	}
	if len(homes) == 0 {
		return errors.Join(errors.New("no start reached Home"), last)
	}
	hs, fs := summarize(homes, 5-len(homes)), summarize(firsts, 0)
	r.add(Metric{Section: "headend", Name: "box cold start, warm catalogue cache, API answers delayed 2 s: Home ready", Unit: "ms", Better: "lower",
		Values: map[string]float64{"manbang": hs.Median},
		Note: fmt.Sprintf("median of %d starts, p95 %.0f ms; first API answer at %.0f ms (median); Home before the first answer in %d of %d",
			hs.N, hs.P95, fs.Median, before, len(homes))})
	if last != nil {
		r.Notes = append(r.Notes, "headend warm start: "+last.Error())
	}
	return nil
}
