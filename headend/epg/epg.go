// Package epg imports XMLTV programme guides into the head-end's
// catalogue, as a stream: a guide of any size is read one element at a
// time and written in batches.
package epg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/unpack"
	"github.com/manbang/manbang/operator/xmltv"
)

// batch is how many programmes are written per transaction.
const batch = 2000

// Options tunes Import.
type Options struct {
	// Lang is the language of texts the guide does not give one for.
	// Default "ko".
	Lang string
}

// Stats says what Import did.
type Stats struct {
	Channels   int      // guide channels matched to catalogue channels
	Programmes int      // programmes written
	Skipped    int      // programmes and channels skipped as broken
	Unmatched  []string // guide channels with no catalogue channel (at most 50)
	Problems   []string // what was broken, for the first few
}

// Import reads an XMLTV guide from r (gzip or xz compressed, or not) and
// adds its programmes to the channels of store. A guide channel matches a
// catalogue channel of the same ID, or else one with the same name in
// some language (ignoring case). Programmes without a stop time end when
// the next programme of their channel starts. Programmes of unmatched
// channels are skipped, like broken ones; Import fails only when the guide
// cannot be read on.
func Import(ctx context.Context, store *catalog.Store, r io.Reader, opts Options) (Stats, error) {
	if opts.Lang == "" {
		opts.Lang = "ko"
	}
	in, err := unpack.Reader(r)
	if err != nil {
		return Stats{}, fmt.Errorf("epg: %w", err)
	}
	im, err := newImporter(ctx, store, opts)
	if err != nil {
		return Stats{}, err
	}
	xr := xmltv.NewReader(in)
	for {
		if err := ctx.Err(); err != nil {
			return im.stats, fmt.Errorf("epg: %w", err)
		}
		el, err := xr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			im.flush(ctx)
			return im.finish(xr), fmt.Errorf("epg: %w", err)
		}
		if el.Channel != nil {
			im.channel(el.Channel)
		} else if err := im.programme(ctx, el.Programme); err != nil {
			return im.finish(xr), err
		}
	}
	if err := im.end(ctx); err != nil {
		return im.finish(xr), err
	}
	return im.finish(xr), nil
}

// importer is the state of one Import.
type importer struct {
	store   *catalog.Store
	opts    Options
	ids     map[string]bool                // catalogue channel IDs
	names   map[string]string              // lower-case names to catalogue channel IDs
	mapped  map[string]string              // guide channel IDs to catalogue IDs, "" for none
	pending map[string]*operator.Programme // per catalogue channel, a programme waiting for its stop
	buf     []operator.Programme
	stats   Stats
}

func newImporter(ctx context.Context, store *catalog.Store, opts Options) (*importer, error) {
	chans, err := store.Channels(ctx)
	if err != nil {
		return nil, fmt.Errorf("epg: %w", err)
	}
	im := &importer{store: store, opts: opts, ids: map[string]bool{}, names: map[string]string{},
		mapped: map[string]string{}, pending: map[string]*operator.Programme{}}
	for _, c := range chans {
		im.ids[c.ID] = true
		for _, n := range c.Name {
			im.names[strings.ToLower(n)] = c.ID
		}
	}
	return im, nil
}

func (im *importer) channel(c *xmltv.Channel) {
	id := ""
	if im.ids[c.ID] {
		id = c.ID
	} else {
		for _, n := range c.Names {
			if m, ok := im.names[strings.ToLower(n.Value)]; ok {
				id = m
				break
			}
		}
	}
	if _, seen := im.mapped[c.ID]; !seen {
		if id != "" {
			im.stats.Channels++
		} else if len(im.stats.Unmatched) < 50 {
			im.stats.Unmatched = append(im.stats.Unmatched, c.ID)
		}
	}
	im.mapped[c.ID] = id
}

func (im *importer) problem(format string, args ...any) {
	im.stats.Skipped++
	if len(im.stats.Problems) < 20 {
		im.stats.Problems = append(im.stats.Problems, fmt.Sprintf(format, args...))
	}
}

func (im *importer) programme(ctx context.Context, p *xmltv.Programme) error {
	id, ok := im.mapped[p.Channel]
	if !ok {
		// A programme of a channel the guide did not describe.
		im.channel(&xmltv.Channel{ID: p.Channel})
		id = im.mapped[p.Channel]
	}
	if id == "" {
		im.stats.Skipped++
		return nil
	}
	op := &operator.Programme{ChannelID: id, Start: p.Start, Stop: p.Stop, Title: im.text(p.Titles), Description: im.text(p.Descs)}
	if prev := im.pending[id]; prev != nil {
		prev.Stop = op.Start
		if err := im.add(ctx, prev); err != nil {
			return err
		}
		delete(im.pending, id)
	}
	if op.Stop.IsZero() {
		im.pending[id] = op
		return nil
	}
	return im.add(ctx, op)
}

// add queues a programme, writing the queue when it is full.
func (im *importer) add(ctx context.Context, p *operator.Programme) error {
	switch {
	case !p.Stop.After(p.Start):
		im.problem("programme of %q at %s: stops at %s", p.ChannelID, xmltv.FormatTime(p.Start), xmltv.FormatTime(p.Stop))
		return nil
	case p.Stop.Sub(p.Start) > catalog.MaxProgramme:
		im.problem("programme of %q at %s: longer than %v", p.ChannelID, xmltv.FormatTime(p.Start), catalog.MaxProgramme)
		return nil
	case len(p.Title) == 0:
		im.problem("programme of %q at %s: no title", p.ChannelID, xmltv.FormatTime(p.Start))
		return nil
	}
	im.buf = append(im.buf, *p)
	if len(im.buf) >= batch {
		return im.flush(ctx)
	}
	return nil
}

// flush writes the queued programmes.
func (im *importer) flush(ctx context.Context) error {
	if len(im.buf) == 0 {
		return nil
	}
	if err := im.store.PutProgrammes(ctx, im.buf); err != nil {
		return fmt.Errorf("epg: %w", err)
	}
	im.stats.Programmes += len(im.buf)
	im.buf = im.buf[:0]
	return nil
}

// end writes what is left; programmes still without a stop are skipped.
func (im *importer) end(ctx context.Context) error {
	for _, p := range im.pending {
		im.problem("last programme of %q at %s: no stop time", p.ChannelID, xmltv.FormatTime(p.Start))
	}
	return im.flush(ctx)
}

// finish adds the reader's problems to the stats.
func (im *importer) finish(xr *xmltv.Reader) Stats {
	im.stats.Skipped += xr.Skipped()
	for _, p := range xr.Problems() {
		if len(im.stats.Problems) < 20 {
			im.stats.Problems = append(im.stats.Problems, p)
		}
	}
	return im.stats
}

// text turns XMLTV texts into a Text, at most one per language.
func (im *importer) text(ts []xmltv.Text) operator.Text {
	if len(ts) == 0 {
		return nil
	}
	t := operator.Text{}
	for _, x := range ts {
		lang := strings.ToLower(x.Lang)
		if len(lang) > 2 {
			lang = lang[:2] // "ko-KR" or "kor"... the first two letters do for ISO 639-1 codes
		}
		if lang == "" {
			lang = im.opts.Lang
		}
		if _, ok := t[lang]; !ok {
			t[lang] = x.Value
		}
	}
	return t
}
