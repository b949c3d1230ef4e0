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

// do sends a request, trying again as configured, and decodes the answer
// into out unless out is nil.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("operator: %s %s: encode request: %w", method, u, err)
		}
	}
	delay := c.backoff
	for attempt := 0; ; attempt++ {
		retry, err := c.attempt(ctx, method, u, body, out)
		if err == nil || !retry || attempt >= c.retries {
			return err
		}
		wait := delay/2 + rand.N(delay/2+1)
		delay = min(2*delay, maxBackoff)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// attempt sends a request once, and reports whether a failure may be
// worth another attempt.
func (c *Client) attempt(ctx context.Context, method, u string, body []byte, out any) (retry bool, err error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, u, r)
	if err != nil {
		return false, fmt.Errorf("operator: %s %s: %w", method, u, err)
	}
	req.Header.Set("Accept", "application/json")
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(ctx, method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseSize+1))
	if err != nil {
		return c.transportError(ctx, method, u, err)
	}
	if len(b) > MaxResponseSize {
		return false, fmt.Errorf("operator: %s %s: answer larger than %d MiB", method, u, MaxResponseSize>>20)
	}
	err = decodeResponse(resp.StatusCode, resp.Header.Get("Content-Type"), b, out)
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Method, apiErr.URL = method, u
		return apiErr.Status >= 500, apiErr
	}
	if err != nil {
		return false, fmt.Errorf("operator: %s %s: %w", method, u, err)
	}
	return false, nil
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
		if json.Unmarshal(body, &msg) == nil && msg.Error != "" {
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
