package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/manbang/manbang/player/hls"
)

// ErrNoRanges is a server that answers Range requests with the whole
// body: a stream from it can only be read from the start.
var ErrNoRanges = errors.New("the server does not support byte ranges")

// Ranged is a plain HTTP stream (what Open returns for an http(s) URL of a
// .ts file) that can also be read at any offset, for seeking: ReadAt and
// Restart work when its server answers Range requests, and fail with
// ErrNoRanges otherwise.
type Ranged interface {
	io.ReadCloser
	io.ReaderAt
	// Size is the length of the body, or -1 when the server did not say.
	Size() int64
	// Restart makes the next Read return the body from byte off. No Read
	// may be in flight.
	Restart(off int64) error
	// Interrupt ends a Read in flight, and makes every Read until the
	// next Restart fail, with hls.ErrInterrupted.
	Interrupt()
}

var _ Ranged = (*httpStream)(nil)

// Size is the length of the body, or -1.
func (s *httpStream) Size() int64 { return s.size }

// ReadAt reads len(p) bytes of the body from byte off with a Range request
// of its own (not retried), waiting at most the request timeout for each
// piece of the answer. A server that sends the whole body instead gives
// ErrNoRanges.
func (s *httpStream) ReadAt(p []byte, off int64) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if s.size >= 0 && off >= s.size {
		return 0, io.EOF
	}
	ctx, cancel := context.WithCancelCause(s.ctx)
	defer cancel(nil)
	s.mu.Lock()
	if s.readsAt == nil {
		s.readsAt = map[*context.CancelCauseFunc]bool{}
	}
	s.readsAt[&cancel] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.readsAt, &cancel)
		s.mu.Unlock()
	}()
	idle := time.AfterFunc(s.timeout, func() { cancel(errStalled) })
	defer idle.Stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return 0, fmt.Errorf("source: %w", err)
	}
	req.Header.Set("Range", "bytes="+strconv.FormatInt(off, 10)+"-"+strconv.FormatInt(off+int64(len(p))-1, 10))
	fail := func(err error) error { return fmt.Errorf("source: read %s at byte %d: %w", s.url, off, err) }
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return 0, fail(s.explainAt(ctx, err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		if start, ok := hls.ContentRangeStart(resp.Header.Get("Content-Range")); !ok || start != off {
			return 0, fail(fmt.Errorf("%w: asked for byte %d, got %q", errChanged, off, resp.Header.Get("Content-Range")))
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		return 0, io.EOF
	case resp.StatusCode >= 200 && resp.StatusCode <= 299:
		return 0, fail(ErrNoRanges)
	default:
		return 0, fail(&statusError{resp.StatusCode, resp.Status})
	}
	n := 0
	for n < len(p) {
		idle.Reset(s.timeout)
		m, err := resp.Body.Read(p[n:])
		n += m
		if err == io.EOF && n < len(p) {
			return n, io.EOF // the body ends before p is full
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, fail(s.explainAt(ctx, err))
		}
	}
	return n, nil
}

// Restart makes the next Read return the body from byte off, with a new
// request (resumed as any other when the network cuts it).
func (s *httpStream) Restart(off int64) error {
	if off < 0 || s.size >= 0 && off > s.size {
		return fmt.Errorf("source: %s: no byte %d", s.url, off)
	}
	s.offset = off
	if err := s.reopen(); err != nil {
		return fmt.Errorf("source: fetch %s from byte %d: %w", s.url, off, err)
	}
	s.interrupted.Store(false)
	s.br.Reset(idleReader{s})
	return nil
}

// Interrupt ends a Read in flight and fails those after it until Restart;
// it also ends the ReadAt calls in flight (not those after it).
func (s *httpStream) Interrupt() {
	s.interrupted.Store(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reqCancel != nil {
		s.reqCancel(hls.ErrInterrupted)
	}
	for c := range s.readsAt {
		(*c)(hls.ErrInterrupted)
	}
}

// explainAt is explain for a ReadAt, which Interrupt may end.
func (s *httpStream) explainAt(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), hls.ErrInterrupted) {
		return hls.ErrInterrupted
	}
	return s.explain(ctx, err)
}
