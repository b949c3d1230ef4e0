package hls

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// staleTargets is how many target durations a live playlist may go
// without a new segment before the stream is considered dead.
const staleTargets = 3

// liveStartSegments is how far from the live edge playback starts: RFC
// 8216 advises against starting less than three target durations from
// the end of a live playlist.
const liveStartSegments = 3

// maxBadDecrypts is how many segments in a row may fail to decrypt before
// the stream is given up (a wrong key never gets better).
const maxBadDecrypts = 3

// loader walks a media playlist for a Reader: it reloads it when live,
// switches variants, fetches and decrypts segments and hands them over one
// at a time. Its state outlives one run (a Seek stops the run and starts
// another); only one goroutine touches it at a time.
type loader struct {
	r     *Reader
	f     *fetcher
	clock clock
	url   string         // media playlist URL playing
	pl    *mediaPlaylist // its latest version
	fixed bool           // no adaptive switching

	variants []variant // of the master playlist; nil for a media playlist URL
	allowed  []bool    // variants adaptive switching may choose
	cur      int       // index of the variant playing
	failed   []bool    // variants whose playlist could not be loaded
	vod      map[string]*mediaPlaylist

	abr  abr
	buf  bufferModel
	keys keyCache
	// carry is set when a skipped segment began a discontinuity, which
	// then passes to the next segment delivered.
	carry       bool
	badDecrypts int
	// switched is set by a variant switch until the next segment is
	// delivered, which the Reader then marks as a splice.
	switched bool
}

func (l *loader) run(ctx context.Context, rn *run, seq *uint64) {
	defer close(rn.done)
	defer close(rn.segs)
	err := l.play(ctx, rn.segs, seq)
	if err != nil && ctx.Err() == nil {
		select {
		case rn.segs <- fetched{err: err}:
		case <-ctx.Done():
		}
	}
}

// play fetches the playlist's segments in order, from seq or the
// playlist's natural start. For a live playlist it then reloads at the
// target duration (half of it when nothing changed, as RFC 8216 6.3.4
// says) and carries on from the next media sequence number, until the
// playlist ends. Before each segment it may switch variants.
func (l *loader) play(ctx context.Context, segs chan<- fetched, seq *uint64) error {
	pl := l.pl
	next := pl.firstSeq
	switch {
	case seq != nil:
		next = *seq
	case !pl.ended:
		next = liveStart(pl)
	}
	loaded := l.clock.Now()
	changed := loaded
	for {
		if i, ok := pl.index(next); ok {
			if l.adapt(ctx, pl.target) {
				pl, loaded, changed = l.pl, l.clock.Now(), l.clock.Now()
				if next < pl.firstSeq {
					l.r.count(0, int(min(pl.firstSeq-next, 1<<20)))
					next = pl.firstSeq
				}
				continue
			}
			s := pl.segments[i]
			if err := l.segment(ctx, segs, s); err != nil {
				return err
			}
			next = s.seq + 1
			continue
		}
		if pl.ended {
			return nil
		}

		wait := pl.target
		if !loaded.Equal(changed) {
			wait /= 2
		}
		if d := loaded.Add(wait).Sub(l.clock.Now()); d > 0 {
			select {
			case <-l.clock.After(d):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		fresh, err := l.reload(ctx)
		if err != nil {
			return err
		}
		loaded = l.clock.Now()
		switch {
		case fresh.endSeq() > pl.endSeq() || fresh.ended:
			changed = loaded
		case loaded.Sub(changed) >= staleTargets*pl.target:
			return fmt.Errorf("hls: live playlist %s has not changed for %v", l.url, loaded.Sub(changed).Round(time.Millisecond))
		}
		switch {
		case fresh.endSeq()+liveStartSegments < next:
			// Sequence numbers went back: the server restarted the
			// stream. Join it again near its live edge.
			next = liveStart(fresh)
			changed = loaded
			l.carry = true
		case next < fresh.firstSeq:
			// The window slid past segments not yet fetched.
			l.r.count(0, int(min(fresh.firstSeq-next, 1<<20)))
			next = fresh.firstSeq
		}
		pl = fresh
		l.pl = fresh
	}
}

// liveStart returns the sequence number to join a live playlist at.
func liveStart(pl *mediaPlaylist) uint64 {
	if len(pl.segments) > liveStartSegments {
		return pl.endSeq() - liveStartSegments
	}
	return pl.firstSeq
}

func (l *loader) reload(ctx context.Context) (*mediaPlaylist, error) {
	// A live playlist missing (404) may be a server coming back: it is
	// retried within the budget like a network error.
	pl, _, err := loadPlaylist(ctx, l.f, l.url, retryPolicy{notFound: -1})
	if err != nil {
		return nil, err
	}
	if pl == nil {
		return nil, fmt.Errorf("hls: %s: media playlist turned into a master playlist", l.url)
	}
	return pl, nil
}

// load returns the media playlist at u: fetched, or from the cache of VOD
// playlists, which never change.
func (l *loader) load(ctx context.Context, u string) (*mediaPlaylist, error) {
	if pl, ok := l.vod[u]; ok {
		return pl, nil
	}
	// A variant playlist: nothing waits on it that could not go on
	// without it, so it is not retried for long.
	pl, _, err := loadPlaylist(ctx, l.f, u, retryPolicy{budget: OpenRetryTimeout})
	if err != nil {
		return nil, err
	}
	if pl == nil {
		return nil, fmt.Errorf("hls: %s: variant is a master playlist itself", u)
	}
	if pl.ended {
		if l.vod == nil {
			l.vod = map[string]*mediaPlaylist{}
		}
		l.vod[u] = pl
	}
	return pl, nil
}

// adapt switches to the variant adaptive switching chooses for the next
// segment, and reports whether it did. A variant whose playlist cannot be
// loaded is not tried again.
func (l *loader) adapt(ctx context.Context, target time.Duration) bool {
	if l.fixed || len(l.variants) < 2 {
		return false
	}
	if l.failed == nil {
		l.failed = make([]bool, len(l.variants))
	}
	allowed := func(i int) bool { return l.allowed[i] && !l.failed[i] }
	buffer := l.r.buffered(l.clock.Now(), &l.buf)
	want := l.abr.choose(l.variants, allowed, l.cur, buffer, target)
	if want == l.cur {
		return false
	}
	v := l.variants[want]
	pl, err := l.load(ctx, v.uri)
	if err != nil {
		l.failed[want] = true
		return false
	}
	l.cur, l.url, l.pl = want, v.uri, pl
	l.switched = true
	l.r.switched(v.bandwidth)
	return true
}

// segment downloads s, decrypts it, and hands it to the Reader, blocking
// until the Reader takes it. A segment still missing after its 404
// retries is skipped and counted, as is one that does not decrypt.
func (l *loader) segment(ctx context.Context, segs chan<- fetched, s segment) error {
	start := l.clock.Now()
	var waited time.Duration
	data, _, err := l.f.get(ctx, s.uri, s.byteRange, maxSegmentBytes,
		retryPolicy{what: fmt.Sprintf("fetch segment %d", s.seq), notFound: segmentNotFoundRetries, waited: &waited})
	var se *StatusError
	switch {
	case errors.As(err, &se) && se.Code == http.StatusNotFound:
		l.skip(s)
		return nil
	case err != nil:
		return fmt.Errorf("hls: fetch segment %d %s: %w", s.seq, s.uri, err)
	}
	l.abr.sample(len(data), l.clock.Now().Sub(start)-waited)
	if s.key != nil {
		k, err := l.keys.get(ctx, s.key.uri)
		if err != nil {
			return err
		}
		if data, err = decryptSegment(data, k, ivFor(s.key, s.seq)); err != nil {
			if l.badDecrypts++; l.badDecrypts >= maxBadDecrypts {
				return fmt.Errorf("hls: decrypt segment %d %s: %w", s.seq, s.uri, err)
			}
			l.skip(s)
			return nil
		}
		l.badDecrypts = 0
	}
	l.r.count(1, 0)
	select {
	case segs <- fetched{data: data, discontinuity: s.discontinuity || l.carry, switched: l.switched}:
		l.carry, l.switched = false, false
		l.buf.add(s.duration, l.clock.Now())
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *loader) skip(s segment) {
	l.r.count(0, 1)
	l.carry = l.carry || s.discontinuity
}
