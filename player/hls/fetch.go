package hls

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Size limits for what a server may send; anything larger is an error
// rather than an unbounded allocation.
const (
	maxPlaylistBytes = 4 << 20
	maxSegmentBytes  = 64 << 20
	// maxBackoff caps the wait between retries, so that a server's
	// return is noticed within about a second.
	maxBackoff = time.Second
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
	retries int           // at most this many retries in a row; 0: no limit but the budget
	budget  time.Duration // how long failures in a row are retried; 0: never
	backoff time.Duration
	clock   clock
	// status, when set, is told what a retry is waiting on ("fetch
	// segment 9: connection refused"), and "" once a request succeeds.
	status func(string)
}

// retryPolicy says which failures of one request are retried, and names
// the request for the status.
type retryPolicy struct {
	what     string        // "fetch segment 9", for the status
	notFound int           // retries for a 404 (a playlist gets none); -1: within the budget
	budget   time.Duration // overrides the fetcher's budget when > 0
	// waited, when set, adds up the time spent waiting between retries,
	// which a throughput measure leaves out.
	waited *time.Duration
}

// errCut is a response whose connection ended before its body did.
var errCut = errors.New("connection cut mid-response")

// partial is what has arrived of a resource over the attempts to get it.
type partial struct {
	body      []byte
	validator string // ETag or Last-Modified, for If-Range
	final     *url.URL
}

// get fetches u, retrying 5xx responses, timeouts and connection errors
// with capped exponential backoff and jitter for as long as the budget
// allows; a response cut short is resumed from the byte reached with a
// Range request (or fetched whole again where the server ignores it).
// Progress resets the budget: only failures in a row count. It returns
// the body and the final URL after redirects, against which relative URIs
// in the body resolve.
func (f *fetcher) get(ctx context.Context, u string, br byteRange, limit int64, p retryPolicy) ([]byte, *url.URL, error) {
	budget := f.budget
	if p.budget > 0 {
		budget = min(budget, p.budget)
	}
	var part partial
	var failStart time.Time
	fails := 0
	for attempt := 0; ; attempt++ {
		had := len(part.body)
		err := f.once(ctx, u, br, limit, &part)
		if err == nil {
			f.report("")
			return part.body, part.final, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if len(part.body) > had { // data flowed: the server is there
			fails, failStart = 0, time.Time{}
			f.report("")
		}
		if failStart.IsZero() {
			failStart = f.clock.Now()
		}
		if !f.retryable(err, fails, p) || f.clock.Now().Sub(failStart) >= budget {
			switch el := f.clock.Now().Sub(failStart); {
			case attempt > 0 && el >= time.Second:
				err = fmt.Errorf("%w (after %d attempts over %v)", err, attempt+1, el.Round(time.Second))
			case attempt > 0:
				err = fmt.Errorf("%w (after %d attempts)", err, attempt+1)
			}
			return nil, nil, err
		}
		if p.what != "" {
			f.report(p.what + ": " + err.Error())
		}
		wait := f.delay(fails)
		select {
		case <-f.clock.After(wait):
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		if p.waited != nil {
			*p.waited += wait
		}
		fails++
	}
}

func (f *fetcher) report(s string) {
	if f.status != nil {
		f.status(s)
	}
}

// retryable says whether a request failing with err after fails failures
// in a row is tried again (within the budget).
func (f *fetcher) retryable(err error, fails int, p retryPolicy) bool {
	if f.retries > 0 && fails >= f.retries {
		return false
	}
	var se *StatusError
	switch {
	case errors.Is(err, errTooLarge), errors.Is(err, errBadRange):
		return false
	case errors.As(err, &se) && se.Code == http.StatusNotFound:
		return p.notFound < 0 || fails < p.notFound
	case errors.As(err, &se):
		return se.Code >= 500 || se.Code == http.StatusRequestedRangeNotSatisfiable
	}
	return true // timeouts, refused or dropped connections
}

// delay returns the wait before the retry after fails failures in a row:
// the backoff doubled per failure, capped at maxBackoff so that a
// server's return is noticed soon, the upper half randomised so that many
// clients do not retry in step.
func (f *fetcher) delay(fails int) time.Duration {
	d := f.backoff << min(fails, 16)
	if d > maxBackoff || d <= 0 {
		d = maxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// errBadRange is a byte range the resource does not have.
var errBadRange = errors.New("byte range beyond the resource")

// once makes one request, for what part still lacks, and appends what
// arrives to it. f.timeout bounds the wait for the response headers and
// every wait for more of the body, so a server that stalls mid-response
// fails the request within f.timeout while a slow but steady download is
// not cut off.
func (f *fetcher) once(ctx context.Context, u string, br byteRange, limit int64, part *partial) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := time.AfterFunc(f.timeout, func() { cancel(errStalled) })
	defer idle.Stop()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	from := br.offset + int64(len(part.body))
	resuming := len(part.body) > 0
	switch {
	case br.length > 0:
		req.Header.Set("Range", "bytes="+strconv.FormatInt(from, 10)+"-"+strconv.FormatInt(br.offset+br.length-1, 10))
	case resuming:
		req.Header.Set("Range", "bytes="+strconv.FormatInt(from, 10)+"-")
	}
	if resuming && part.validator != "" {
		req.Header.Set("If-Range", part.validator)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return f.explain(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && resuming {
			part.body = part.body[:0] // the resource changed: start again
		}
		return &StatusError{Code: resp.StatusCode, Status: resp.Status}
	}
	// skip is what of this response is not wanted: all of a resource
	// sent whole for a range (the server ignored Range), up to the start.
	var skip int64
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		start, ok := ContentRangeStart(resp.Header.Get("Content-Range"))
		if !ok || start != from {
			part.body = part.body[:0]
			return fmt.Errorf("%w: asked for byte %d, got %q", errCut, from, resp.Header.Get("Content-Range"))
		}
	case br.length > 0:
		part.body, skip = part.body[:0], br.offset
	default:
		part.body = part.body[:0] // sent whole: start again
	}
	if v := resp.Header.Get("ETag"); v != "" && !strings.HasPrefix(v, "W/") {
		part.validator = v
	} else if v := resp.Header.Get("Last-Modified"); v != "" {
		part.validator = v
	}
	part.final = resp.Request.URL
	want := limit
	if br.length > 0 {
		want = min(limit, br.length)
	}
	if n := resp.ContentLength; n > 0 && n-skip <= want && cap(part.body) < len(part.body)+int(n-skip) {
		part.body = append(make([]byte, 0, len(part.body)+int(n-skip)), part.body...)
	}
	chunk := make([]byte, 32*1024)
	for {
		n, rerr := resp.Body.Read(chunk)
		if n > 0 {
			idle.Reset(f.timeout)
			b := chunk[:n]
			if skip > 0 {
				k := min(skip, int64(len(b)))
				b, skip = b[k:], skip-k
			}
			if br.length > 0 {
				b = b[:min(int64(len(b)), br.length-int64(len(part.body)))]
			}
			if int64(len(part.body)+len(b)) > limit {
				return fmt.Errorf("%w (over %d bytes)", errTooLarge, limit)
			}
			part.body = append(part.body, b...)
			if br.length > 0 && int64(len(part.body)) == br.length {
				return nil
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return f.explain(ctx, rerr)
		}
	}
	if br.length > 0 && int64(len(part.body)) < br.length {
		if resp.StatusCode == http.StatusOK {
			return fmt.Errorf("%w (%d@%d)", errBadRange, br.length, br.offset)
		}
		return fmt.Errorf("%w: %d of %d bytes", errCut, len(part.body), br.length)
	}
	return nil
}

// ContentRangeStart returns the first byte of a Content-Range header
// ("bytes 100-199/1000"): where a resumed download's body starts. The
// plain HTTP source uses it too.
func ContentRangeStart(cr string) (int64, bool) {
	rest, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return 0, false
	}
	first, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(first), 10, 64)
	return n, err == nil && n >= 0
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
		err = ue.Err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// Not io.ErrUnexpectedEOF itself, which readers take for the end
		// of a truncated stream: the stream goes on once resumed.
		return errCut
	}
	return err
}
