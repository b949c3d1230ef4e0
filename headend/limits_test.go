package headend

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// serveLimited serves h with limits on 127.0.0.1 until the test ends, and
// returns the address and the limited listener.
func serveLimited(t *testing.T, l Limits, h http.Handler) (string, *limitListener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	limited := l.Listener(ln)
	ll, _ := limited.(*limitListener)
	hs := l.HTTPServer(h)
	go hs.Serve(limited)
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String(), ll
}

// waitClosed waits for the server to close c, reading what it sends; it
// fails if c is still open after a minute.
func waitClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(time.Minute))
	_, err := io.Copy(io.Discard, c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("connection %s still held after a minute", c.LocalAddr())
	}
}

// 500 connections trickling a body are limited per address and dropped
// when their read deadline passes, and a normal client is answered
// meanwhile.
func TestSlowloris(t *testing.T) {
	h := startServer(t, Config{})
	limits := Limits{ReadHeaderTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second, IdleTimeout: time.Second, MaxConns: 400, MaxConnsPerAddr: 100}
	addr, ll := serveLimited(t, limits, h.Handler())
	var conns []net.Conn
	for range 500 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// A body announced and never sent but for a byte.
		fmt.Fprintf(c, "POST /api/v1/devices HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
		conns = append(conns, c)
	}
	if n := ll.open(); n > limits.MaxConnsPerAddr {
		t.Errorf("%d connections from one address held, limit %d", n, limits.MaxConnsPerAddr)
	}
	resp, err := localClient("127.0.0.2").Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("a normal client among the slow ones: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a normal client among the slow ones: status %d", resp.StatusCode)
	}
	for _, c := range conns {
		c.Write([]byte(" ")) // trickling, which must not keep it
		waitClosed(t, c)
	}
}

// A client that stops reading an answer is dropped after WriteTimeout;
// one that reads a stream longer than WriteTimeout gets all of it.
func TestWriteDeadlinePerChunk(t *testing.T) {
	const chunk = 32 << 10
	writeErr := make(chan error, 1)
	stream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, chunk)
		if r.URL.Path == "/forever" {
			for {
				if _, err := w.Write(buf); err != nil {
					writeErr <- err
					return
				}
			}
		}
		// 40 chunks, one every 100 ms: 4 s, twice the write timeout.
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for range 40 {
			<-tick.C
			w.Write(buf)
			http.NewResponseController(w).Flush()
		}
	})
	addr, _ := serveLimited(t, Limits{ReadHeaderTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second}, stream)

	resp, err := http.Get("http://" + addr + "/long")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != 40*chunk {
		t.Errorf("long stream: %d bytes, %v; want %d", n, err, 40*chunk)
	}

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(c, "GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case err := <-writeErr:
		if !strings.Contains(err.Error(), "timeout") {
			t.Errorf("stalled reader: write error %v, want a timeout", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("a reader that stopped reading is still being written to after a minute")
	}
}
