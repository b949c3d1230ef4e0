package hls

import (
	"net/http"
	"time"
)

// Defaults for the zero Config.
const (
	DefaultRequestTimeout = 10 * time.Second
	DefaultRetryTimeout   = 30 * time.Second
	DefaultRetryBackoff   = 250 * time.Millisecond
	// OpenRetryTimeout bounds the retries of the first playlist, in Open:
	// nothing plays yet, and a URL that does not answer is reported soon.
	OpenRetryTimeout = 4 * time.Second
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
	// RetryTimeout is how long a request failing with a 5xx status, a
	// timeout or a connection error (refused, reset, cut mid-body) is
	// retried, counted from the first failure in a row: a response that
	// makes progress before it fails starts the count again, and a cut
	// response is resumed from the byte reached. Media already buffered
	// plays meanwhile, and Stats.Reconnecting says what is retried. After
	// it, the stream ends with an error naming the URL and the cause.
	// Default 30s; negative means no retries. The first playlist (Open)
	// is retried for at most OpenRetryTimeout.
	//
	// A 404 for a live playlist is retried as long (the server may be
	// coming back); for the first playlist never. A 404 for a segment is
	// retried up to twice, then the segment is skipped.
	RetryTimeout time.Duration
	// Retries, when positive, also caps the number of retries in a row.
	// 0 means no cap but RetryTimeout; negative means no retries.
	Retries int
	// RetryBackoff is the wait before the first retry, doubled for each
	// further one up to 1s, with jitter. Default 250ms.
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
	case c.RetryTimeout == 0:
		c.RetryTimeout = DefaultRetryTimeout
	case c.RetryTimeout < 0:
		c.RetryTimeout = 0
	}
	if c.Retries < 0 {
		c.RetryTimeout = 0
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
