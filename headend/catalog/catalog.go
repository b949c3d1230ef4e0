// Package catalog is the head-end's store of categories and titles.
//
// This first version keeps the catalog in memory and persists it as one
// JSON file. The methods take a context and return errors although the
// in-memory store never fails, so that a database-backed store can replace
// it without changing its callers.
//
// A catalog directory holds the catalog file and the media of its titles:
//
//	DIR/catalog.json
//	DIR/media/<title id>/index.m3u8   HLS VOD playlist and its segments
//	DIR/media/<title id>/poster.jpg
//
// A title's PosterURL in the catalog is either an absolute URL or a path in
// the media directory ("<title id>/poster.jpg"), which the head-end turns
// into an absolute URL when it answers.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/manbang/manbang/operator"
)

// Names in a catalog directory.
const (
	FileName     = "catalog.json" // the catalog file
	MediaDirName = "media"        // the directory of the titles' media
	PlaylistName = "index.m3u8"   // a title's HLS playlist, in its media directory
	PosterName   = "poster.jpg"   // a title's poster, in its media directory
)

// ErrNotFound is returned (wrapped) for an unknown title or category.
var ErrNotFound = errors.New("not found")

// idPattern is what category and title IDs may look like: IDs name media
// directories and appear in URL paths, so they are kept to safe characters.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// ValidID reports whether id may be used as a category or title ID.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// file is the JSON form of a catalog.
type file struct {
	Categories []operator.Category `json:"categories"`
	Titles     []operator.Title    `json:"titles"`
}

// Store holds a catalog. It is immutable after New or Load and safe for
// concurrent use. Returned titles and categories share their Text maps with
// the store: treat them as read-only.
type Store struct {
	categories []operator.Category
	titles     []operator.Title // in catalog order
	titleIdx   map[string]int
	catIdx     map[string]int
}

// New returns a store of the given categories and titles, in that order.
// IDs must be valid (see ValidID) and unique, and every title must belong
// to one of the categories.
func New(categories []operator.Category, titles []operator.Title) (*Store, error) {
	s := &Store{
		categories: slices.Clone(categories),
		titles:     slices.Clone(titles),
		titleIdx:   make(map[string]int, len(titles)),
		catIdx:     make(map[string]int, len(categories)),
	}
	for i, c := range s.categories {
		if !ValidID(c.ID) {
			return nil, fmt.Errorf("catalog: category %d: invalid id %q", i, c.ID)
		}
		if _, dup := s.catIdx[c.ID]; dup {
			return nil, fmt.Errorf("catalog: duplicate category id %q", c.ID)
		}
		s.catIdx[c.ID] = i
	}
	for i, t := range s.titles {
		if !ValidID(t.ID) {
			return nil, fmt.Errorf("catalog: title %d: invalid id %q", i, t.ID)
		}
		if _, dup := s.titleIdx[t.ID]; dup {
			return nil, fmt.Errorf("catalog: duplicate title id %q", t.ID)
		}
		if _, ok := s.catIdx[t.CategoryID]; !ok {
			return nil, fmt.Errorf("catalog: title %q: unknown category %q", t.ID, t.CategoryID)
		}
		s.titleIdx[t.ID] = i
	}
	return s, nil
}

// Load reads a store from a JSON catalog file.
func Load(path string) (*Store, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("catalog: %s: %w", path, err)
	}
	s, err := New(f.Categories, f.Titles)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return s, nil
}

// Save writes the store to a JSON catalog file. It writes a temporary file
// and renames it, so a reader never sees half a catalog.
func (s *Store) Save(path string) error {
	b, err := json.MarshalIndent(file{Categories: s.categories, Titles: s.titles}, "", "  ")
	if err != nil {
		return fmt.Errorf("catalog: encode: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("catalog: save: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("catalog: save %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("catalog: save %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("catalog: save: %w", err)
	}
	return nil
}

// Len returns the number of titles.
func (s *Store) Len() int { return len(s.titles) }

// Categories returns all categories in catalog order.
func (s *Store) Categories(ctx context.Context) ([]operator.Category, error) {
	return slices.Clone(s.categories), nil
}

// Category returns the category with the given ID, or an error wrapping
// ErrNotFound.
func (s *Store) Category(ctx context.Context, id string) (operator.Category, error) {
	i, ok := s.catIdx[id]
	if !ok {
		return operator.Category{}, fmt.Errorf("category %q: %w", id, ErrNotFound)
	}
	return s.categories[i], nil
}

// Titles returns up to limit titles of a category starting at offset, in
// catalog order, and the number of titles in the category. An empty
// categoryID means all titles. An unknown category has no titles.
func (s *Store) Titles(ctx context.Context, categoryID string, offset, limit int) (page []operator.Title, total int, err error) {
	if offset < 0 || limit < 0 {
		return nil, 0, fmt.Errorf("catalog: negative offset %d or limit %d", offset, limit)
	}
	page = []operator.Title{}
	for _, t := range s.titles {
		if categoryID != "" && t.CategoryID != categoryID {
			continue
		}
		if total >= offset && len(page) < limit {
			page = append(page, t)
		}
		total++
	}
	return page, total, nil
}

// Title returns the title with the given ID, or an error wrapping
// ErrNotFound.
func (s *Store) Title(ctx context.Context, id string) (operator.Title, error) {
	i, ok := s.titleIdx[id]
	if !ok {
		return operator.Title{}, fmt.Errorf("title %q: %w", id, ErrNotFound)
	}
	return s.titles[i], nil
}

// Search returns the titles whose name, in any language, contains query
// ignoring case. Titles that match in lang come first; otherwise results
// keep catalog order. An empty query matches nothing.
func (s *Store) Search(ctx context.Context, query, lang string) ([]operator.Title, error) {
	q := strings.ToLower(strings.TrimSpace(query))
	found := []operator.Title{}
	if q == "" {
		return found, nil
	}
	var other []operator.Title
	for _, t := range s.titles {
		switch {
		case strings.Contains(strings.ToLower(t.Name[lang]), q):
			found = append(found, t)
		case nameContains(t.Name, q):
			other = append(other, t)
		}
	}
	return append(found, other...), nil
}

// nameContains reports whether any language of name contains q, which is
// already lower case.
func nameContains(name operator.Text, q string) bool {
	for _, s := range name {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}
