package guide

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/unpack"
	"github.com/manbang/manbang/operator/xmltv"
)

// batchSize is how many programmes a transaction of an import writes.
const batchSize = 5000

// Stats tells how an import goes.
type Stats struct {
	Bytes      int64 // of the guide read
	Channels   int
	Programmes int // indexed
	Skipped    int
	Problems   []string // the first few, of elements skipped
}

// ImportOptions tunes Import.
type ImportOptions struct {
	// Lang is the language of texts the guide does not give one for.
	Lang string
	// Progress, if set, is called after each batch is committed: what it
	// indexed is visible to queries from then on.
	Progress func(Stats)
	// Keep is how long programmes stay after they end; older ones are
	// removed at the end of an import. Default 8 days, for catch-up.
	Keep time.Duration
	// Now is the time of the pruning; default time.Now.
	Now func() time.Time
	// MaxBytes bounds the guide, decompressed; a larger one (a
	// decompression bomb, or a stream that never ends) fails the import
	// and leaves the earlier guide. Default DefaultMaxBytes.
	MaxBytes int64
}

// DefaultMaxBytes is the default ImportOptions.MaxBytes: 256 MiB, about
// 2.5 times the 100 MB guide of 200 channels (226,600 programmes) the
// benchmark imports, and some ten times a week of a few hundred
// channels; the box's data partition is 256 MiB.
const DefaultMaxBytes = 256 << 20

// row is a programme ready to insert.
type row struct {
	channel     string
	start, stop int64
	title, desc string
}

// Import reads an XMLTV guide (gzip or xz compressed, or not) from r into
// the index, replacing what an earlier import indexed once it completes;
// until then, queries see both. The guide is parsed on one goroutine and
// written on another, in batches. Programmes without a stop end when the
// next programme of their channel starts.
func (x *Index) Import(ctx context.Context, r io.Reader, opts ImportOptions) (Stats, error) {
	x.imu.Lock()
	defer x.imu.Unlock()
	if opts.Keep == 0 {
		opts.Keep = 8 * 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	in, err := unpack.Reader(r)
	if err != nil {
		return Stats{}, fmt.Errorf("guide: %w", err)
	}
	in = unpack.LimitReader(in, opts.MaxBytes)
	// A generation newer than any row's: an import that failed half-way
	// left rows of the generation after the last complete one, and these
	// must go when the next import completes.
	var gen int64
	if err := x.db.QueryRowContext(ctx, `SELECT max(
		coalesce((SELECT max(value) FROM meta WHERE key = 'gen'), 0),
		coalesce((SELECT max(gen) FROM programmes), 0),
		coalesce((SELECT max(gen) FROM channels), 0)) + 1`).Scan(&gen); err != nil {
		return Stats{}, fmt.Errorf("guide: %w", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan batch, 2)
	parsed := make(chan error, 1)
	var st Stats
	xr := xmltv.NewReader(in)
	go func() {
		parsed <- parse(ctx, xr, opts.Lang, batches)
		close(batches)
	}()
	var werr error
	for b := range batches {
		if werr != nil {
			continue // drain, so that the parser ends
		}
		if werr = x.write(ctx, b.items, gen, &st); werr != nil {
			cancel()
			continue
		}
		st.Bytes = b.offset
		if opts.Progress != nil {
			opts.Progress(st)
		}
	}
	perr := <-parsed
	st.Bytes = xr.Offset()
	st.Skipped += xr.Skipped()
	st.Problems = append(st.Problems, xr.Problems()...)
	if werr != nil {
		return st, werr
	}
	if perr != nil {
		return st, fmt.Errorf("guide: %w", perr)
	}
	// The import is complete: forget what earlier ones left, and the past.
	err = x.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM programmes WHERE gen < ? OR stop < ?`, gen, opts.Now().Add(-opts.Keep).Unix()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM channels WHERE gen < ?`, gen); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES ('gen', ?)`, gen)
		return err
	})
	if err != nil {
		return st, fmt.Errorf("guide: %w", err)
	}
	return st, nil
}

// batch is what the parser hands the writer.
type batch struct {
	items  []any // row and xmltv.Channel
	offset int64 // of the guide read when the batch was full
}

// parse reads the guide into batches of rows and channels.
func parse(ctx context.Context, xr *xmltv.Reader, lang string, out chan<- batch) error {
	pending := map[string]*xmltv.Programme{} // per channel, a programme waiting for its stop
	items := make([]any, 0, batchSize)
	send := func() error {
		select {
		case out <- batch{items, xr.Offset()}:
		case <-ctx.Done():
			return ctx.Err()
		}
		items = make([]any, 0, batchSize)
		return nil
	}
	add := func(p *xmltv.Programme) {
		if !p.Stop.After(p.Start) || p.Stop.Sub(p.Start) > MaxProgramme || len(p.Titles) == 0 {
			return
		}
		r := row{channel: p.Channel, start: p.Start.Unix(), stop: p.Stop.Unix(), title: textJSON(p.Titles, lang)}
		if len(p.Descs) > 0 {
			r.desc = textJSON(p.Descs, lang)
		}
		items = append(items, r)
	}
	for {
		el, err := xr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if len(items) > 0 {
				send()
			}
			return err
		}
		switch {
		case el.Channel != nil:
			items = append(items, *el.Channel)
		case el.Programme != nil:
			p := el.Programme
			if prev := pending[p.Channel]; prev != nil {
				prev.Stop = p.Start
				add(prev)
				delete(pending, p.Channel)
			}
			if p.Stop.IsZero() {
				if len(pending) < 100000 {
					pending[p.Channel] = p
				}
			} else {
				add(p)
			}
		}
		if len(items) >= batchSize {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if len(items) > 0 {
		return send()
	}
	return nil
}

// write commits a batch.
func (x *Index) write(ctx context.Context, batch []any, gen int64, st *Stats) error {
	err := x.tx(ctx, func(tx *sql.Tx) error {
		prog, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO programmes(channel, start, stop, title, descr, gen) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer prog.Close()
		for _, v := range batch {
			switch v := v.(type) {
			case row:
				if _, err := prog.ExecContext(ctx, v.channel, v.start, v.stop, v.title, v.desc, gen); err != nil {
					return err
				}
				st.Programmes++
			case xmltv.Channel:
				var names []string
				for _, n := range v.Names {
					names = append(names, n.Value)
				}
				b, _ := json.Marshal(names)
				if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO channels(id, names, icon, gen) VALUES (?, ?, ?, ?)`,
					v.ID, string(b), v.Icon, gen); err != nil {
					return err
				}
				st.Channels++
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("guide: write: %w", err)
	}
	return nil
}

func (x *Index) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := x.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// textJSON is the stored form of XMLTV texts: an operator.Text, one text
// per language.
func textJSON(ts []xmltv.Text, lang string) string {
	t := operator.Text{}
	for _, x := range ts {
		l := strings.ToLower(x.Lang)
		if len(l) > 2 {
			l = l[:2]
		}
		if l == "" {
			l = lang
		}
		if l == "" {
			l = "en"
		}
		if _, ok := t[l]; !ok {
			t[l] = x.Value
		}
	}
	b, _ := json.Marshal(t)
	return string(b)
}
