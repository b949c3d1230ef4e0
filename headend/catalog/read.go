package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/manbang/manbang/operator"
)

// Categories returns all categories in catalog order.
func (s *Store) Categories(ctx context.Context) ([]operator.Category, error) {
	return s.named(ctx, "categories")
}

// Category returns the category with the given ID, or an error wrapping
// ErrNotFound.
func (s *Store) Category(ctx context.Context, id string) (operator.Category, error) {
	var name string
	err := s.db.QueryRowContext(ctx, `SELECT name FROM categories WHERE id = ?`, id).Scan(&name)
	if err != nil {
		return operator.Category{}, notFound(err, "category", id)
	}
	return operator.Category{ID: id, Name: parseText(name)}, nil
}

// named returns the rows of categories or groups in order.
func (s *Store) named(ctx context.Context, table string) ([]operator.Category, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name FROM `+table+` ORDER BY pos`)
	if err != nil {
		return nil, fmt.Errorf("catalog: %s: %w", table, err)
	}
	defer rows.Close()
	out := []operator.Category{}
	for rows.Next() {
		var c operator.Category
		var name string
		if err := rows.Scan(&c.ID, &name); err != nil {
			return nil, fmt.Errorf("catalog: %s: %w", table, err)
		}
		c.Name = parseText(name)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: %s: %w", table, err)
	}
	return out, nil
}

// titleColumns are the columns scanTitle reads, prefixed by t.
const titleColumns = `t.id, t.category_id, t.name, t.description, t.year, t.duration_sec, t.language, t.rating, t.poster, coalesce(t.series_id, ''), t.season, t.episode`

// scanTitle reads a row of titleColumns.
func scanTitle(rows interface{ Scan(...any) error }) (operator.Title, error) {
	var t operator.Title
	var name, desc string
	err := rows.Scan(&t.ID, &t.CategoryID, &name, &desc, &t.Year, &t.DurationSec, &t.Language, &t.Rating,
		&t.PosterURL, &t.SeriesID, &t.Season, &t.Episode)
	t.Name, t.Description = parseText(name), parseText(desc)
	return t, err
}

// queryTitles runs a query of titleColumns.
func (s *Store) queryTitles(ctx context.Context, query string, args ...any) ([]operator.Title, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("catalog: titles: %w", err)
	}
	return scanTitles(rows, 0)
}

// Title returns the title with the given ID, or an error wrapping
// ErrNotFound.
func (s *Store) Title(ctx context.Context, id string) (operator.Title, error) {
	t, err := scanTitle(s.stmts.title.QueryRowContext(ctx, id))
	if err != nil {
		return operator.Title{}, notFound(err, "title", id)
	}
	return t, nil
}

// TitlesByID returns the titles with the given IDs that exist, in the
// order of ids.
func (s *Store) TitlesByID(ctx context.Context, ids []string) ([]operator.Title, error) {
	out := []operator.Title{}
	for _, id := range ids {
		t, err := s.Title(ctx, id)
		if err == nil {
			out = append(out, t)
		} else if !isNotFound(err) {
			return nil, err
		}
	}
	return out, nil
}

// Series returns a series with its episodes in order of season and
// number, or an error wrapping ErrNotFound.
func (s *Store) Series(ctx context.Context, id string) (operator.Series, error) {
	se := operator.Series{ID: id}
	var name, desc string
	err := s.db.QueryRowContext(ctx, `SELECT category_id, name, description, poster FROM series WHERE id = ?`, id).
		Scan(&se.CategoryID, &name, &desc, &se.PosterURL)
	if err != nil {
		return operator.Series{}, notFound(err, "series", id)
	}
	se.Name, se.Description = parseText(name), parseText(desc)
	se.Episodes, err = s.queryTitles(ctx, `SELECT `+titleColumns+` FROM titles t WHERE t.series_id = ? ORDER BY t.season, t.episode, t.n`, id)
	if err != nil {
		return operator.Series{}, err
	}
	return se, nil
}

func isNotFound(err error) bool {
	return err != nil && (err == sql.ErrNoRows || errors.Is(err, ErrNotFound))
}
