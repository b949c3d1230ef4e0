package source

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// errStalled is the cancellation cause of a request whose server went
// quiet for longer than the request timeout.
var errStalled = errors.New("stalled")

// httpStream is the body of a plain HTTP response, read with an inactivity
// timeout: every wait inside Read for more data is bounded by the request
// timeout, so a server that stops sending ends the stream with an error
// instead of hanging the player. Time between Reads does not count.
type httpStream struct {
	url         string
	contentType string
	body        io.ReadCloser
	br          *bufio.Reader // over idleReader, for sniffing the start
	ctx         context.Context
	cancel      context.CancelCauseFunc
	idle        *time.Timer
	timeout     time.Duration
}

// get requests locator and returns its body once a 2xx response has
// arrived. Errors are one line and name the URL.
func get(ctx context.Context, locator string, cfg Config) (*httpStream, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	s := &httpStream{url: locator, ctx: ctx, cancel: cancel, timeout: cfg.RequestTimeout}
	s.idle = time.AfterFunc(cfg.RequestTimeout, func() { cancel(errStalled) })
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, locator, nil)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("source: %s: %w", locator, err)
	}
	resp, err := cfg.Client.Do(req)
	if err != nil {
		err = s.explain(err)
		s.Close()
		return nil, fmt.Errorf("source: fetch %s: %w", locator, err)
	}
	s.body = resp.Body
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		s.Close()
		return nil, fmt.Errorf("source: fetch %s: %s", locator, resp.Status)
	}
	s.contentType = resp.Header.Get("Content-Type")
	s.idle.Stop()
	s.br = bufio.NewReader(idleReader{s})
	return s, nil
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

// explain turns a transport error into a one-line reason.
func (s *httpStream) explain(err error) error {
	if errors.Is(context.Cause(s.ctx), errStalled) {
		return fmt.Errorf("%w: no data for %v", errStalled, s.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// idleReader reads the response body with the inactivity timer running
// for the duration of each read.
type idleReader struct{ s *httpStream }

func (r idleReader) Read(p []byte) (int, error) {
	r.s.idle.Reset(r.s.timeout)
	n, err := r.s.body.Read(p)
	r.s.idle.Stop()
	if err != nil && err != io.EOF {
		err = r.s.explain(err)
	}
	return n, err
}
