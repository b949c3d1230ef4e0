// Package hls is an HTTP Live Streaming (RFC 8216) client that turns a
// playlist URL into one continuous MPEG-TS byte stream for the demuxer.
//
// It follows master playlists, switching adaptively between variants at
// segment boundaries, and offers their alternative audio renditions as
// Readers of their own. It plays VOD playlists to the end (and seeks in
// them) and live playlists along their sliding window, prefetching one
// segment ahead; it decrypts AES-128 segments, follows byte ranges, marks
// discontinuities, and retries failed requests with backoff. Playlists are
// parsed by github.com/grafov/m3u8.
package hls

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"

	"github.com/manbang/manbang/player/media"
)

// maxDiscontinuities bounds how many discontinuity offsets a Reader keeps.
const maxDiscontinuities = 256

// Errors returned by a Reader.
var (
	// ErrClosed is returned by Read after Close.
	ErrClosed = errors.New("hls: reader closed")
	// ErrInterrupted is returned by Read between Interrupt and Seek.
	ErrInterrupted = errors.New("hls: read interrupted")
	// ErrNotSeekable is returned by Seek on a live playlist.
	ErrNotSeekable = errors.New("hls: live stream: cannot seek")
)

// Stats describes what a Reader has done so far.
type Stats struct {
	SegmentsFetched  int   // segments downloaded
	SegmentsSkipped  int   // segments missing (404), undecryptable, or gone from a live window before they could be fetched
	BytesRead        int64 // bytes returned by Read
	VariantBandwidth int   // bits/s of the master playlist variant playing; 0 for a media playlist URL
	VariantSwitches  int   // adaptive switches between variants
}

// Reader is the MPEG-TS byte stream of an HLS presentation: the segments
// of one media playlist, concatenated. Read is for one goroutine; Close,
// Interrupt, Seek, Stats and the other methods may be called from any.
type Reader struct {
	ctx    context.Context
	cancel context.CancelFunc
	cfg    Config
	ld     *loader // run by one goroutine at a time; see run
	vod    bool
	dur    time.Duration
	rends  []Rendition

	seekMu sync.Mutex // serialises Seek

	mu          sync.Mutex
	run         *run // the loader goroutine feeding Read
	gen         uint64
	cur         []byte // unread rest of the current segment
	err         error  // terminal error, returned once cur is drained
	interrupted bool
	wake        chan struct{} // closed to wake a blocked Read
	offset      int64         // bytes read since Open or the last Seek
	discont     []int64       // offsets where a discontinuity segment starts
	splices     []int64       // offsets where a segment of another variant starts
	stats       Stats
	closed      bool
	bufferLevel func() time.Duration
	// reconnecting names the failure a request is being retried after.
	reconnecting string
}

// run is one goroutine of the loader, from Open or a Seek to the end of
// the stream or the next Seek.
type run struct {
	cancel context.CancelFunc
	done   chan struct{}
	segs   chan fetched // unbuffered: the loader holds at most one segment ahead
}

func (r *run) stop() {
	r.cancel()
	<-r.done
}

// fetched is a downloaded segment, or the error that ends the stream.
type fetched struct {
	data          []byte
	discontinuity bool
	switched      bool // the first segment after a variant switch
	err           error
}

// Open fetches the playlist at rawURL (following a master playlist to the
// variant to start with) and returns a Reader streaming its segments. A
// URL that cannot be fetched or is not a playlist fails here, with a
// one-line error. ctx bounds both Open and the life of the Reader.
func Open(ctx context.Context, rawURL string, cfg Config) (*Reader, error) {
	cfg = cfg.withDefaults()
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("hls: %q is not an http(s) URL", rawURL)
	}
	rctx, cancel := context.WithCancel(ctx)
	r := &Reader{ctx: rctx, cancel: cancel, cfg: cfg, wake: make(chan struct{})}
	f := &fetcher{client: cfg.Client, timeout: cfg.RequestTimeout, retries: max(cfg.Retries, 0),
		budget: cfg.RetryTimeout, backoff: cfg.RetryBackoff, clock: cfg.clock, status: r.setReconnecting}

	pl, m, err := loadPlaylist(ctx, f, rawURL, retryPolicy{budget: OpenRetryTimeout})
	if err != nil {
		cancel()
		return nil, err
	}
	l := &loader{r: r, f: f, clock: cfg.clock, url: rawURL, pl: pl, fixed: cfg.Fixed}
	l.keys.f = f
	if m != nil {
		l.cur = chooseVariant(m.variants, cfg.MaxBandwidth)
		l.variants = m.variants
		l.allowed = allowedVariants(m.variants, l.cur, cfg.MaxBandwidth)
		v := m.variants[l.cur]
		l.url = v.uri
		if l.pl, err = l.load(ctx, v.uri); err != nil {
			cancel()
			return nil, err
		}
		r.stats.VariantBandwidth = v.bandwidth
		for _, rd := range m.renditions {
			if rd.GroupID == v.audio && v.audio != "" {
				r.rends = append(r.rends, rd)
			}
		}
	}
	r.ld = l
	r.vod = l.pl.ended
	if r.vod {
		r.dur = l.pl.duration()
	}
	r.start(nil)
	return r, nil
}

// allowedVariants says which variants adaptive switching may choose: those
// like the starting one (same audio group, with video or audio-only alike)
// within the bandwidth cap, or, when none of them fits the cap, the
// starting one alone.
func allowedVariants(vs []variant, start, maxBandwidth int) []bool {
	ok := make([]bool, len(vs))
	n := 0
	for i, v := range vs {
		if v.audio == vs[start].audio && v.audioOnly == vs[start].audioOnly && (maxBandwidth <= 0 || v.bandwidth <= maxBandwidth) {
			ok[i] = true
			n++
		}
	}
	if n == 0 {
		ok[start] = true
	}
	return ok
}

// start runs the loader from sequence number seq (nil: the playlist's
// default start). The caller holds no lock, and no run is in flight.
func (r *Reader) start(seq *uint64) {
	ctx, cancel := context.WithCancel(r.ctx)
	rn := &run{cancel: cancel, done: make(chan struct{}), segs: make(chan fetched)}
	r.mu.Lock()
	r.run = rn
	r.mu.Unlock()
	go r.ld.run(ctx, rn, seq)
}

// loadPlaylist fetches and parses the playlist at u, retrying as p says.
// Errors name the URL.
func loadPlaylist(ctx context.Context, f *fetcher, u string, p retryPolicy) (*mediaPlaylist, *master, error) {
	if p.what == "" {
		p.what = "fetch playlist"
	}
	body, final, err := f.get(ctx, u, byteRange{}, maxPlaylistBytes, p)
	if err != nil {
		return nil, nil, fmt.Errorf("hls: fetch playlist %s: %w", u, err)
	}
	pl, m, err := parsePlaylist(body, final)
	if err != nil {
		return nil, nil, fmt.Errorf("hls: %s: %w", u, err)
	}
	return pl, m, nil
}

// Read reads the stream. It returns io.EOF after the last segment of a VOD
// or ended live playlist, ErrClosed after Close, ErrInterrupted after
// Interrupt, and otherwise the error that stopped the stream.
func (r *Reader) Read(p []byte) (int, error) {
	if r.ctx.Err() != nil {
		return 0, r.closedErr()
	}
	for {
		r.mu.Lock()
		switch {
		case r.closed:
			r.mu.Unlock()
			return 0, ErrClosed
		case r.interrupted:
			r.mu.Unlock()
			return 0, ErrInterrupted
		case len(r.cur) > 0:
			n := copy(p, r.cur)
			r.cur = r.cur[n:]
			r.offset += int64(n)
			r.stats.BytesRead += int64(n)
			r.mu.Unlock()
			return n, nil
		case r.err != nil:
			err := r.err
			r.mu.Unlock()
			return 0, err
		}
		segs, wake, gen := r.run.segs, r.wake, r.gen
		r.mu.Unlock()
		select {
		case f, ok := <-segs:
			r.mu.Lock()
			if gen == r.gen {
				switch {
				case !ok:
					r.err = io.EOF
				case f.err != nil:
					r.err = f.err
				default:
					r.cur = f.data
					if f.discontinuity {
						r.markDiscontinuity()
					}
					if f.switched {
						if len(r.splices) == maxDiscontinuities {
							r.splices = append(r.splices[:0], r.splices[1:]...)
						}
						r.splices = append(r.splices, r.offset)
					}
				}
			}
			r.mu.Unlock()
		case <-wake:
		case <-r.ctx.Done():
			return 0, r.closedErr()
		}
	}
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
	if len(r.discont) == maxDiscontinuities {
		r.discont = append(r.discont[:0], r.discont[1:]...)
	}
	r.discont = append(r.discont, r.offset)
}

// Interrupt makes a Read blocked in another goroutine return
// ErrInterrupted, and every Read after it, until the next Seek. A player
// interrupts its demuxer this way before seeking, so that no byte from the
// new position reaches the demuxer of the old one.
func (r *Reader) Interrupt() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.interrupted = true
	r.wakeLocked()
}

func (r *Reader) wakeLocked() {
	close(r.wake)
	r.wake = make(chan struct{})
}

// Seekable reports whether Seek can work: the playlist is VOD.
func (r *Reader) Seekable() bool { return r.vod }

// Duration returns the length of a VOD presentation, or 0 for live.
func (r *Reader) Duration() time.Duration { return r.dur }

// Seek restarts the stream at the beginning of the segment that plays at t
// (from the start of the presentation) and returns the time that segment
// starts at; the demuxer must start afresh, and skip what comes before t
// itself if it wants t exactly. Reads then continue from there, with
// stream offsets (Discontinuities) counted from the new position. Seek
// fails with ErrNotSeekable on a live playlist.
func (r *Reader) Seek(t time.Duration) (time.Duration, error) {
	if !r.vod {
		return 0, ErrNotSeekable
	}
	r.seekMu.Lock()
	defer r.seekMu.Unlock()
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return 0, ErrClosed
	}
	old := r.run
	r.gen++
	r.mu.Unlock()
	old.stop()

	// The loader goroutine has ended: its state is ours until start.
	pl := r.ld.pl
	if len(pl.segments) == 0 {
		r.reset()
		r.start(nil)
		return 0, nil
	}
	i, at := pl.segmentAt(max(t, 0))
	seq := pl.segments[i].seq
	r.ld.buf = bufferModel{}
	r.ld.carry = false
	r.reset()
	r.start(&seq)
	return at, nil
}

// reset forgets the rest of the current segment and the stream's end, for
// a new position.
func (r *Reader) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cur, r.err, r.interrupted = nil, nil, false
	r.offset, r.discont, r.splices = 0, nil, nil
	r.wakeLocked()
}

// Close stops the stream, cancelling any request in flight, and returns
// once the background goroutine has ended.
func (r *Reader) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.seekMu.Lock() // a Seek in progress has installed its run by now
	r.mu.Lock()
	rn := r.run
	r.mu.Unlock()
	r.seekMu.Unlock()
	rn.stop()
	return nil
}

// Stats returns counters of what the Reader has done so far.
func (r *Reader) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// SourceStats implements media.StatsSource.
func (r *Reader) SourceStats() media.SourceStats {
	st := r.Stats()
	r.mu.Lock()
	reconnecting := r.reconnecting
	r.mu.Unlock()
	return media.SourceStats{
		VariantSwitches:  st.VariantSwitches,
		VariantBandwidth: st.VariantBandwidth,
		SegmentsSkipped:  st.SegmentsSkipped,
		Reconnecting:     reconnecting,
	}
}

// Reconnecting names the network failure a request is being retried
// after ("fetch segment 9: connection refused"), or is empty while
// requests succeed.
func (r *Reader) Reconnecting() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reconnecting
}

func (r *Reader) setReconnecting(s string) {
	r.mu.Lock()
	r.reconnecting = s
	r.mu.Unlock()
}

// SetBufferLevel gives adaptive switching the player's own measure of the
// media buffered ahead of playback. Without it the Reader assumes that
// what it delivered plays in real time.
func (r *Reader) SetBufferLevel(level func() time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bufferLevel = level
}

// buffered returns the media buffered ahead of playback.
func (r *Reader) buffered(now time.Time, model *bufferModel) time.Duration {
	r.mu.Lock()
	level := r.bufferLevel
	r.mu.Unlock()
	if level != nil {
		return level()
	}
	return model.now(now)
}

// AudioRenditions returns the alternative audio renditions of the variant
// playing (EXT-X-MEDIA TYPE=AUDIO of its AUDIO group), in playlist order;
// none for a media playlist URL.
func (r *Reader) AudioRenditions() []Rendition { return append([]Rendition(nil), r.rends...) }

// OpenRendition opens the media playlist of an audio rendition as a Reader
// of its own, with the same configuration. ctx bounds its life.
func (r *Reader) OpenRendition(ctx context.Context, rd Rendition) (*Reader, error) {
	if rd.URI == "" {
		return nil, fmt.Errorf("hls: rendition %q is carried in the variant's stream", rd.Name)
	}
	return Open(ctx, rd.URI, r.cfg)
}

// Discontinuities returns the stream offsets, in bytes from the start of
// the stream or the last Seek, at which a segment marked
// EXT-X-DISCONTINUITY begins (the most recent 256). A demuxer crossing
// one must expect timestamps, codecs and continuity counters to change.
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

// SpliceBetween reports whether a segment of another variant than the one
// before it (an adaptive switch) begins at a stream offset in [from, to):
// the timeline goes on there, but continuity counters start afresh.
func (r *Reader) SpliceBetween(from, to int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, off := range r.splices {
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

func (r *Reader) switched(bandwidth int) {
	r.mu.Lock()
	r.stats.VariantSwitches++
	r.stats.VariantBandwidth = bandwidth
	r.mu.Unlock()
}
