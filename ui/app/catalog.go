package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/ui/screen"
	"github.com/manbang/manbang/ui/state"
)

// Home's rows: how many titles a category row shows before its "see all"
// tile, and how many channels the live row shows.
const (
	rowTitles   = 20
	rowChannels = 30
	// fetchers bounds the requests Home makes at once.
	fetchers = 4
)

// errStale says Home shows what the box kept from the last run because
// the operator did not answer now.
var errStale = errors.New("the operator did not answer; showing the catalogue kept from before")

// catalogue is what Home is made of, as the operator gave it.
type catalogue struct {
	cats     []operator.Category
	pages    map[string]operator.TitlePage
	channels []operator.Channel
	progs    []operator.Programme
	favs     []operator.Title // nil when the operator keeps none
	resume   []state.Resume   // the device's resume positions the operator keeps; nil when it keeps none
	stale    bool
}

// Reload implements screen.Host: it fetches Home's rows, showing those the
// operator client kept from the last run at once, marked stale, if Home
// has none yet. Nothing the cached rows need waits on the network: not
// the device's registration, nor any request.
func (a *App) Reload() {
	if a.loading || a.home == nil {
		return
	}
	c := a.client
	if c == nil {
		a.home.SetError(a.connErr, a.now())
		return
	}
	a.loading = true
	a.home.SetLoading()
	if a.cat == nil {
		if cat, ok := cachedCatalogue(c); ok {
			a.cat = cat
			if cat.channels != nil {
				a.channels = cat.channels
			}
			a.home.SetRows(a.rows())
			a.home.SetStale(true)
		}
	}
	shared := a.st.Settings.ResumeShared
	a.goPost(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
		cat, err := fetchCatalogue(ctx, c, a.now(), shared, a.log.Debug)
		err = a.classify(err)
		a.post(func() {
			a.loading = false
			if err != nil {
				// Rows kept from the last run stay, still marked stale.
				a.log.Warn("catalogue", "err", err)
				a.home.SetError(err, a.now())
				return
			}
			a.cat = cat
			if cat.channels != nil {
				a.channels = cat.channels
			}
			if cat.progs != nil {
				a.progs = cat.progs
			}
			if cat.favs != nil {
				a.st.Favourites = cat.favs
				a.st.Normalize()
				a.save()
			}
			if a.st.MergeResume(cat.resume) {
				a.save()
			}
			a.home.SetRows(a.rows())
			a.home.SetStale(cat.stale)
			if cat.stale {
				a.home.SetError(errStale, a.now())
			}
		})
	})
}

// cachedCatalogue returns the catalogue the client kept on disk, marked
// stale: the categories and those of their rows that are there (a run
// stopped before every row came keeps the others), if there is one.
func cachedCatalogue(c *operator.Client) (*catalogue, bool) {
	cats, ok := c.CachedCategories()
	if !ok || len(cats.Categories) == 0 {
		return nil, false
	}
	cat := &catalogue{pages: map[string]operator.TitlePage{}, stale: true}
	for _, k := range cats.Categories {
		if p, ok := c.CachedTitles(k.ID, 0, rowTitles); ok {
			cat.cats = append(cat.cats, k)
			cat.pages[k.ID] = p
		}
	}
	if len(cat.cats) == 0 {
		return nil, false
	}
	if l, ok := c.CachedChannels(); ok {
		cat.channels = l.Channels
	}
	return cat, true
}

// fetchCatalogue asks the operator for the categories and the first titles
// of each, and, where the operator offers them, the channels with what is
// on now and the favourites, and the resume positions if the viewer
// shares them. Only the categories and titles must come.
func fetchCatalogue(ctx context.Context, c *operator.Client, now time.Time, resumeShared bool, debug func(string, ...any)) (*catalogue, error) {
	cats, err := c.Categories(ctx)
	if err != nil {
		return nil, err
	}
	cat := &catalogue{cats: cats.Categories, pages: map[string]operator.TitlePage{}, stale: cats.Stale}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		sem  = make(chan struct{}, fetchers)
		errs []error
	)
	run := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := f(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	for _, k := range cats.Categories {
		run(func() error {
			p, err := c.Titles(ctx, k.ID, 0, rowTitles)
			mu.Lock()
			cat.pages[k.ID] = p
			mu.Unlock()
			return err
		})
	}
	run(func() error {
		l, err := c.Channels(ctx)
		if err != nil {
			debug("no live channels", "err", err)
			return nil
		}
		g, err := c.Guide(ctx, nil, now.Add(-3*time.Hour), now.Add(6*time.Hour))
		if err != nil {
			debug("no programme guide", "err", err)
		}
		mu.Lock()
		cat.channels, cat.progs = l.Channels, g.Programmes
		mu.Unlock()
		return nil
	})
	run(func() error {
		p, err := c.Favourites(ctx, 0, 100)
		if err != nil {
			debug("no favourites from the operator", "err", err)
			return nil
		}
		mu.Lock()
		cat.favs = p.Titles
		mu.Unlock()
		return nil
	})
	run(func() error {
		if !resumeShared {
			return nil // the viewer keeps them on this box only
		}
		rs, err := c.ResumePositions(ctx)
		if err != nil {
			debug("no resume positions from the operator", "err", err)
			return nil
		}
		mu.Lock()
		cat.resume = make([]state.Resume, 0, len(rs))
		for _, r := range rs {
			cat.resume = append(cat.resume, state.Resume{Title: operator.Title{ID: r.TitleID}, PositionSec: r.PositionSec, UpdatedAt: r.UpdatedAt})
		}
		mu.Unlock()
		return nil
	})
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0]
	}
	resumeTitles(ctx, c, cat, debug)
	return cat, nil
}

// resumeTitles fills in the titles of the operator's resume positions:
// from the rows fetched when they are there, else from the operator.
// Positions of titles the operator no longer has are left out.
func resumeTitles(ctx context.Context, c *operator.Client, cat *catalogue, debug func(string, ...any)) {
	if len(cat.resume) == 0 {
		return
	}
	known := map[string]operator.Title{}
	for _, p := range cat.pages {
		for _, t := range p.Titles {
			known[t.ID] = t
		}
	}
	for _, t := range cat.favs {
		known[t.ID] = t
	}
	kept := cat.resume[:0]
	for _, r := range cat.resume[:min(len(cat.resume), state.MaxResume)] {
		t, ok := known[r.Title.ID]
		if !ok {
			var err error
			if t, err = c.Title(ctx, r.Title.ID); err != nil {
				debug("resume position of a title not found", "title", r.Title.ID, "err", err)
				continue
			}
		}
		r.Title = t
		kept = append(kept, r)
	}
	cat.resume = kept
}

// rows builds Home's rows from the catalogue and what the box remembers.
func (a *App) rows() []screen.Row {
	var rows []screen.Row
	now := a.now()
	cont := screen.Row{Kind: screen.RowContinue}
	for _, r := range a.st.Resume {
		it := screen.Item{Title: r.Title, Resume: time.Duration(r.PositionSec * float64(time.Second))}
		if r.Title.DurationSec > 0 {
			it.Progress = float32(min(r.PositionSec/float64(r.Title.DurationSec), 1))
		}
		cont.Items = append(cont.Items, it)
	}
	rows = append(rows, cont)
	live := screen.Row{Kind: screen.RowLive}
	for i := range a.channels {
		if i == rowChannels {
			break
		}
		ch := a.channels[i]
		it := screen.Item{Title: operator.Title{ID: ch.ID, Name: ch.Name}, Channel: &ch}
		it.Now, _ = ProgrammeAt(a.progs, ch.ID, now)
		live.Items = append(live.Items, it)
	}
	rows = append(rows, live)
	fav := screen.Row{Kind: screen.RowFavourites}
	for _, t := range a.st.Favourites {
		pos, _ := a.st.ResumeAt(t.ID)
		fav.Items = append(fav.Items, screen.Item{Title: t, Resume: pos})
	}
	rows = append(rows, fav)
	if a.cat == nil {
		return rows
	}
	for _, k := range a.cat.cats {
		p := a.cat.pages[k.ID]
		row := screen.Row{Kind: screen.RowCategory, Category: k, Total: max(p.Total, len(p.Titles))}
		for _, t := range p.Titles {
			pos, _ := a.st.ResumeAt(t.ID)
			row.Items = append(row.Items, screen.Item{Title: t, Resume: pos})
		}
		rows = append(rows, row)
	}
	return rows
}

// refreshFavourites rebuilds Home's rows after the viewer's favourites or
// resume positions changed.
func (a *App) refreshFavourites() {
	if a.home != nil && a.cat != nil {
		a.home.SetRows(a.rows())
	}
}

// ProgrammeAt returns a channel's programme at t, and the one after.
func ProgrammeAt(progs []operator.Programme, channelID string, t time.Time) (now, next *operator.Programme) {
	for i := range progs {
		p := &progs[i]
		if p.ChannelID != channelID {
			continue
		}
		switch {
		case !p.Start.After(t) && p.Stop.After(t):
			now = p
		case p.Start.After(t) && (next == nil || p.Start.Before(next.Start)):
			next = p
		}
	}
	return now, next
}
