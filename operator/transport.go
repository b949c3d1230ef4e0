package operator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// MaxResponseSize bounds the body of an answer of the API.
const MaxResponseSize = 8 << 20

// APIError is an error answer (4xx or 5xx) of the head-end.
type APIError struct {
	Method  string // of the request
	URL     string // of the request
	Status  int    // HTTP status code
	Message string // the server's Error message, or the status text
}

func (e *APIError) Error() string {
	return fmt.Sprintf("operator: %s %s: %s (%d %s)", e.Method, e.URL, e.Message, e.Status, http.StatusText(e.Status))
}

// IsNotFound reports whether err is an API answer 404: no such title,
// session...
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// ErrMalformed is wrapped by errors about answers that are not the JSON
// the API promises.
var ErrMalformed = errors.New("malformed JSON")

// shortError is an error with a one-line message of its own, keeping the
// error it describes for errors.Is and errors.As.
type shortError struct {
	msg string
	err error
}

func (e *shortError) Error() string { return e.msg }
func (e *shortError) Unwrap() error { return e.err }

// url is the URL of path with query q.
func (c *Client) url(path string, q map[string][]string) string {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + url.Values(q).Encode()
	}
	return u
}

// answer is an HTTP answer read whole.
type answer struct {
	status int
	ctype  string
	etag   string
	body   []byte
}

// do sends a request, trying again as configured, and decodes the answer
// into out unless out is nil. It sends the device token, and registers
// once when the head-end answers 401. GETs of cachedAnswer types go
// through the cache, if the client has one.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := c.url(path, query)
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("operator: %s %s: encode request: %w", method, u, err)
		}
	}
	var kept *cacheEntry
	ca, cacheable := out.(cachedAnswer)
	cacheable = cacheable && method == "GET" && c.cache != nil
	if cacheable {
		kept = c.cache.get(u)
	}
	// stale gives the kept answer instead of failing with err.
	stale := func(err error) error {
		if kept == nil || json.Unmarshal(kept.Body, out) != nil {
			return err
		}
		ca.setCached(Cached{Stale: true, FetchedAt: kept.FetchedAt})
		return nil
	}
	auth := path != registerPath
	for try := 0; ; try++ {
		h := http.Header{}
		token := ""
		if auth || path == registerPath {
			if token = c.currentToken(); token != "" {
				h.Set("Authorization", "Bearer "+token)
			}
		}
		if kept != nil && kept.ETag != "" {
			h.Set("If-None-Match", kept.ETag)
		}
		a, err := c.exchange(ctx, method, u, body, h)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return stale(err)
		}
		if a.status == http.StatusUnauthorized && auth && try == 0 {
			if err := c.reregister(ctx, token); err != nil {
				return err
			}
			continue
		}
		if a.status == http.StatusNotModified && kept != nil {
			kept.FetchedAt = c.cache.now()
			c.cache.put(kept)
			if err := json.Unmarshal(kept.Body, out); err != nil {
				return fmt.Errorf("operator: %s %s: cached answer: %w", method, u, err)
			}
			ca.setCached(Cached{FetchedAt: kept.FetchedAt})
			return nil
		}
		err = decodeResponse(a.status, a.ctype, a.body, out)
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			apiErr.Method, apiErr.URL = method, u
			if apiErr.Status >= 500 {
				return stale(apiErr)
			}
			return apiErr
		}
		if err != nil {
			return stale(fmt.Errorf("operator: %s %s: %w", method, u, err))
		}
		if cacheable {
			e := &cacheEntry{URL: u, ETag: a.etag, FetchedAt: c.cache.now(), Body: a.body}
			c.cache.put(e)
			ca.setCached(Cached{FetchedAt: e.FetchedAt})
		}
		return nil
	}
}

// exchange sends a request, trying again after network errors, timeouts
// and 5xx answers as configured, and returns the last answer.
func (c *Client) exchange(ctx context.Context, method, u string, body []byte, h http.Header) (*answer, error) {
	delay := c.backoff
	for attempt := 0; ; attempt++ {
		a, retry, err := c.attempt(ctx, method, u, body, h)
		if (err == nil && a.status < 500) || !retry || attempt >= c.retries {
			return a, err
		}
		wait := delay/2 + rand.N(delay/2+1)
		delay = min(2*delay, maxBackoff)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return a, err
		case <-t.C:
		}
	}
}

// attempt sends a request once, and reports whether a failure may be
// worth another attempt.
func (c *Client) attempt(ctx context.Context, method, u string, body []byte, h http.Header) (_ *answer, retry bool, err error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, u, r)
	if err != nil {
		return nil, false, fmt.Errorf("operator: %s %s: %w", method, u, err)
	}
	req.Header = h
	req.Header.Set("Accept", "application/json")
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		retry, err := c.transportError(ctx, method, u, err)
		return nil, retry, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseSize+1))
	if err != nil {
		retry, err := c.transportError(ctx, method, u, err)
		return nil, retry, err
	}
	if len(b) > MaxResponseSize {
		return nil, false, fmt.Errorf("operator: %s %s: answer larger than %d MiB", method, u, MaxResponseSize>>20)
	}
	a := &answer{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), etag: resp.Header.Get("ETag"), body: b}
	return a, a.status >= 500, nil
}

// transportError describes a failure to get an answer in one line. It
// is worth another attempt unless ctx, the caller's context, is done.
func (c *Client) transportError(ctx context.Context, method, u string, err error) (retry bool, _ error) {
	var msg string
	var dnsErr *net.DNSError
	switch {
	case ctx.Err() != nil:
		return false, fmt.Errorf("operator: %s %s: %w", method, u, context.Cause(ctx))
	case errors.Is(err, context.DeadlineExceeded):
		msg = fmt.Sprintf("no answer within %v", c.timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		msg = "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		msg = "network unreachable"
	case errors.As(err, &dnsErr):
		msg = fmt.Sprintf("cannot resolve %s", dnsErr.Name)
	default:
		var ue *url.Error
		if errors.As(err, &ue) {
			msg = ue.Err.Error()
		} else {
			msg = err.Error()
		}
	}
	return true, fmt.Errorf("operator: %s %s: %w", method, u, &shortError{msg, err})
}

// malformed is the error of an answer that decoded but makes no sense.
func (c *Client) malformed(method, path string, err error) error {
	return fmt.Errorf("operator: %s %s%s: %w: %w", method, c.base, path, ErrMalformed, err)
}

// decodeResponse interprets an answer of the API: a 2xx answer is
// decoded into out (ignored if out is nil); any other is returned as an
// *APIError without its Method and URL.
func decodeResponse(status int, contentType string, body []byte, out any) error {
	if status < 200 || status > 299 {
		e := &APIError{Status: status, Message: http.StatusText(status)}
		var msg Error
		if json.Unmarshal(body, &msg) == nil && oneLine(msg.Error, 300) != "" { // not blank either
			e.Message = oneLine(msg.Error, 300)
		} else if e.Message == "" {
			e.Message = "unexpected status"
		}
		return e
	}
	if out == nil {
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("%w: empty body (status %d)", ErrMalformed, status)
	}
	if err := json.Unmarshal(body, out); err != nil {
		if ct, _, _ := strings.Cut(contentType, ";"); ct != "" && !strings.HasSuffix(strings.TrimSpace(ct), "json") {
			return fmt.Errorf("%w (%s): %w", ErrMalformed, strings.TrimSpace(ct), err)
		}
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

// oneLine returns s on one line and at most max bytes long, so that a
// server cannot make the box show a screenful.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
