package thirdparty

import (
	"context"
	"fmt"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/catchup"
	"github.com/manbang/manbang/operator/guide"
)

// GuideStatus says how the guide import goes.
type GuideStatus struct {
	Loading bool      // an import runs
	Done    time.Time // when the last import completed, zero if none did
	Err     error     // of the last import
}

// LoadGuide starts downloading and indexing the guide on a goroutine and
// returns at once; Guide answers from what is indexed meanwhile. It does
// nothing while an import runs. Close stops it.
func (s *Source) LoadGuide(ctx context.Context) error {
	if _, err := s.playlist(ctx); err != nil && s.cfg.GuideURL == "" {
		return err // the guide URL may be in the playlist
	}
	s.mu.Lock()
	u := s.guideURL
	s.mu.Unlock()
	if u == "" {
		return ErrNoGuide
	}
	s.guideMu.Lock()
	defer s.guideMu.Unlock()
	if s.importing {
		return nil
	}
	gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.GuideTimeout)
	s.importing, s.cancel = true, cancel
	done := make(chan struct{})
	s.importDone = done
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		defer close(done)
		err := s.importGuide(gctx, u)
		s.guideMu.Lock()
		s.importing, s.guideErr = false, err
		if err == nil {
			s.guideDone = s.now()
		}
		s.guideMu.Unlock()
		if err != nil {
			s.log.Warn("guide import", "url", u, "err", err)
		}
	}()
	return nil
}

func (s *Source) importGuide(ctx context.Context, u string) error {
	r, done, err := s.fetch(ctx, u)
	if err != nil {
		return err
	}
	defer done()
	st, err := s.index.Import(ctx, r, guide.ImportOptions{Lang: s.cfg.Lang, Progress: s.cfg.GuideProgress})
	if err != nil {
		return fmt.Errorf("thirdparty: guide %s: %w", u, err)
	}
	s.log.Info("guide imported", "url", u, "programmes", st.Programmes, "skipped", st.Skipped, "bytes", st.Bytes)
	return nil
}

// WaitGuide waits until the guide import under way, if any, ends, and
// returns its error; or until ctx is done.
func (s *Source) WaitGuide(ctx context.Context) error {
	s.guideMu.Lock()
	done := s.importDone
	s.guideMu.Unlock()
	if done == nil {
		return ErrNoGuide
	}
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.GuideStatus().Err
}

// GuideStatus returns how the guide import goes.
func (s *Source) GuideStatus() GuideStatus {
	s.guideMu.Lock()
	defer s.guideMu.Unlock()
	return GuideStatus{Loading: s.importing, Done: s.guideDone, Err: s.guideErr}
}

// Guide returns the programmes of the given channels (all if none) that
// overlap [from, to), from what the guide index holds: while the guide
// loads, what is indexed so far.
func (s *Source) Guide(ctx context.Context, channelIDs []string, from, to time.Time) (operator.Guide, error) {
	p, err := s.playlist(ctx)
	if err != nil {
		return operator.Guide{}, err
	}
	// Playlist channels to guide channels, and back.
	var ids []string
	back := map[string][]string{}
	pick := channelIDs
	if len(pick) == 0 {
		for _, c := range p.channels {
			pick = append(pick, c.ID)
		}
	}
	for _, id := range pick {
		c, ok := p.byID[id]
		if !ok {
			continue
		}
		gid := c.guideID
		if _, seen := back[gid]; !seen {
			ids = append(ids, gid)
		}
		back[gid] = append(back[gid], c.ID)
	}
	g := operator.Guide{From: from.UTC(), To: to.UTC(), Programmes: []operator.Programme{}}
	if len(ids) == 0 {
		return g, nil
	}
	ps, err := s.index.Programmes(ctx, ids, from, to)
	if err != nil {
		return operator.Guide{}, fmt.Errorf("thirdparty: %w", err)
	}
	for _, pr := range ps {
		for _, id := range back[pr.ChannelID] {
			pr.ChannelID = id
			g.Programmes = append(g.Programmes, pr)
		}
	}
	return g, nil
}

// catchupURL is the URL of a past programme of c.
func catchupURL(c channel, start, stop, now time.Time) (string, error) {
	if c.Catchup == nil {
		return "", catchup.ErrNoCatchup
	}
	if stop.IsZero() {
		stop = start.Add(time.Hour)
	}
	return catchup.URL(c.URL, *c.Catchup, start, stop, now)
}
