package source

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/manbang/manbang/player/hls"
	"github.com/manbang/manbang/player/media"
)

// errStalled is the cancellation cause of a request whose server went
// quiet for longer than the request timeout.
var errStalled = errors.New("stalled")

// errCut is a body whose connection ended before the body did.
var errCut = errors.New("connection cut mid-body")

// Retry waits of a plain HTTP stream: the first, doubled up to the last.
const (
	firstRetryWait = 250 * time.Millisecond
	maxRetryWait   = time.Second
)

// httpStream is the body of a plain HTTP response, read with an inactivity
// timeout: every wait inside Read for more data is bounded by the request
// timeout, so a server that stops sending ends the stream with an error
// instead of hanging the player. Time between Reads does not count. A body
// cut by the network is resumed from the byte reached (a Range request;
// a server that ignores Range is read again up to there) for as long as
// the retry budget allows.
type httpStream struct {
	url         string
	cfg         Config
	contentType string
	body        io.ReadCloser
	br          *bufio.Reader // over idleReader, for sniffing the start
	ctx         context.Context
	cancel      context.CancelCauseFunc
	idle        *time.Timer
	timeout     time.Duration
	offset      int64       // bytes of the body read so far
	size        int64       // the body's length, -1 if unknown
	interrupted atomic.Bool // Reads fail until Restart

	mu           sync.Mutex
	req          context.Context                   // of the request whose body is read
	reqCancel    context.CancelCauseFunc           // its cancel
	readsAt      map[*context.CancelCauseFunc]bool // cancels of the ReadAt calls in flight
	reconnecting string
}

// get requests locator and returns its body once a 2xx response has
// arrived. Errors are one line and name the URL.
func get(ctx context.Context, locator string, cfg Config) (*httpStream, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	s := &httpStream{url: locator, cfg: cfg, ctx: ctx, cancel: cancel, timeout: cfg.RequestTimeout, size: -1}
	s.idle = time.AfterFunc(cfg.RequestTimeout, func() { s.stall() })
	resp, err := s.request(0)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("source: fetch %s: %w", locator, err)
	}
	s.body = resp.Body
	s.contentType = resp.Header.Get("Content-Type")
	s.size = resp.ContentLength
	s.br = bufio.NewReader(idleReader{s})
	return s, nil
}

// request makes one GET for the body from byte from on, with the
// inactivity timer running until the headers are in.
func (s *httpStream) request(from int64) (*http.Response, error) {
	rctx, rcancel := context.WithCancelCause(s.ctx)
	s.mu.Lock()
	s.req, s.reqCancel = rctx, rcancel
	s.mu.Unlock()
	s.idle.Reset(s.timeout)
	defer s.idle.Stop()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, s.url, nil)
	if err != nil {
		rcancel(nil)
		return nil, err
	}
	if from > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(from, 10)+"-")
	}
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return nil, s.explain(rctx, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		resp.Body.Close()
		return nil, &statusError{resp.StatusCode, resp.Status}
	}
	return resp, nil
}

// statusError is a non-2xx response.
type statusError struct {
	code   int
	status string
}

func (e *statusError) Error() string { return e.status }

// stall cancels the request in flight: its server went quiet.
func (s *httpStream) stall() {
	s.mu.Lock()
	c := s.reqCancel
	s.mu.Unlock()
	if c != nil {
		c(errStalled)
	}
}

// Read reads the body.
func (s *httpStream) Read(p []byte) (int, error) {
	n, err := s.br.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("source: read %s: %w", s.url, err)
	}
	return n, err
}

// Close ends the request.
func (s *httpStream) Close() error {
	s.idle.Stop()
	s.cancel(nil)
	if s.body != nil {
		return s.body.Close()
	}
	return nil
}

// SourceStats implements media.StatsSource: what the stream is
// reconnecting after, if it is.
func (s *httpStream) SourceStats() media.SourceStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return media.SourceStats{Reconnecting: s.reconnecting}
}

func (s *httpStream) setReconnecting(msg string) {
	s.mu.Lock()
	s.reconnecting = msg
	s.mu.Unlock()
}

// explain turns a transport error into a one-line reason.
func (s *httpStream) explain(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errStalled) {
		return fmt.Errorf("%w: no data for %v", errStalled, s.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errCut
	}
	return err
}

// resume reconnects after the body failed with cause, from the byte
// reached, retrying network failures and 5xx responses with capped
// backoff until the retry budget since the failure is spent.
func (s *httpStream) resume(cause error) error {
	if s.cfg.RetryTimeout <= 0 || s.ctx.Err() != nil {
		return cause
	}
	start := time.Now()
	wait := firstRetryWait
	for attempt := 1; ; attempt++ {
		s.setReconnecting(fmt.Sprintf("fetch %s: %v", s.url, cause))
		t := time.NewTimer(wait/2 + rand.N(wait/2+1))
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
			return cause
		}
		wait = min(2*wait, maxRetryWait)
		err := s.reopen()
		if err == nil {
			return nil
		}
		var se *statusError
		if s.ctx.Err() != nil || errors.As(err, &se) && se.code < 500 || errors.Is(err, errChanged) {
			return err
		}
		cause = err
		if el := time.Since(start); el >= s.cfg.RetryTimeout {
			return fmt.Errorf("%w (after %d attempts over %v)", cause, attempt+1, el.Round(time.Second))
		}
	}
}

// errChanged is a resource that is no longer the one being read.
var errChanged = errors.New("the resource changed while it was read")

// reopen requests the body again from offset and makes it the body read.
func (s *httpStream) reopen() error {
	resp, err := s.request(s.offset)
	if err != nil {
		return err
	}
	var skip int64
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		if start, ok := hls.ContentRangeStart(resp.Header.Get("Content-Range")); !ok || start != s.offset {
			resp.Body.Close()
			return fmt.Errorf("%w: asked for byte %d, got %q", errChanged, s.offset, resp.Header.Get("Content-Range"))
		}
	case s.size >= 0 && resp.ContentLength >= 0 && resp.ContentLength != s.size:
		resp.Body.Close()
		return fmt.Errorf("%w: %d bytes, was %d", errChanged, resp.ContentLength, s.size)
	default: // sent whole: read up to where the stream was
		skip = s.offset
	}
	s.body.Close()
	s.body = resp.Body
	if skip > 0 {
		if _, err := io.CopyN(io.Discard, idleBody{s}, skip); err != nil {
			return s.explain(s.ctx, err)
		}
	}
	s.setReconnecting("")
	return nil
}

// idleBody reads the current body with the inactivity timer running for
// the duration of each read.
type idleBody struct{ s *httpStream }

func (r idleBody) Read(p []byte) (int, error) {
	r.s.idle.Reset(r.s.timeout)
	n, err := r.s.body.Read(p)
	r.s.idle.Stop()
	return n, err
}

// idleReader reads the body, resuming it when the network cuts it.
type idleReader struct{ s *httpStream }

func (r idleReader) Read(p []byte) (int, error) {
	for {
		if r.s.interrupted.Load() {
			return 0, hls.ErrInterrupted
		}
		n, err := idleBody(r).Read(p)
		r.s.offset += int64(n)
		if err == nil || err == io.EOF || n > 0 {
			if err != nil && err != io.EOF {
				err = nil // returned again by the next Read, after the data
			}
			return n, err
		}
		if r.s.interrupted.Load() {
			return 0, hls.ErrInterrupted
		}
		cause := r.s.explain(r.s.reqCtx(), err)
		if err := r.s.resume(cause); err != nil {
			return 0, err
		}
	}
}

// reqCtx is the context of the request in flight, for its cause.
func (s *httpStream) reqCtx() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.req
}
