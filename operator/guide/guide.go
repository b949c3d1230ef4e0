// Package guide is the box's index of a third-party programme guide: an
// XMLTV guide, however large, parsed as a stream into an SQLite file
// (modernc.org/sqlite, no cgo) and queried by channel and time. Imports
// commit in batches, so that queries answer from what is indexed so far
// while a guide loads.
package guide

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/manbang/manbang/operator"
)

const schema = `
CREATE TABLE IF NOT EXISTS channels (
	id    TEXT PRIMARY KEY,
	names TEXT NOT NULL,
	icon  TEXT NOT NULL,
	gen   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS programmes (
	channel TEXT NOT NULL,
	start   INTEGER NOT NULL,
	stop    INTEGER NOT NULL,
	title   TEXT NOT NULL,
	descr   TEXT NOT NULL,
	gen     INTEGER NOT NULL,
	PRIMARY KEY (channel, start)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
`

// Limits of the index.
const (
	MaxProgramme = 24 * time.Hour // longer programmes are skipped
	MaxRows      = 20000          // the most programmes one query returns
)

// Index is a guide index. It is safe for concurrent use; one import runs
// at a time. Close releases it.
type Index struct {
	db   *sql.DB
	temp string // file to remove on Close

	imu sync.Mutex // one import at a time
}

// Open opens the index at path, creating it if needed; an empty path
// opens a temporary index, deleted by Close.
func Open(path string) (*Index, error) {
	x := &Index{}
	if path == "" {
		f, err := os.CreateTemp("", "manbang-guide-*.db")
		if err != nil {
			return nil, fmt.Errorf("guide: %w", err)
		}
		f.Close()
		path, x.temp = f.Name(), f.Name()
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(OFF)", "cache_size(-8000)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		x.removeTemp()
		return nil, fmt.Errorf("guide: %w", err)
	}
	db.SetMaxOpenConns(4)
	x.db = db
	if _, err := db.Exec(schema); err != nil {
		x.Close()
		return nil, fmt.Errorf("guide: %s: %w", path, err)
	}
	return x, nil
}

// Close closes the index, deleting a temporary one.
func (x *Index) Close() error {
	err := x.db.Close()
	x.removeTemp()
	return err
}

func (x *Index) removeTemp() {
	if x.temp != "" {
		for _, s := range []string{"", "-wal", "-shm"} {
			os.Remove(x.temp + s)
		}
	}
}

// Channel is a channel of the guide.
type Channel struct {
	ID    string
	Names []string
	Icon  string
}

// Channels returns the channels of the guide.
func (x *Index) Channels(ctx context.Context) ([]Channel, error) {
	rows, err := x.db.QueryContext(ctx, `SELECT id, names, icon FROM channels ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("guide: channels: %w", err)
	}
	defer rows.Close()
	var out []Channel
	for rows.Next() {
		var c Channel
		var names string
		if err := rows.Scan(&c.ID, &names, &c.Icon); err != nil {
			return nil, fmt.Errorf("guide: channels: %w", err)
		}
		json.Unmarshal([]byte(names), &c.Names)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Programmes returns the programmes of the guide channels ids (all if
// none) that overlap [from, to), by channel then start, at most MaxRows.
func (x *Index) Programmes(ctx context.Context, ids []string, from, to time.Time) ([]operator.Programme, error) {
	if !to.After(from) {
		return nil, errors.New("guide: empty time range")
	}
	args := []any{to.Unix(), from.Unix(), from.Add(-MaxProgramme).Unix()}
	q := `SELECT channel, start, stop, title, descr FROM programmes WHERE start < ? AND stop > ? AND start > ?`
	if len(ids) > 0 {
		q += ` AND channel IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	q += fmt.Sprintf(` ORDER BY channel, start LIMIT %d`, MaxRows)
	rows, err := x.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("guide: programmes: %w", err)
	}
	defer rows.Close()
	out := []operator.Programme{}
	for rows.Next() {
		var p operator.Programme
		var start, stop int64
		var title, desc string
		if err := rows.Scan(&p.ChannelID, &start, &stop, &title, &desc); err != nil {
			return nil, fmt.Errorf("guide: programmes: %w", err)
		}
		p.Start, p.Stop = time.Unix(start, 0).UTC(), time.Unix(stop, 0).UTC()
		json.Unmarshal([]byte(title), &p.Title)
		if desc != "" {
			json.Unmarshal([]byte(desc), &p.Description)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Count returns the number of programmes indexed.
func (x *Index) Count(ctx context.Context) (int, error) {
	var n int
	err := x.db.QueryRowContext(ctx, `SELECT count(*) FROM programmes`).Scan(&n)
	return n, err
}
