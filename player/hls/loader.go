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

// loader is the goroutine behind a Reader: it walks the media playlist,
// reloads it when live, and hands downloaded segments to the Reader one at
// a time.
type loader struct {
	r     *Reader
	f     *fetcher
	clock clock
	url   string // media playlist URL
	// carry is set when a skipped segment began a discontinuity, which
	// then passes to the next segment delivered.
	carry bool
}

func (l *loader) run(ctx context.Context, pl *mediaPlaylist) {
	defer close(l.r.done)
	defer close(l.r.segs)
	err := l.play(ctx, pl)
	if err != nil && ctx.Err() == nil {
		select {
		case l.r.segs <- fetched{err: err}:
		case <-ctx.Done():
		}
	}
}

// play fetches the playlist's segments in order. For a live playlist it
// then reloads at the target duration (half of it when nothing changed,
// as RFC 8216 6.3.4 says) and carries on from the next media sequence
// number, until the playlist ends.
func (l *loader) play(ctx context.Context, pl *mediaPlaylist) error {
	next := pl.firstSeq
	if !pl.ended {
		next = liveStart(pl)
	}
	loaded := l.clock.Now()
	changed := loaded
	for {
		for _, s := range pl.segments {
			if s.seq < next {
				continue
			}
			if err := l.segment(ctx, s); err != nil {
				return err
			}
			next = s.seq + 1
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
	pl, _, err := loadPlaylist(ctx, l.f, l.url)
	if err != nil {
		return nil, err
	}
	if pl == nil {
		return nil, fmt.Errorf("hls: %s: media playlist turned into a master playlist", l.url)
	}
	return pl, nil
}

// segment downloads s and hands it to the Reader, blocking until the
// Reader takes it. A segment still missing after its 404 retries is
// skipped and counted.
func (l *loader) segment(ctx context.Context, s segment) error {
	data, _, err := l.f.get(ctx, s.uri, s.byteRange, maxSegmentBytes, retryPolicy{notFound: segmentNotFoundRetries})
	var se *StatusError
	switch {
	case errors.As(err, &se) && se.Code == http.StatusNotFound:
		l.r.count(0, 1)
		l.carry = l.carry || s.discontinuity
		return nil
	case err != nil:
		return fmt.Errorf("hls: fetch segment %d %s: %w", s.seq, s.uri, err)
	}
	l.r.count(1, 0)
	select {
	case l.r.segs <- fetched{data: data, discontinuity: s.discontinuity || l.carry}:
		l.carry = false
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
