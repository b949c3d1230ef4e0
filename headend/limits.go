package headend

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Limits are the bounds the head-end's HTTP server puts on its clients,
// so that slow or stalled clients (slowloris) cannot hold its
// connections. DefaultLimits gives the defaults; cmd/manbang-headend has
// a flag for each.
type Limits struct {
	// ReadHeaderTimeout bounds reading a request's header, and
	// ReadTimeout reading the whole request, body included.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	// WriteTimeout bounds each write of an answer: every chunk written
	// moves the deadline on, so a long stream to a box that reads it goes
	// on, and a client that stops reading is dropped after WriteTimeout.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a kept-alive connection waits for its
	// next request.
	IdleTimeout time.Duration
	// MaxConns bounds the open connections, and MaxConnsPerAddr those of
	// one client IP address; connections over them are closed at once.
	// Zero means no bound.
	MaxConns        int
	MaxConnsPerAddr int
}

// DefaultLimits returns the limits of a head-end not told otherwise.
func DefaultLimits() Limits {
	return Limits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxConns:          4096,
		MaxConnsPerAddr:   128,
	}
}

// HTTPServer returns an http.Server of h with l's timeouts; serve it on
// a listener from l.Listener.
func (l Limits) HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           writeDeadlines(h, l.WriteTimeout),
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
	}
}

// writeDeadlines moves the write deadline of a request's connection on
// by d before each write of its answer.
func writeDeadlines(h http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), d: d}, r)
	})
}

// deadlineWriter is a ResponseWriter that extends the write deadline per
// chunk. It has no ReadFrom, so that a copy into it writes in chunks.
type deadlineWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
	d  time.Duration
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.rc.SetWriteDeadline(time.Now().Add(w.d))
	return w.ResponseWriter.Write(p)
}

func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Listener returns ln limited to l.MaxConns connections, and to
// l.MaxConnsPerAddr per client IP address: a connection over a limit is
// closed as soon as it is accepted, and the listener goes on accepting,
// so that clients within the limits are still answered.
func (l Limits) Listener(ln net.Listener) net.Listener {
	if l.MaxConns <= 0 && l.MaxConnsPerAddr <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, max: l.MaxConns, perAddr: l.MaxConnsPerAddr, addrs: map[string]int{}}
}

type limitListener struct {
	net.Listener
	max, perAddr int

	mu    sync.Mutex
	total int
	addrs map[string]int
}

// Accept returns the next connection within the limits.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := c.RemoteAddr().String()
		if host, _, err := net.SplitHostPort(addr); err == nil {
			addr = host
		}
		if l.take(addr) {
			return &limitConn{Conn: c, l: l, addr: addr}, nil
		}
		c.Close()
	}
}

// take counts a connection from addr, or returns false if it is over a
// limit.
func (l *limitListener) take(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if (l.max > 0 && l.total >= l.max) || (l.perAddr > 0 && l.addrs[addr] >= l.perAddr) {
		return false
	}
	l.total++
	l.addrs[addr]++
	return true
}

func (l *limitListener) release(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if l.addrs[addr]--; l.addrs[addr] <= 0 {
		delete(l.addrs, addr)
	}
}

// open returns the connections counted now.
func (l *limitListener) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

type limitConn struct {
	net.Conn
	l    *limitListener
	addr string
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.addr) })
	return err
}
