// Package hls is an HTTP Live Streaming (RFC 8216) client that turns a
// playlist URL into one continuous MPEG-TS byte stream for the demuxer.
//
// It follows master playlists to one variant, plays VOD playlists to the
// end and live playlists along their sliding window, prefetching one
// segment ahead. Playlists are parsed by github.com/grafov/m3u8.
package hls

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
)

// maxDiscontinuities bounds how many discontinuity offsets a Reader keeps.
const maxDiscontinuities = 256

// ErrClosed is returned by Read after Close.
var ErrClosed = errors.New("hls: reader closed")

// Stats describes what a Reader has done so far.
type Stats struct {
	SegmentsFetched  int   // segments downloaded
	SegmentsSkipped  int   // segments missing (404) or gone from a live window before they could be fetched
	BytesRead        int64 // bytes returned by Read
	VariantBandwidth int   // bits/s of the chosen master playlist variant; 0 for a media playlist URL
}

// Reader is the MPEG-TS byte stream of an HLS presentation: the segments
// of one media playlist, concatenated. Read and Close may be called from
// different goroutines; Stats and DiscontinuityBetween from any.
type Reader struct {
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the loader goroutine has ended
	segs   chan fetched  // unbuffered: the loader holds at most one segment ahead

	cur []byte // unread rest of the current segment
	err error  // terminal error, returned once cur is drained

	mu      sync.Mutex
	stats   Stats
	discont []int64 // stream offsets where a discontinuity segment starts
	closed  bool
}

// fetched is a downloaded segment, or the error that ends the stream.
type fetched struct {
	data          []byte
	discontinuity bool
	err           error
}

// Open fetches the playlist at rawURL (following a master playlist to one
// of its variants) and returns a Reader streaming its segments. A URL that
// cannot be fetched or is not a playlist fails here, with a one-line error.
// ctx bounds both Open and the life of the Reader.
func Open(ctx context.Context, rawURL string, cfg Config) (*Reader, error) {
	cfg = cfg.withDefaults()
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("hls: %q is not an http(s) URL", rawURL)
	}
	f := &fetcher{client: cfg.Client, timeout: cfg.RequestTimeout, retries: cfg.Retries,
		backoff: cfg.RetryBackoff, clock: cfg.clock}

	pl, vs, err := loadPlaylist(ctx, f, rawURL)
	if err != nil {
		return nil, err
	}
	var bandwidth int
	plURL := rawURL
	if pl == nil {
		v := chooseVariant(vs, cfg.MaxBandwidth)
		bandwidth, plURL = v.bandwidth, v.uri
		if pl, _, err = loadPlaylist(ctx, f, plURL); err != nil {
			return nil, err
		}
		if pl == nil {
			return nil, fmt.Errorf("hls: %s: variant is a master playlist itself", plURL)
		}
	}

	rctx, cancel := context.WithCancel(ctx)
	r := &Reader{
		ctx:    rctx,
		cancel: cancel,
		done:   make(chan struct{}),
		segs:   make(chan fetched),
		stats:  Stats{VariantBandwidth: bandwidth},
	}
	l := &loader{r: r, f: f, clock: cfg.clock, url: plURL}
	go l.run(rctx, pl)
	return r, nil
}

// loadPlaylist fetches and parses the playlist at u. Errors name the URL.
func loadPlaylist(ctx context.Context, f *fetcher, u string) (*mediaPlaylist, []variant, error) {
	body, final, err := f.get(ctx, u, byteRange{}, maxPlaylistBytes, retryPolicy{})
	if err != nil {
		return nil, nil, fmt.Errorf("hls: fetch playlist %s: %w", u, err)
	}
	pl, vs, err := parsePlaylist(body, final)
	if err != nil {
		return nil, nil, fmt.Errorf("hls: %s: %w", u, err)
	}
	return pl, vs, nil
}

// Read reads the stream. It returns io.EOF after the last segment of a VOD
// or ended live playlist, ErrClosed after Close, and otherwise the error
// that stopped the stream.
func (r *Reader) Read(p []byte) (int, error) {
	if r.ctx.Err() != nil {
		return 0, r.closedErr()
	}
	for len(r.cur) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		select {
		case f, ok := <-r.segs:
			switch {
			case !ok:
				r.err = io.EOF
				if r.ctx.Err() != nil {
					r.err = r.closedErr()
				}
			case f.err != nil:
				r.err = f.err
			default:
				r.cur = f.data
				if f.discontinuity {
					r.markDiscontinuity()
				}
			}
		case <-r.ctx.Done():
			return 0, r.closedErr()
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	r.mu.Lock()
	r.stats.BytesRead += int64(n)
	r.mu.Unlock()
	return n, nil
}

// closedErr is the error for a Reader whose context is done: ErrClosed
// after Close, else the context's error.
func (r *Reader) closedErr() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	return r.ctx.Err()
}

func (r *Reader) markDiscontinuity() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.discont) == maxDiscontinuities {
		r.discont = append(r.discont[:0], r.discont[1:]...)
	}
	r.discont = append(r.discont, r.stats.BytesRead)
}

// Close stops the stream, cancelling any request in flight, and returns
// once the background goroutine has ended.
func (r *Reader) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	<-r.done
	return nil
}

// Stats returns counters of what the Reader has done so far.
func (r *Reader) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Discontinuities returns the stream offsets, in bytes from the start of
// the stream, at which a segment marked EXT-X-DISCONTINUITY begins (the
// most recent 256). A demuxer crossing one must expect timestamps, codecs
// and continuity counters to change.
func (r *Reader) Discontinuities() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.discont...)
}

// DiscontinuityBetween reports whether a discontinuity begins at a stream
// offset in [from, to): whether reading those bytes crossed one.
func (r *Reader) DiscontinuityBetween(from, to int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, off := range r.discont {
		if off >= from && off < to {
			return true
		}
	}
	return false
}

func (r *Reader) count(fetched, skipped int) {
	r.mu.Lock()
	r.stats.SegmentsFetched += fetched
	r.stats.SegmentsSkipped += skipped
	r.mu.Unlock()
}
