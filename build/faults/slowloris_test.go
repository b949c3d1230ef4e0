//go:build faults

package faults

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"
)

// TestSlowloris holds slow connections against the real head-end, from
// one address, while a normal client on another address asks for
// /healthz throughout (issue 21: slow or stalled clients must not hold
// the head-end's connections). Half the slow connections trickle a
// request's header a byte at a time, the other half send a header and
// trickle its body. The head-end runs with short timeouts and a small
// per-address limit so that the case takes seconds: it must hold no more
// connections from the one address than its limit, drop every slow one
// within its timeouts (the case gives up at 30 s), and answer the normal
// client every time. The drop times and the normal client's latencies
// are reported, not asserted: this machine is shared.
func TestSlowloris(t *testing.T) {
	const (
		headerTimeout = 2 * time.Second
		readTimeout   = 3 * time.Second
		perAddr       = 100
		giveUp        = 30 * time.Second
	)
	slow := 500
	if testing.Short() {
		slow = 200
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	startHeadend(t, addr, t.TempDir(), 2, "--read-header-timeout", headerTimeout.String(),
		"--read-timeout", readTimeout.String(), "--max-conns-per-addr", fmt.Sprint(perAddr), "--max-conns", "1000")

	normal := localHTTPClient(t, "127.0.0.2")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	probe := make(chan probeResult, 1)
	go func() { probe <- probeHealth(ctx, normal, "http://"+addr+"/healthz") }()

	start := time.Now()
	results := make([]slowResult, slow)
	var wg sync.WaitGroup
	for i := range slow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = slowClient(addr, i%2 == 1, start, giveUp)
		}()
	}
	wg.Wait()
	cancel()
	p := <-probe

	var refused, held, stuck int
	var drops [2][]time.Duration // of the header tricklers, of the body ones
	for _, r := range results {
		switch {
		case r.err != nil:
			t.Fatalf("a slow client: %v", r.err)
		case r.stuck:
			stuck++
		case r.refused:
			refused++
		default:
			held++
			drops[r.kind] = append(drops[r.kind], r.dropped)
		}
	}
	ok := stuck == 0 && held <= perAddr && p.failed == 0 && p.answered > 0
	detail := fmt.Sprintf("%d slow connections from 127.0.0.1 (half a header, half a body, a byte each 500 ms), head-end limits %d per address, header %s, request %s: %d held, %d closed at once, %d still open after %s; the held dropped after %s (header; median %s) and %s (body; median %s) at the latest; a client on 127.0.0.2 meanwhile: %d answered, %d failed, worst %s",
		slow, perAddr, headerTimeout, readTimeout, held, refused, stuck, giveUp,
		slowest(drops[0]), median(drops[0]), slowest(drops[1]), median(drops[1]), p.answered, p.failed, p.worst.Round(time.Millisecond))
	report.add("security", "slowloris", verdict(ok), detail)
	t.Log(detail)
	if !ok {
		t.Error(detail)
	}
}

// slowResult is how one slow connection ended.
type slowResult struct {
	kind    int           // 0 trickling a header, 1 a body
	refused bool          // closed before it had sent its first bytes' worth of trickle
	stuck   bool          // still open when the case gave up
	dropped time.Duration // from the case's start to the head-end closing it
	err     error         // the connection could not be made
}

// slowClient opens a connection to addr and trickles a request on it, a
// byte each 500 ms: its header, or (body) a whole header announcing a
// body and then the body, until the head-end closes the connection or
// giveUp after start.
func slowClient(addr string, body bool, start time.Time, giveUp time.Duration) slowResult {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return slowResult{err: err}
	}
	defer c.Close()
	opened, kind := time.Now(), 0
	if body {
		kind = 1
	}
	closed := make(chan struct{})
	go func() {
		// The head-end closing the connection (or answering it with an
		// error) ends this read.
		io.Copy(io.Discard, c)
		close(closed)
	}()
	head := "GET /healthz HTTP/1.1\r\nHost: headend\r\nX-Slow: "
	if body {
		if _, err := io.WriteString(c, "POST /api/v1/devices HTTP/1.1\r\nHost: headend\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"); err != nil {
			return slowResult{kind: kind, refused: true}
		}
		head = `{"serial":"`
	}
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-closed:
			return slowResult{kind: kind, refused: time.Since(opened) < 250*time.Millisecond, dropped: time.Since(start)}
		case <-tick.C:
			if time.Since(start) > giveUp {
				return slowResult{kind: kind, stuck: true}
			}
			b := byte('a')
			if i < len(head) {
				b = head[i]
			}
			if _, err := c.Write([]byte{b}); err != nil {
				<-closed
				return slowResult{kind: kind, refused: time.Since(opened) < 250*time.Millisecond, dropped: time.Since(start)}
			}
		}
	}
}

// probeResult is what the normal client saw.
type probeResult struct {
	answered, failed int
	worst            time.Duration
}

// probeHealth asks url every 100 ms until ctx ends, a fresh connection
// each time, as a box that just woke up would.
func probeHealth(ctx context.Context, client *http.Client, url string) probeResult {
	var r probeResult
	for ctx.Err() == nil {
		t0 := time.Now()
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		resp, err := client.Do(req)
		took := time.Since(t0)
		switch {
		case errors.Is(err, context.Canceled) || ctx.Err() != nil:
			return r
		case err != nil || resp.StatusCode != http.StatusOK:
			r.failed++
		default:
			r.answered++
			r.worst = max(r.worst, took)
		}
		if resp != nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	return r
}

// localHTTPClient is an HTTP client whose connections come from the
// loopback address ip, and new for each request.
func localHTTPClient(t *testing.T, ip string) *http.Client {
	t.Helper()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatalf("the normal client needs a loopback address of its own: %v", err)
	}
	l.Close()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// median returns the middle of ds, 0 if empty, to 10 ms.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2].Round(10 * time.Millisecond)
}

// slowest returns the longest of ds, 0 if empty, to 10 ms.
func slowest(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m.Round(10 * time.Millisecond)
}
