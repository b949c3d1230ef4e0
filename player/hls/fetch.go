package hls

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Size limits for what a server may send; anything larger is an error
// rather than an unbounded allocation.
const (
	maxPlaylistBytes = 4 << 20
	maxSegmentBytes  = 64 << 20
	maxBackoff       = 8 * time.Second
)

// StatusError is a non-2xx HTTP response.
type StatusError struct {
	Code   int
	Status string // as sent, e.g. "404 Not Found"
}

func (e *StatusError) Error() string { return e.Status }

// errStalled cancels a request whose server went quiet.
var errStalled = errors.New("stalled")

// errTooLarge is returned for bodies beyond the size limits.
var errTooLarge = errors.New("response too large")

// byteRange selects part of a resource (EXT-X-BYTERANGE); length 0 means
// the whole resource.
type byteRange struct {
	offset, length int64
}

// fetcher makes GET requests with an inactivity timeout and retries.
type fetcher struct {
	client  *http.Client
	timeout time.Duration
	retries int
	backoff time.Duration
	clock   clock
}

// retryPolicy says how many times which failures are retried.
type retryPolicy struct {
	notFound int // retries for a 404; a playlist gets none
}

// get fetches u, retrying 5xx responses, timeouts and connection errors
// with exponential backoff and jitter. It returns the body and the final
// URL after redirects, against which relative URIs in the body resolve.
func (f *fetcher) get(ctx context.Context, u string, br byteRange, limit int64, p retryPolicy) ([]byte, *url.URL, error) {
	for attempt := 0; ; attempt++ {
		body, final, err := f.once(ctx, u, br, limit)
		if err == nil {
			return body, final, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if !f.retryable(err, attempt, p) {
			if attempt > 0 {
				err = fmt.Errorf("%w (after %d attempts)", err, attempt+1)
			}
			return nil, nil, err
		}
		select {
		case <-f.clock.After(f.delay(attempt)):
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

func (f *fetcher) retryable(err error, attempt int, p retryPolicy) bool {
	var se *StatusError
	switch {
	case errors.Is(err, errTooLarge):
		return false
	case errors.As(err, &se) && se.Code == http.StatusNotFound:
		return attempt < min(p.notFound, f.retries)
	case errors.As(err, &se):
		return se.Code >= 500 && attempt < f.retries
	}
	return attempt < f.retries // timeouts, refused or dropped connections
}

// delay returns the wait before retry number attempt+1: the backoff
// doubled per attempt, capped, with the upper half randomised so that
// many clients do not retry in step.
func (f *fetcher) delay(attempt int) time.Duration {
	d := f.backoff << min(attempt, 16)
	if d > maxBackoff || d <= 0 {
		d = maxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// once makes one request. f.timeout bounds the wait for the response
// headers and every wait for more of the body, so a server that stalls
// mid-response fails the request within f.timeout while a slow but
// steady download is not cut off.
func (f *fetcher) once(ctx context.Context, u string, br byteRange, limit int64) ([]byte, *url.URL, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := time.AfterFunc(f.timeout, func() { cancel(errStalled) })
	defer idle.Stop()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	if br.length > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(br.offset, 10)+"-"+strconv.FormatInt(br.offset+br.length-1, 10))
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, nil, f.explain(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, &StatusError{Code: resp.StatusCode, Status: resp.Status}
	}
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= limit {
		buf.Grow(int(n))
	}
	chunk := make([]byte, 32*1024)
	for {
		n, err := resp.Body.Read(chunk)
		if n > 0 {
			idle.Reset(f.timeout)
			if int64(buf.Len()+n) > limit {
				return nil, nil, fmt.Errorf("%w (over %d bytes)", errTooLarge, limit)
			}
			buf.Write(chunk[:n])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, f.explain(ctx, err)
		}
	}
	body := buf.Bytes()
	if br.length > 0 && resp.StatusCode == http.StatusOK {
		// The server ignored Range and sent the whole resource.
		if br.offset+br.length > int64(len(body)) {
			return nil, nil, fmt.Errorf("byte range %d@%d beyond %d-byte resource", br.length, br.offset, len(body))
		}
		body = body[br.offset : br.offset+br.length]
	}
	return body, resp.Request.URL, nil
}

// explain turns a transport error into a one-line reason: the stall
// timeout when it fired, otherwise the error without net/http's repetition
// of the method and URL.
func (f *fetcher) explain(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errStalled) {
		return fmt.Errorf("%w: no data for %v", errStalled, f.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
