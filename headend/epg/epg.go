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

// batch is how many programmes are written per transaction: larger
// batches rewrite the last page of each channel's programmes less often.
// Tests lower it.
var batch = 10000

// Options tunes Import.
type Options struct {
	// Lang is the language of texts the guide does not give one for.
	// Default "ko".
	Lang string
	// MaxBytes bounds the guide, decompressed; a larger one (a
	// decompression bomb, or a stream that never ends) fails the import.
	// Default DefaultMaxBytes.
	MaxBytes int64
}

// DefaultMaxBytes is the default Options.MaxBytes: 1 GiB, ten times the
// 100 MB guide of 200 channels the benchmarks import (226,600
// programmes), and some forty times a week of a few hundred channels.
const DefaultMaxBytes = 1 << 30

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
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	im, err := newImporter(ctx, store, opts)
	if err != nil {
		return Stats{}, err
	}
	return im.run(ctx, r)
}

// run imports the guide r.
func (im *importer) run(ctx context.Context, r io.Reader) (Stats, error) {
	in, err := unpack.Reader(r)
	if err != nil {
		return Stats{}, fmt.Errorf("epg: %w", err)
	}
	in = unpack.LimitReader(in, im.opts.MaxBytes)
	xr := xmltv.NewReader(in)
	im.startWriter(ctx)
	err = im.read(ctx, xr)
	if werr := im.stopWriter(); err == nil {
		err = werr
	}
	return im.finish(xr), err
}

// read reads the guide and queues its programmes for the writer, until
// the end of the guide, an error of the guide, the context's end or the
// writer's failure.
func (im *importer) read(ctx context.Context, xr *xmltv.Reader) error {
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("epg: %w", err)
		}
		el, err := xr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			im.flush() // what was read before the damage is kept
			return fmt.Errorf("epg: %w", err)
		}
		if el.Channel != nil {
			im.channel(el.Channel)
		} else if err := im.programme(el.Programme); err != nil {
			return err
		}
	}
	return im.end()
}

// importer is the state of one Import.
type importer struct {
	put     func(context.Context, []operator.Programme) error // writes a batch (store.PutProgrammes)
	opts    Options
	ids     map[string]bool                // catalogue channel IDs
	names   map[string]string              // lower-case names to catalogue channel IDs
	mapped  map[string]string              // guide channel IDs to catalogue IDs, "" for none
	pending map[string]*operator.Programme // per catalogue channel, a programme waiting for its stop
	buf     []operator.Programme           // the batch being filled
	stats   Stats

	// The writer goroutine writes one batch while the next is read.
	batches chan []operator.Programme // to the writer
	free    chan []operator.Programme // written batches, for reuse
	done    chan struct{}             // closed when the writer has ended
	written int                       // programmes written, read after done
	werr    error                     // the writer's error, read after done
}

// startWriter starts the goroutine that writes the batches; stopWriter
// ends it.
func (im *importer) startWriter(ctx context.Context) {
	im.batches = make(chan []operator.Programme)
	im.free = make(chan []operator.Programme, 2)
	im.done = make(chan struct{})
	go func() {
		defer close(im.done)
		for b := range im.batches {
			if err := im.put(ctx, b); err != nil {
				im.werr = fmt.Errorf("epg: %w", err)
				return
			}
			im.written += len(b)
			im.free <- b[:0]
		}
	}()
}

// stopWriter waits for the writer to write what it was given, and
// returns its error.
func (im *importer) stopWriter() error {
	close(im.batches)
	<-im.done
	im.stats.Programmes = im.written
	return im.werr
}

func newImporter(ctx context.Context, store *catalog.Store, opts Options) (*importer, error) {
	chans, err := store.Channels(ctx)
	if err != nil {
		return nil, fmt.Errorf("epg: %w", err)
	}
	return newImporterOf(chans, store.PutProgrammes, opts), nil
}

// newImporterOf is an importer for the catalogue channels chans that
// writes its batches with put.
func newImporterOf(chans []catalog.Channel, put func(context.Context, []operator.Programme) error, opts Options) *importer {
	im := &importer{put: put, opts: opts, ids: map[string]bool{}, names: map[string]string{},
		mapped: map[string]string{}, pending: map[string]*operator.Programme{}}
	for _, c := range chans {
		im.ids[c.ID] = true
		for _, n := range c.Name {
			im.names[strings.ToLower(n)] = c.ID
		}
	}
	return im
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

func (im *importer) programme(p *xmltv.Programme) error {
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
		if err := im.add(prev); err != nil {
			return err
		}
		delete(im.pending, id)
	}
	if op.Stop.IsZero() {
		im.pending[id] = op
		return nil
	}
	return im.add(op)
}

// add queues a programme, handing the batch to the writer when it is
// full.
func (im *importer) add(p *operator.Programme) error {
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
		return im.flush()
	}
	return nil
}

// flush hands the batch to the writer, and takes an empty one. It
// returns the writer's error if the writer failed.
func (im *importer) flush() error {
	if len(im.buf) == 0 {
		return nil
	}
	select {
	case im.batches <- im.buf:
	case <-im.done:
		return im.werr
	}
	select {
	case im.buf = <-im.free:
	default:
		im.buf = make([]operator.Programme, 0, batch)
	}
	return nil
}

// end hands what is left to the writer; programmes still without a stop
// are skipped.
func (im *importer) end() error {
	for _, p := range im.pending {
		im.problem("last programme of %q at %s: no stop time", p.ChannelID, xmltv.FormatTime(p.Start))
	}
	return im.flush()
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
