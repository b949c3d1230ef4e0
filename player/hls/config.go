package hls

import (
	"net/http"
	"time"
)

// Defaults for the zero Config.
const (
	DefaultRequestTimeout = 10 * time.Second
	DefaultRetries        = 3
	DefaultRetryBackoff   = 500 * time.Millisecond
)

// Config tunes a Reader. The zero value is ready to use.
type Config struct {
	// Client makes the requests; nil means http.DefaultClient. Its own
	// Timeout, if any, applies on top of RequestTimeout.
	Client *http.Client
	// RequestTimeout bounds how long a request may wait for the response
	// headers, and then for each further piece of the body: a server that
	// stalls fails the request within RequestTimeout. Default 10s.
	RequestTimeout time.Duration
	// Retries is how many times a request failing with a 5xx status, a
	// timeout or a connection error is retried. Default 3; negative
	// means none. A 404 for a playlist is never retried; a 404 for a
	// segment is retried up to twice, then the segment is skipped.
	Retries int
	// RetryBackoff is the wait before the first retry, doubled for each
	// further one (up to 8s), with jitter. Default 500ms.
	RetryBackoff time.Duration
	// MaxBandwidth caps the variants of a master playlist that may be
	// played, in bits per second; 0 means no cap. Playback starts with
	// the highest variant within the cap (the lowest when none fits).
	MaxBandwidth int
	// Fixed turns adaptive switching off: the variant chosen at Open
	// plays throughout. By default the Reader switches between variants
	// (of the same audio group) at segment boundaries, on the measured
	// throughput and the buffer level (see SetBufferLevel).
	Fixed bool

	clock clock // nil: the real clock; tests drive reloads with a fake one
}

// segmentNotFoundRetries is how often a 404 for a segment is retried: a
// live server may publish the playlist a moment before the segment.
const segmentNotFoundRetries = 2

func (c Config) withDefaults() Config {
	if c.Client == nil {
		c.Client = http.DefaultClient
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	switch {
	case c.Retries == 0:
		c.Retries = DefaultRetries
	case c.Retries < 0:
		c.Retries = 0
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = DefaultRetryBackoff
	}
	if c.clock == nil {
		c.clock = realClock{}
	}
	return c
}

// clock is the time source for playlist reloads and retry backoff.
type clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
