package headend

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Registration limits of Config, by default: a client address may
// register DefaultRegisterBurst boxes at once, then one more every
// DefaultRegisterEvery.
const (
	DefaultRegisterBurst = 20
	DefaultRegisterEvery = 3 * time.Second
)

// maxLimitedAddrs bounds the addresses a limiter remembers; when full, it
// forgets the addresses whose buckets are full again.
const maxLimitedAddrs = 10000

// limiter is a token bucket per client address.
type limiter struct {
	burst float64
	every time.Duration
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(burst int, every time.Duration) *limiter {
	return &limiter{burst: float64(burst), every: every, now: time.Now, buckets: map[string]*bucket{}}
}

// allow takes a token from addr's bucket, or returns how long until one
// is there.
func (l *limiter) allow(addr string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[addr]
	if b == nil {
		if len(l.buckets) >= maxLimitedAddrs {
			l.forgetFull(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[addr] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.every))
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(l.every))
}

// forgetFull drops the buckets that have refilled by now.
func (l *limiter) forgetFull(now time.Time) {
	for a, b := range l.buckets {
		if b.tokens+float64(now.Sub(b.at))/float64(l.every) >= l.burst {
			delete(l.buckets, a)
		}
	}
}

// clientAddr is the IP address of r's client, without its port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limit answers 429 with Retry-After to a client address whose bucket is
// empty, and passes the others to next.
func (l *limiter) limit(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := l.allow(clientAddr(r)); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeError(w, http.StatusTooManyRequests, "too many registrations from this address: try again in %d s", int(math.Ceil(wait.Seconds())))
			return
		}
		next(w, r)
	}
}
