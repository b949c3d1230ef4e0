// Package devices is the head-end's register of boxes: the tokens they
// authenticate with, and what each remembers for its viewer (where titles
// were left off, favourite titles). It keeps them in an SQLite database
// (modernc.org/sqlite, no cgo).
package devices

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/manbang/manbang/headend/internal/sqldb"
	"github.com/manbang/manbang/operator"
)

// FileName is the devices database in the head-end's data directory.
const FileName = "devices.db"

// Errors of the store, wrapped.
var (
	ErrUnauthorized = errors.New("unknown token")
	ErrNotFound     = errors.New("not found")
	ErrInvalid      = errors.New("invalid")
)

// MaxFavourites is how many favourite titles a device may keep.
const MaxFavourites = 1000

// devicesTable is the devices table; key_hash is the SHA-256 of the
// device key the box made on its first boot (NULL for a device registered
// before device keys, or without one). A serial is no identity: two
// devices may share one, and only the key or the current token proves a
// box is the device it claims to be.
const devicesTable = `
CREATE TABLE IF NOT EXISTS devices (
	id         TEXT PRIMARY KEY,
	serial     TEXT NOT NULL,
	model      TEXT NOT NULL,
	firmware   TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	registered INTEGER NOT NULL,
	key_hash   TEXT
);`

const schema = devicesTable + `
CREATE INDEX IF NOT EXISTS devices_serial ON devices(serial);
CREATE TABLE IF NOT EXISTS resume (
	device_id    TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
	title_id     TEXT NOT NULL,
	position_sec REAL NOT NULL,
	updated      INTEGER NOT NULL,
	PRIMARY KEY (device_id, title_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS favourites (
	device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
	title_id  TEXT NOT NULL,
	added     INTEGER NOT NULL,
	PRIMARY KEY (device_id, title_id)
) WITHOUT ROWID;
`

// Store is the register. It is safe for concurrent use; Close releases it.
type Store struct {
	db  *sqldb.DB
	now func() time.Time

	mu     sync.Mutex
	tokens map[string]string // token hash to device ID, of tokens seen lately
}

// maxCachedTokens bounds Store.tokens.
const maxCachedTokens = 10000

// Open opens the devices database at path, creating it if needed; an
// empty path opens a temporary one, deleted by Close.
func Open(path string) (*Store, error) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, path, schema)
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("devices: %s: %w", path, err)
	}
	return &Store{db: db, now: time.Now, tokens: map[string]string{}}, nil
}

// migrate rebuilds a devices table of before device keys (serial UNIQUE,
// no key_hash) as devicesTable, keeping every device, its token and its
// data. Foreign keys are off meanwhile, so that dropping the old table
// deletes no resume position or favourite.
func migrate(ctx context.Context, db *sqldb.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('devices') WHERE name = 'key_hash'`).Scan(&n); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if n == 1 {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.ExecContext(ctx, `PRAGMA foreign_keys = ON`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`ALTER TABLE devices RENAME TO devices_old`,
		devicesTable,
		`INSERT INTO devices(id, serial, model, firmware, token_hash, registered) SELECT id, serial, model, firmware, token_hash, registered FROM devices_old`,
		`DROP TABLE devices_old`,
		`CREATE INDEX IF NOT EXISTS devices_serial ON devices(serial)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return tx.Commit()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// checkField reports what makes a registration field unacceptable.
func checkField(name, v string) error {
	if v == "" || len(v) > 128 || strings.TrimSpace(v) != v {
		return fmt.Errorf("devices: %w %s %q: want 1 to 128 characters without outer spaces", ErrInvalid, name, v)
	}
	for _, r := range v {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("devices: %w %s %q: unprintable characters", ErrInvalid, name, v)
		}
	}
	return nil
}

// Register records a box and returns its device ID and a new token.
//
// A box that registers again keeps its device ID, and with it its resume
// positions and favourites, only if it proves it is that device: by the
// device key it registered with (reg.DeviceKey), or by its current token
// (token, from its Authorization header; "" if none). The proven device's
// previous token stops working, and a key sent with a token becomes the
// device's key. Without a proof the box becomes a new device, even with a
// serial already registered: knowing a serial gives nothing, and the
// device that has it keeps its token and its data.
func (s *Store) Register(ctx context.Context, reg operator.DeviceRegistration, token string) (operator.Device, error) {
	for _, f := range []struct{ name, v string }{{"serial", reg.Serial}, {"model", reg.Model}, {"firmware", reg.Firmware}} {
		if err := checkField(f.name, f.v); err != nil {
			return operator.Device{}, err
		}
	}
	if k := reg.DeviceKey; k != "" && (len(k) < MinDeviceKey || len(k) > 256) {
		return operator.Device{}, fmt.Errorf("devices: %w device key: want %d to 256 characters, got %d", ErrInvalid, MinDeviceKey, len(k))
	}
	newToken := rand.Text() + rand.Text() // 260 random bits
	d := operator.Device{ID: "d" + strings.ToLower(rand.Text()[:15]), Token: newToken}
	var keyHash sql.NullString
	if reg.DeviceKey != "" {
		keyHash = sql.NullString{String: hash(reg.DeviceKey), Valid: true}
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var id string
		var err error
		if keyHash.Valid {
			err = tx.QueryRowContext(ctx, `SELECT id FROM devices WHERE serial = ? AND key_hash = ?`, reg.Serial, keyHash).Scan(&id)
		}
		if (id == "" || errors.Is(err, sql.ErrNoRows)) && token != "" && len(token) <= 256 {
			err = tx.QueryRowContext(ctx, `SELECT id FROM devices WHERE serial = ? AND token_hash = ?`, reg.Serial, hash(token)).Scan(&id)
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if id == "" {
			_, err := tx.ExecContext(ctx, `INSERT INTO devices(id, serial, model, firmware, token_hash, registered, key_hash) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				d.ID, reg.Serial, reg.Model, reg.Firmware, hash(newToken), s.now().Unix(), keyHash)
			return err
		}
		d.ID = id
		_, err = tx.ExecContext(ctx, `UPDATE devices SET model = ?, firmware = ?, token_hash = ?, registered = ?, key_hash = coalesce(?, key_hash) WHERE id = ?`,
			reg.Model, reg.Firmware, hash(newToken), s.now().Unix(), keyHash, id)
		return err
	})
	if err != nil {
		return operator.Device{}, fmt.Errorf("devices: register: %w", err)
	}
	s.mu.Lock()
	for h, id := range s.tokens {
		if id == d.ID {
			delete(s.tokens, h)
		}
	}
	s.mu.Unlock()
	return d, nil
}

// MinDeviceKey is the shortest device key accepted: a key is a secret,
// not a name.
const MinDeviceKey = 32

// hash is how tokens are kept: a leaked database gives no usable token.
func hash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Authenticate returns the device ID of a token, or an error wrapping
// ErrUnauthorized.
func (s *Store) Authenticate(ctx context.Context, token string) (string, error) {
	if token == "" || len(token) > 256 {
		return "", ErrUnauthorized
	}
	h := hash(token)
	s.mu.Lock()
	id, ok := s.tokens[h]
	s.mu.Unlock()
	if ok {
		return id, nil
	}
	err := s.db.QueryRowContext(ctx, `SELECT id FROM devices WHERE token_hash = ?`, h).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrUnauthorized
	}
	if err != nil {
		return "", fmt.Errorf("devices: authenticate: %w", err)
	}
	s.mu.Lock()
	if len(s.tokens) >= maxCachedTokens {
		clear(s.tokens)
	}
	s.tokens[h] = id
	s.mu.Unlock()
	return id, nil
}

// Count returns the number of registered devices.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM devices`).Scan(&n); err != nil {
		return 0, fmt.Errorf("devices: count: %w", err)
	}
	return n, nil
}

// Resume returns where a device left a title, or an error wrapping
// ErrNotFound.
func (s *Store) Resume(ctx context.Context, deviceID, titleID string) (operator.Resume, error) {
	r := operator.Resume{TitleID: titleID}
	var updated int64
	err := s.db.QueryRowContext(ctx, `SELECT position_sec, updated FROM resume WHERE device_id = ? AND title_id = ?`,
		deviceID, titleID).Scan(&r.PositionSec, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return operator.Resume{}, fmt.Errorf("resume position of %q: %w", titleID, ErrNotFound)
	}
	if err != nil {
		return operator.Resume{}, fmt.Errorf("devices: resume: %w", err)
	}
	r.UpdatedAt = time.Unix(updated, 0).UTC()
	return r, nil
}

// ResumeList returns every resume position of a device, newest first.
func (s *Store) ResumeList(ctx context.Context, deviceID string) ([]operator.Resume, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT title_id, position_sec, updated FROM resume WHERE device_id = ? ORDER BY updated DESC, title_id`, deviceID)
	if err != nil {
		return nil, fmt.Errorf("devices: resume list: %w", err)
	}
	defer rows.Close()
	out := []operator.Resume{}
	for rows.Next() {
		var r operator.Resume
		var updated int64
		if err := rows.Scan(&r.TitleID, &r.PositionSec, &updated); err != nil {
			return nil, fmt.Errorf("devices: resume list: %w", err)
		}
		r.UpdatedAt = time.Unix(updated, 0).UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("devices: resume list: %w", err)
	}
	return out, nil
}

// SetResume records where a device left a title, and returns it with its
// time. A position of 0 forgets it.
func (s *Store) SetResume(ctx context.Context, deviceID string, r operator.Resume) (operator.Resume, error) {
	if r.PositionSec < 0 || math.IsNaN(r.PositionSec) || math.IsInf(r.PositionSec, 0) {
		return operator.Resume{}, fmt.Errorf("devices: %w position %v", ErrInvalid, r.PositionSec)
	}
	now := s.now().UTC().Truncate(time.Second)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if r.PositionSec == 0 {
			_, err := tx.ExecContext(ctx, `DELETE FROM resume WHERE device_id = ? AND title_id = ?`, deviceID, r.TitleID)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO resume(device_id, title_id, position_sec, updated) VALUES (?, ?, ?, ?)`,
			deviceID, r.TitleID, r.PositionSec, now.Unix())
		return err
	})
	if err != nil {
		return operator.Resume{}, fmt.Errorf("devices: resume: %w", err)
	}
	r.UpdatedAt = now
	return r, nil
}

// ForgetResume forgets every resume position of a device: the box's
// viewer chose to keep them on the box only, or cleared them.
func (s *Store) ForgetResume(ctx context.Context, deviceID string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM resume WHERE device_id = ?`, deviceID)
		return err
	})
	if err != nil {
		return fmt.Errorf("devices: forget resume positions: %w", err)
	}
	return nil
}

// Favourites returns the IDs of a device's favourite titles, the latest
// added first.
func (s *Store) Favourites(ctx context.Context, deviceID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT title_id FROM favourites WHERE device_id = ? ORDER BY added DESC, title_id`, deviceID)
	if err != nil {
		return nil, fmt.Errorf("devices: favourites: %w", err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("devices: favourites: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// AddFavourite adds a title to a device's favourites; adding it again
// changes nothing.
func (s *Store) AddFavourite(ctx context.Context, deviceID, titleID string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM favourites WHERE device_id = ?`, deviceID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxFavourites {
			return fmt.Errorf("%w: already %d favourites", ErrInvalid, n)
		}
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO favourites(device_id, title_id, added) VALUES (?, ?, ?)`,
			deviceID, titleID, s.now().UnixNano())
		return err
	})
	if err != nil {
		return fmt.Errorf("devices: favourite %q: %w", titleID, err)
	}
	return nil
}

// RemoveFavourite removes a title from a device's favourites, or returns
// an error wrapping ErrNotFound if it was not one.
func (s *Store) RemoveFavourite(ctx context.Context, deviceID, titleID string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM favourites WHERE device_id = ? AND title_id = ?`, deviceID, titleID)
	if err != nil {
		return fmt.Errorf("devices: favourite %q: %w", titleID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("favourite %q: %w", titleID, ErrNotFound)
	}
	return nil
}
