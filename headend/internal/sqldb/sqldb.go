// Package sqldb opens the head-end's SQLite databases (modernc.org/sqlite,
// no cgo) with the settings they all share.
package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// DB is an open SQLite database. Temporary databases delete their file on
// Close.
type DB struct {
	*sql.DB
	temp string // the file to delete on Close, if temporary
}

// Open opens (creating it if needed) the SQLite database at path in WAL
// mode, so that readers never wait for the writer, and runs schema, a
// script of CREATE ... IF NOT EXISTS statements. An empty path opens a
// temporary database, deleted on Close.
func Open(ctx context.Context, path, schema string) (*DB, error) {
	db := &DB{}
	if path == "" {
		f, err := os.CreateTemp("", "manbang-*.db")
		if err != nil {
			return nil, fmt.Errorf("temporary database: %w", err)
		}
		f.Close()
		path, db.temp = f.Name(), f.Name()
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(ON)"} {
		q.Add("_pragma", p)
	}
	// Write transactions take the write lock at BEGIN, so that two
	// writers never deadlock upgrading their read locks.
	q.Set("_txlock", "immediate")
	sdb, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		db.removeTemp()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.DB = sdb
	sdb.SetMaxOpenConns(8)
	sdb.SetMaxIdleConns(8)
	if _, err := sdb.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: schema: %w", path, err)
	}
	return db, nil
}

// Close closes the database and deletes a temporary database's files.
func (db *DB) Close() error {
	err := db.DB.Close()
	db.removeTemp()
	return err
}

func (db *DB) removeTemp() {
	if db.temp != "" {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(db.temp + suffix)
		}
	}
}

// Tx runs f in a write transaction, committed if f returns nil and rolled
// back otherwise.
func (db *DB) Tx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
