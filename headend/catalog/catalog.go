// Package catalog is the head-end's store of what boxes can watch:
// categories, titles, series and their episodes, live channels and their
// groups, and the programme guide. It keeps them in one SQLite database
// (modernc.org/sqlite, no cgo) with a full-text index of the titles' names.
//
// A data directory holds the database and the media of its titles:
//
//	DIR/catalog.db                     the database (FileName)
//	DIR/media/<title id>/index.m3u8    HLS playlist (media or master) and its segments
//	DIR/media/<title id>/poster.jpg
//
// A title's PosterURL and a channel's LogoURL in the store are either
// absolute URLs or paths in the media directory ("<title id>/poster.jpg"),
// which the head-end turns into absolute URLs when it answers.
//
// Catalogs of the first head-end were one JSON file (JSONFileName); LoadJSON
// adds such a file to a store, which is how they are migrated.
package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"

	"github.com/manbang/manbang/headend/internal/sqldb"
	"github.com/manbang/manbang/operator"
)

// Names in a data directory.
const (
	FileName     = "catalog.db"   // the catalog database
	JSONFileName = "catalog.json" // the catalog file of earlier head-ends
	MediaDirName = "media"        // the directory of the titles' media
	PlaylistName = "index.m3u8"   // a title's HLS playlist, in its media directory
	PosterName   = "poster.jpg"   // a title's poster, in its media directory
)

// ErrNotFound is returned (wrapped) for an unknown title, category, series,
// channel or group.
var ErrNotFound = errors.New("not found")

// ErrInvalid is returned (wrapped) for a write the store refuses: a bad
// ID, a reference to a missing category, a programme that ends before it
// starts...
var ErrInvalid = errors.New("invalid")

// idPattern is what IDs may look like: IDs name media directories and
// appear in URL paths, so they are kept to safe characters.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// ValidID reports whether id may be used as the ID of a category, title,
// series, channel or group.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Store is a catalog in an SQLite database. It is safe for concurrent use:
// readers never wait for writers, and writes are serialised. Close releases
// it.
type Store struct {
	db    *sqldb.DB
	stmts statements
	wconn *sql.Conn // the connection of every write; see writeCacheKiB

	wmu sync.Mutex // serialises writes and the refresh of the counts below

	counts atomic.Pointer[counts]
	gen    atomic.Uint64 // see Generation

	pmu   sync.Mutex              // held while the page anchors are rebuilt
	pages atomic.Pointer[anchors] // see Titles
}

// counts are what the store answers from memory; they are read again
// after every write.
type counts struct {
	titles   int
	channels int
	perCat   map[string]int // titles per category, for every category
}

// Open opens the catalog database at path, creating an empty one if there
// is none.
func Open(path string) (*Store, error) {
	return open(context.Background(), path)
}

func open(ctx context.Context, path string) (*Store, error) {
	db, err := sqldb.Open(ctx, path, schema)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("catalog: %w", err)
	}
	s := &Store{db: db}
	if err := s.openWriter(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if err := s.stmts.prepare(ctx, db); err != nil {
		s.Close()
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if err := s.refreshCounts(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return s, nil
}

// New returns a store in a temporary database (deleted by Close) holding
// the given categories and titles, in that order. IDs must be valid (see
// ValidID) and unique, and every title must belong to one of the
// categories.
func New(categories []operator.Category, titles []operator.Title) (*Store, error) {
	if err := unique(categories, titles); err != nil {
		return nil, err
	}
	s, err := open(context.Background(), "")
	if err != nil {
		return nil, err
	}
	err = s.Write(context.Background(), func(w *Writer) error {
		for _, c := range categories {
			if err := w.AddCategory(c); err != nil {
				return err
			}
		}
		for _, t := range titles {
			if err := w.AddTitle(t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// unique checks that no two categories and no two titles share an ID.
func unique(categories []operator.Category, titles []operator.Title) error {
	seen := map[string]bool{}
	for _, c := range categories {
		if seen[c.ID] {
			return fmt.Errorf("catalog: duplicate category id %q", c.ID)
		}
		seen[c.ID] = true
	}
	clear(seen)
	for _, t := range titles {
		if seen[t.ID] {
			return fmt.Errorf("catalog: duplicate title id %q", t.ID)
		}
		seen[t.ID] = true
	}
	return nil
}

// jsonFile is the JSON form of a catalog (JSONFileName).
type jsonFile struct {
	Categories []operator.Category `json:"categories"`
	Titles     []operator.Title    `json:"titles"`
}

// Load returns a store in a temporary database (deleted by Close) holding
// the catalog of a JSON catalog file.
func Load(path string) (*Store, error) {
	s, err := open(context.Background(), "")
	if err != nil {
		return nil, err
	}
	if err := s.LoadJSON(context.Background(), path); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// LoadJSON adds the categories and titles of a JSON catalog file, as
// earlier head-ends wrote them, to the store, in one transaction: it adds
// all of them or none.
func (s *Store) LoadJSON(ctx context.Context, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	var f jsonFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("catalog: %s: %w", path, err)
	}
	if err := unique(f.Categories, f.Titles); err != nil {
		return fmt.Errorf("%w (in %s)", err, path)
	}
	err = s.Write(ctx, func(w *Writer) error {
		for _, c := range f.Categories {
			if err := w.AddCategory(c); err != nil {
				return err
			}
		}
		for _, t := range f.Titles {
			if err := w.AddTitle(t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w (in %s)", err, path)
	}
	return s.Optimize(ctx)
}

// Save writes the store's categories and titles to a JSON catalog file (a
// backup that LoadJSON reads back). It writes a temporary file and renames
// it, so a reader never sees half a catalog.
func (s *Store) Save(path string) error {
	ctx := context.Background()
	var f jsonFile
	var err error
	if f.Categories, err = s.Categories(ctx); err != nil {
		return err
	}
	if f.Titles, _, err = s.Titles(ctx, "", 0, s.Len()); err != nil {
		return err
	}
	b, err := json.MarshalIndent(f, "", "  ")
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

// writeCacheKiB is the page cache of the connection that writes. Writes
// are serialised, so one connection does them all and keeps its cache
// from one write to the next: a guide import touches the last page of
// every channel's programmes in every batch.
const writeCacheKiB = 16 << 10

// openWriter takes the connection of the writes out of the pool.
func (s *Store) openWriter(ctx context.Context) error {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("write connection: %w", err)
	}
	if _, err := c.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, writeCacheKiB)); err != nil {
		c.Close()
		return fmt.Errorf("write connection: %w", err)
	}
	s.wconn = c
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	err := s.stmts.close()
	if s.wconn != nil {
		err = errors.Join(err, s.wconn.Close())
	}
	return errors.Join(err, s.db.Close())
}

// Len returns the number of titles.
func (s *Store) Len() int { return s.counts.Load().titles }

// ChannelCount returns the number of live channels.
func (s *Store) ChannelCount() int { return s.counts.Load().channels }

// HasCategory reports whether the catalog has a category with the given
// ID, without asking the database.
func (s *Store) HasCategory(id string) bool {
	_, ok := s.counts.Load().perCat[id]
	return ok
}

// Generation returns a number that changes whenever the catalog changes
// (after every write, once its changes are visible to readers), so that
// an answer computed from the store under one generation may be cached
// until the generation changes. Read it before reading the store.
func (s *Store) Generation() uint64 { return s.gen.Load() }

// refreshCounts reads the counts that Len and Titles answer from memory.
func (s *Store) refreshCounts(ctx context.Context) error {
	per := map[string]int{}
	cats, err := s.db.QueryContext(ctx, `SELECT id FROM categories`)
	if err != nil {
		return fmt.Errorf("count titles: %w", err)
	}
	for cats.Next() {
		var id string
		if err := cats.Scan(&id); err != nil {
			cats.Close()
			return fmt.Errorf("count titles: %w", err)
		}
		per[id] = 0
	}
	cats.Close()
	if err := cats.Err(); err != nil {
		return fmt.Errorf("count titles: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT category_id, count(*) FROM titles GROUP BY category_id`)
	if err != nil {
		return fmt.Errorf("count titles: %w", err)
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var cat string
		var n int
		if err := rows.Scan(&cat, &n); err != nil {
			return fmt.Errorf("count titles: %w", err)
		}
		per[cat] = n
		total += n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count titles: %w", err)
	}
	var channels int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM channels`).Scan(&channels); err != nil {
		return fmt.Errorf("count channels: %w", err)
	}
	s.counts.Store(&counts{titles: total, channels: int(channels), perCat: per})
	return nil
}

// notFound wraps ErrNotFound for the thing of kind with the given ID, and
// passes other errors on.
func notFound(err error, kind, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %q: %w", kind, id, ErrNotFound)
	}
	return fmt.Errorf("catalog: %s %q: %w", kind, id, err)
}

// Optimize merges the search index into one segment, which makes searches
// faster after many writes (a bulk import); it takes a while on large
// catalogs.
func (s *Store) Optimize(ctx context.Context) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for _, t := range []string{"titles_fts", "titles_ko", "titles_en", "titles_ru"} {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO `+t+`(`+t+`) VALUES ('optimize')`); err != nil {
			return fmt.Errorf("catalog: optimize: %w", err)
		}
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA optimize`); err != nil {
		return fmt.Errorf("catalog: optimize: %w", err)
	}
	return nil
}
