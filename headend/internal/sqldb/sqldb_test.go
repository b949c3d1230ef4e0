package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenTx(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	db, err := Open(ctx, path, `CREATE TABLE IF NOT EXISTS kv(k TEXT PRIMARY KEY, v TEXT);`)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO kv VALUES('a','1')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		tx.Exec(`INSERT INTO kv VALUES('b','2')`)
		return boom
	}); err != boom {
		t.Errorf("Tx error %v, want boom", err)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM kv`).Scan(&n)
	var mode string
	db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	if n != 1 || mode != "wal" {
		t.Errorf("%d rows (want 1), journal mode %q (want wal)", n, mode)
	}
	db.Close()
	// The schema runs again harmlessly and the data stays.
	db, err = Open(ctx, path, `CREATE TABLE IF NOT EXISTS kv(k TEXT PRIMARY KEY, v TEXT);`)
	if err != nil {
		t.Fatal(err)
	}
	db.QueryRow(`SELECT count(*) FROM kv`).Scan(&n)
	db.Close()
	if n != 1 {
		t.Errorf("reopened: %d rows", n)
	}
}

func TestTemporary(t *testing.T) {
	db, err := Open(context.Background(), "", `CREATE TABLE IF NOT EXISTS x(a);`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db.temp); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(db.temp); !os.IsNotExist(err) {
		t.Errorf("temporary database left: %v", err)
	}
	if _, err := Open(context.Background(), "", `CREATE nonsense`); err == nil {
		t.Error("bad schema: no error")
	}
}
