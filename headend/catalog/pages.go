package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/manbang/manbang/headend/internal/sqldb"
	"github.com/manbang/manbang/operator"
)

// statements are the store's most frequent queries, prepared once.
type statements struct {
	titlesAll *sql.Stmt // ?1 first n, ?2 limit, ?3 offset
	titlesCat *sql.Stmt // ?1 category, ?2 first n, ?3 limit, ?4 offset
	title     *sql.Stmt // ?1 id
}

func (st *statements) prepare(ctx context.Context, db *sqldb.DB) error {
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&st.titlesAll, `SELECT ` + titleColumns + ` FROM titles t WHERE t.n >= ? ORDER BY t.n LIMIT ? OFFSET ?`},
		{&st.titlesCat, `SELECT ` + titleColumns + ` FROM titles t WHERE t.category_id = ? AND t.n >= ? ORDER BY t.n LIMIT ? OFFSET ?`},
		{&st.title, `SELECT ` + titleColumns + ` FROM titles t WHERE t.id = ?`},
	} {
		stmt, err := db.PrepareContext(ctx, p.query)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.query, err)
		}
		*p.stmt = stmt
	}
	return nil
}

func (st *statements) close() error {
	var err error
	for _, s := range []*sql.Stmt{st.titlesAll, st.titlesCat, st.title} {
		if s != nil {
			err = errors.Join(err, s.Close())
		}
	}
	return err
}

// anchorStride is how many titles apart the page anchors are.
const anchorStride = 64

// anchors are the n of every anchorStride-th title, in catalog order,
// of all titles and of each category, as of a generation: a page at
// offset o starts from anchor o/anchorStride and skips o%anchorStride
// titles, instead of skipping o titles of an index.
type anchors struct {
	gen    uint64
	all    []int64
	perCat map[string][]int64
}

// seek returns the n to page from and the titles to skip after it, for
// the page of a category ("" for all titles) at offset.
func (a *anchors) seek(categoryID string, offset int) (from int64, skip int) {
	if a == nil {
		return math.MinInt64, offset
	}
	ns := a.all
	if categoryID != "" {
		ns = a.perCat[categoryID]
	}
	i := offset / anchorStride
	if i >= len(ns) {
		return math.MinInt64, offset
	}
	return ns[i], offset % anchorStride
}

// anchorsFor returns the page anchors of the current generation, or nil
// when they are being rebuilt by another reader (which then pages
// without them rather than wait).
func (s *Store) anchorsFor(ctx context.Context) (*anchors, error) {
	gen := s.gen.Load()
	if a := s.pages.Load(); a != nil && a.gen == gen {
		return a, nil
	}
	if !s.pmu.TryLock() {
		return nil, nil
	}
	defer s.pmu.Unlock()
	if a := s.pages.Load(); a != nil && a.gen == gen {
		return a, nil
	}
	// gen was read before the titles: the anchors are at least as new
	// as it says.
	a, err := s.readAnchors(ctx, gen)
	if err != nil {
		return nil, err
	}
	s.pages.Store(a)
	return a, nil
}

// readAnchors reads the anchors of every category from the category
// index, and of all titles from the same rows.
func (s *Store) readAnchors(ctx context.Context, gen uint64) (*anchors, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT category_id, n FROM titles INDEXED BY titles_by_category ORDER BY category_id, n`)
	if err != nil {
		return nil, fmt.Errorf("catalog: page anchors: %w", err)
	}
	defer rows.Close()
	a := &anchors{gen: gen, perCat: map[string][]int64{}}
	all := make([]int64, 0, s.Len())
	var cat, prev string
	var i int
	var ns []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&cat, &n); err != nil {
			return nil, fmt.Errorf("catalog: page anchors: %w", err)
		}
		if cat != prev || ns == nil {
			if ns != nil {
				a.perCat[prev] = ns
			}
			prev, ns, i = cat, []int64{}, 0
		}
		if i%anchorStride == 0 {
			ns = append(ns, n)
		}
		i++
		all = append(all, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: page anchors: %w", err)
	}
	if ns != nil {
		a.perCat[prev] = ns
	}
	slices.Sort(all)
	for j := 0; j < len(all); j += anchorStride {
		a.all = append(a.all, all[j])
	}
	return a, nil
}

// Titles returns up to limit titles of a category starting at offset, in
// catalog order, and the number of titles in the category. An empty
// categoryID means all titles. An unknown category has no titles.
//
// The page is found from the nearest of the anchors kept in memory (every
// 64th title), so deep pages cost what the first does; the anchors are
// read again on the first page after a write.
func (s *Store) Titles(ctx context.Context, categoryID string, offset, limit int) (page []operator.Title, total int, err error) {
	if offset < 0 || limit < 0 {
		return nil, 0, fmt.Errorf("catalog: negative offset %d or limit %d", offset, limit)
	}
	c := s.counts.Load()
	if categoryID == "" {
		total = c.titles
	} else {
		total = c.perCat[categoryID]
	}
	if limit == 0 || offset >= total {
		return []operator.Title{}, total, nil
	}
	a, err := s.anchorsFor(ctx)
	if err != nil {
		return nil, 0, err
	}
	from, skip := a.seek(categoryID, offset)
	var rows *sql.Rows
	if categoryID == "" {
		rows, err = s.stmts.titlesAll.QueryContext(ctx, from, limit, skip)
	} else {
		rows, err = s.stmts.titlesCat.QueryContext(ctx, categoryID, from, limit, skip)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("catalog: titles: %w", err)
	}
	page, err = scanTitles(rows, min(limit, total-offset))
	return page, total, err
}

// scanTitles reads rows of titleColumns, and closes them.
func scanTitles(rows *sql.Rows, capacity int) ([]operator.Title, error) {
	defer rows.Close()
	out := make([]operator.Title, 0, max(capacity, 0))
	for rows.Next() {
		t, err := scanTitle(rows)
		if err != nil {
			return nil, fmt.Errorf("catalog: titles: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: titles: %w", err)
	}
	return out, nil
}
