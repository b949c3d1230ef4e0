package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/manbang/manbang/operator"
)

// Writer changes the store inside one transaction; see Store.Write. A
// Writer is only valid until the function it was given to returns.
type Writer struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt // prepared in tx, closed with it
}

// stmt returns query prepared in the transaction, preparing it on its
// first use: a bulk write (a guide of 200,000 programmes) runs the same
// few statements over and over.
func (w *Writer) stmt(query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.tx.PrepareContext(w.ctx, query)
	if err != nil {
		return nil, err
	}
	if w.stmts == nil {
		w.stmts = map[string]*sql.Stmt{}
	}
	w.stmts[query] = st
	return st, nil
}

// exec runs a statement of the transaction.
func (w *Writer) exec(query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(w.ctx, args...)
}

// queryRow runs a query of one row in the transaction.
func (w *Writer) queryRow(query string, args ...any) rowScanner {
	st, err := w.stmt(query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(w.ctx, args...)
}

// rowScanner is an *sql.Row, or the error that prevented the query.
type rowScanner interface{ Scan(...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// Write runs f in a transaction: every change f makes through w is kept
// if f returns nil, and none is if it returns an error. Writes are
// serialised; readers see the store as it was until the transaction ends.
func (s *Store) Write(ctx context.Context, f func(w *Writer) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.wconn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("catalog: write: %w", err)
	}
	if err := f(&Writer{ctx: ctx, tx: tx}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("catalog: write: %w", err)
	}
	// The generation changes after the counts, so that an answer cached
	// under the new generation was computed from the new counts.
	defer s.gen.Add(1)
	if err := s.refreshCounts(ctx); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	return nil
}

// AddCategory is PutCategory inside a transaction.
func (w *Writer) AddCategory(c operator.Category) error {
	return w.addNamed("categories", "category", c)
}

// addNamed adds or renames one row of an ordered, named list (categories
// of titles, groups of channels): a new row goes after the last, a known
// one keeps its place. table is one of the schema's tables, never input.
func (w *Writer) addNamed(table, kind string, c operator.Category) error {
	if !ValidID(c.ID) {
		return fmt.Errorf("catalog: %s: %w id %q", kind, ErrInvalid, c.ID)
	}
	_, err := w.exec(`
		INSERT INTO `+table+`(id, pos, name) VALUES (?1, (SELECT coalesce(max(pos), 0) + 1 FROM `+table+`), ?2)
		ON CONFLICT(id) DO UPDATE SET name = excluded.name`, c.ID, textJSON(c.Name))
	if err != nil {
		return fmt.Errorf("catalog: %s %q: %w", kind, c.ID, err)
	}
	return nil
}

// AddTitle is PutTitle inside a transaction.
func (w *Writer) AddTitle(t operator.Title) error {
	if !ValidID(t.ID) {
		return fmt.Errorf("catalog: title: %w id %q", ErrInvalid, t.ID)
	}
	if err := w.exists("categories", t.CategoryID); err != nil {
		return fmt.Errorf("catalog: title %q: unknown category %q: %w", t.ID, t.CategoryID, err)
	}
	var series any
	if t.SeriesID != "" {
		if err := w.exists("series", t.SeriesID); err != nil {
			return fmt.Errorf("catalog: title %q: unknown series %q: %w", t.ID, t.SeriesID, err)
		}
		series = t.SeriesID
	}
	names := splitNames(t.Name)
	var n int64
	err := w.queryRow(`
		INSERT INTO titles(id, category_id, name, description, year, duration_sec, language, rating, poster, series_id, season, episode)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
		ON CONFLICT(id) DO UPDATE SET category_id = excluded.category_id, name = excluded.name,
			description = excluded.description, year = excluded.year, duration_sec = excluded.duration_sec,
			language = excluded.language, rating = excluded.rating, poster = excluded.poster,
			series_id = excluded.series_id, season = excluded.season, episode = excluded.episode
		RETURNING n`,
		t.ID, t.CategoryID, textJSON(t.Name), textJSON(t.Description), t.Year, t.DurationSec,
		t.Language, t.Rating, t.PosterURL, series, t.Season, t.Episode).Scan(&n)
	if err != nil {
		return fmt.Errorf("catalog: title %q: %w", t.ID, err)
	}
	if err := w.unindex(n); err != nil {
		return fmt.Errorf("catalog: title %q: index: %w", t.ID, err)
	}
	if _, err := w.exec(`INSERT INTO titles_fts(rowid, ko, en, ru, other) VALUES (?, ?, ?, ?, ?)`,
		n, names.ko, names.en, names.ru, names.other); err != nil {
		return fmt.Errorf("catalog: title %q: index: %w", t.ID, err)
	}
	for _, l := range []struct{ table, name string }{{"titles_ko", names.ko}, {"titles_en", names.en}, {"titles_ru", names.ru}} {
		if l.name == "" {
			continue
		}
		if _, err := w.exec(`INSERT INTO `+l.table+`(rowid, name) VALUES (?, ?)`, n, l.name); err != nil {
			return fmt.Errorf("catalog: title %q: index: %w", t.ID, err)
		}
	}
	return nil
}

// unindex removes the title n from the search indexes.
func (w *Writer) unindex(n int64) error {
	for _, table := range []string{"titles_fts", "titles_ko", "titles_en", "titles_ru"} {
		if _, err := w.exec(`DELETE FROM `+table+` WHERE rowid = ?`, n); err != nil {
			return err
		}
	}
	return nil
}

// DeleteTitle removes a title, or returns an error wrapping ErrNotFound.
func (w *Writer) DeleteTitle(id string) error {
	var n int64
	err := w.queryRow(`DELETE FROM titles WHERE id = ? RETURNING n`, id).Scan(&n)
	if err != nil {
		return notFound(err, "title", id)
	}
	if err := w.unindex(n); err != nil {
		return fmt.Errorf("catalog: title %q: index: %w", id, err)
	}
	return nil
}

// AddSeries is PutSeries inside a transaction. The series' Episodes are
// ignored: episodes are titles with the series' ID.
func (w *Writer) AddSeries(se operator.Series) error {
	if !ValidID(se.ID) {
		return fmt.Errorf("catalog: series: %w id %q", ErrInvalid, se.ID)
	}
	if err := w.exists("categories", se.CategoryID); err != nil {
		return fmt.Errorf("catalog: series %q: unknown category %q: %w", se.ID, se.CategoryID, err)
	}
	_, err := w.exec(`
		INSERT INTO series(id, category_id, pos, name, description, poster)
		VALUES (?1, ?2, (SELECT coalesce(max(pos), 0) + 1 FROM series), ?3, ?4, ?5)
		ON CONFLICT(id) DO UPDATE SET category_id = excluded.category_id, name = excluded.name,
			description = excluded.description, poster = excluded.poster`,
		se.ID, se.CategoryID, textJSON(se.Name), textJSON(se.Description), se.PosterURL)
	if err != nil {
		return fmt.Errorf("catalog: series %q: %w", se.ID, err)
	}
	return nil
}

// AddGroup is PutGroup inside a transaction.
func (w *Writer) AddGroup(g operator.Category) error {
	return w.addNamed("groups", "group", g)
}

// AddChannel is PutChannel inside a transaction.
func (w *Writer) AddChannel(c Channel) error {
	if err := c.check(); err != nil {
		return err
	}
	var group any
	if c.Group != "" {
		if err := w.exists("groups", c.Group); err != nil {
			return fmt.Errorf("catalog: channel %q: unknown group %q: %w", c.ID, c.Group, err)
		}
		group = c.Group
	}
	_, err := w.exec(`
		INSERT INTO channels(id, number, name, logo, grp, source, multicast, protocol, rating)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET number = excluded.number, name = excluded.name, logo = excluded.logo,
			grp = excluded.grp, source = excluded.source, multicast = excluded.multicast, protocol = excluded.protocol,
			rating = excluded.rating`,
		c.ID, c.Number, textJSON(c.Name), c.LogoURL, group, c.Source, c.Multicast, c.Kind(), c.Rating)
	if err != nil {
		return fmt.Errorf("catalog: channel %q: %w", c.ID, err)
	}
	return nil
}

// check reports what makes c unfit for the store.
func (c Channel) check() error {
	switch {
	case !ValidID(c.ID):
		return fmt.Errorf("catalog: channel: %w id %q", ErrInvalid, c.ID)
	case c.Number < 1:
		return fmt.Errorf("catalog: channel %q: %w number %d", c.ID, ErrInvalid, c.Number)
	case c.Protocol != "" && c.Protocol != operator.StreamRTP && c.Protocol != operator.StreamUDP:
		return fmt.Errorf("catalog: channel %q: %w protocol %q (want rtp or udp)", c.ID, ErrInvalid, c.Protocol)
	}
	if c.Multicast != "" {
		host, port, err := net.SplitHostPort(c.Multicast)
		ip := net.ParseIP(host)
		p, perr := strconv.Atoi(port)
		if err != nil || ip == nil || !ip.IsMulticast() || perr != nil || p < 1 || p > 65535 {
			return fmt.Errorf("catalog: channel %q: %w multicast address %q (want group:port)", c.ID, ErrInvalid, c.Multicast)
		}
	}
	return nil
}

// DeleteChannel removes a channel and its programmes, or returns an error
// wrapping ErrNotFound.
func (w *Writer) DeleteChannel(id string) error {
	res, err := w.exec(`DELETE FROM channels WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("catalog: channel %q: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("channel %q: %w", id, ErrNotFound)
	}
	return nil
}

// MaxProgramme is the longest programme the guide keeps.
const MaxProgramme = 24 * time.Hour

// AddProgramme adds a programme to the guide of its channel. Programmes of
// the channel that overlap it are removed: the newer guide wins.
func (w *Writer) AddProgramme(p operator.Programme) error {
	start, stop := p.Start.Unix(), p.Stop.Unix()
	switch {
	case stop <= start:
		return fmt.Errorf("catalog: programme of %q at %s: %w: stops at %s", p.ChannelID, p.Start.Format(time.RFC3339), ErrInvalid, p.Stop.Format(time.RFC3339))
	case p.Stop.Sub(p.Start) > MaxProgramme:
		return fmt.Errorf("catalog: programme of %q at %s: %w: longer than %v", p.ChannelID, p.Start.Format(time.RFC3339), ErrInvalid, MaxProgramme)
	}
	if _, err := w.exec(`DELETE FROM programmes WHERE channel_id = ? AND start > ? AND start < ? AND stop > ?`,
		p.ChannelID, start-int64(MaxProgramme.Seconds()), stop, start); err != nil {
		return fmt.Errorf("catalog: programme of %q: %w", p.ChannelID, err)
	}
	_, err := w.exec(`INSERT OR REPLACE INTO programmes(channel_id, start, stop, title, description) VALUES (?, ?, ?, ?, ?)`,
		p.ChannelID, start, stop, textJSON(p.Title), textJSON(p.Description))
	if err != nil {
		if w.exists("channels", p.ChannelID) != nil {
			return fmt.Errorf("catalog: programme: unknown channel %q: %w", p.ChannelID, ErrNotFound)
		}
		return fmt.Errorf("catalog: programme of %q: %w", p.ChannelID, err)
	}
	return nil
}

// DeleteProgrammesBefore removes the programmes that ended before t.
func (w *Writer) DeleteProgrammesBefore(t time.Time) error {
	if _, err := w.exec(`DELETE FROM programmes WHERE stop < ?`, t.Unix()); err != nil {
		return fmt.Errorf("catalog: programmes: %w", err)
	}
	return nil
}

// exists checks that table has a row with the given id.
func (w *Writer) exists(table, id string) error {
	var one int
	err := w.queryRow(`SELECT 1 FROM `+table+` WHERE id = ?`, id).Scan(&one)
	if err == sql.ErrNoRows {
		return ErrNotFound
	}
	return err
}

// PutCategory adds a category at the end, or renames the one with its ID.
func (s *Store) PutCategory(ctx context.Context, c operator.Category) error {
	return s.Write(ctx, func(w *Writer) error { return w.AddCategory(c) })
}

// PutTitle adds a title at the end, or replaces the one with its ID,
// keeping its place. Its category, and series if any, must exist.
func (s *Store) PutTitle(ctx context.Context, t operator.Title) error {
	return s.Write(ctx, func(w *Writer) error { return w.AddTitle(t) })
}

// PutSeries adds a series, or replaces the one with its ID.
func (s *Store) PutSeries(ctx context.Context, se operator.Series) error {
	return s.Write(ctx, func(w *Writer) error { return w.AddSeries(se) })
}

// PutGroup adds a channel group at the end, or renames the one with its ID.
func (s *Store) PutGroup(ctx context.Context, g operator.Category) error {
	return s.Write(ctx, func(w *Writer) error { return w.AddGroup(g) })
}

// PutChannel adds a channel, or replaces the one with its ID.
func (s *Store) PutChannel(ctx context.Context, c Channel) error {
	return s.Write(ctx, func(w *Writer) error { return w.AddChannel(c) })
}

// PutProgrammes adds programmes to the guide in one transaction; see
// Writer.AddProgramme.
func (s *Store) PutProgrammes(ctx context.Context, ps []operator.Programme) error {
	return s.Write(ctx, func(w *Writer) error {
		for _, p := range ps {
			if err := w.AddProgramme(p); err != nil {
				return err
			}
		}
		return nil
	})
}
