package devices

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var box = operator.DeviceRegistration{Serial: "MB-0001", Model: "manbang-1", Firmware: "1.0.0", DeviceKey: strings.Repeat("k", 40)}

func TestRegisterAuthenticate(t *testing.T) {
	s := open(t, "")
	ctx := context.Background()
	d, err := s.Register(ctx, box, "")
	if err != nil || d.ID == "" || len(d.Token) < 40 {
		t.Fatalf("Register = %+v, %v", d, err)
	}
	if id, err := s.Authenticate(ctx, d.Token); err != nil || id != d.ID {
		t.Errorf("Authenticate = %q, %v", id, err)
	}
	for _, bad := range []string{"", "nope", d.Token + "x", strings.Repeat("a", 1000)} {
		if _, err := s.Authenticate(ctx, bad); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("Authenticate(%.10q): %v", bad, err)
		}
	}
	// Registering again keeps the ID and replaces the token, also in the cache.
	again := box
	again.Firmware = "1.0.1"
	d2, err := s.Register(ctx, again, "")
	if err != nil || d2.ID != d.ID || d2.Token == d.Token {
		t.Fatalf("second Register = %+v, %v", d2, err)
	}
	if _, err := s.Authenticate(ctx, d.Token); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("old token still works: %v", err)
	}
	other, _ := s.Register(ctx, operator.DeviceRegistration{Serial: "MB-0002", Model: "m", Firmware: "f"}, "")
	if other.ID == d.ID {
		t.Error("two serials share a device ID")
	}
	if n, err := s.Count(ctx); n != 2 || err != nil {
		t.Errorf("Count = %d, %v", n, err)
	}
	for _, bad := range []operator.DeviceRegistration{
		{Model: "m", Firmware: "f"},
		{Serial: " x", Model: "m", Firmware: "f"},
		{Serial: "x", Model: strings.Repeat("m", 200), Firmware: "f"},
		{Serial: "x\x00", Model: "m", Firmware: "f"},
		{Serial: "x", Model: "m"},
		{Serial: "x", Model: "m", Firmware: "f", DeviceKey: "short"},
	} {
		if _, err := s.Register(ctx, bad, ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("Register(%+v): %v", bad, err)
		}
	}
}

// A serial is no credential: registering with a known serial but without
// the device's key or token makes a new device, and the device that has
// the serial keeps its ID, its token and its data.
func TestRegisterNeedsProof(t *testing.T) {
	s := open(t, "")
	ctx := context.Background()
	d, _ := s.Register(ctx, box, "")
	if err := s.AddFavourite(ctx, d.ID, "t1"); err != nil {
		t.Fatal(err)
	}
	for _, thief := range []struct {
		name  string
		reg   operator.DeviceRegistration
		token string
	}{
		{"serial only", operator.DeviceRegistration{Serial: box.Serial, Model: "m", Firmware: "f"}, ""},
		{"wrong key", operator.DeviceRegistration{Serial: box.Serial, Model: "m", Firmware: "f", DeviceKey: strings.Repeat("x", 40)}, ""},
		{"wrong token", operator.DeviceRegistration{Serial: box.Serial, Model: "m", Firmware: "f"}, "guess"},
	} {
		got, err := s.Register(ctx, thief.reg, thief.token)
		if err != nil || got.ID == d.ID {
			t.Errorf("%s: Register = %+v, %v; want a new device", thief.name, got, err)
		}
		if favs, _ := s.Favourites(ctx, got.ID); len(favs) != 0 {
			t.Errorf("%s: the new device has favourites %q", thief.name, favs)
		}
		if id, err := s.Authenticate(ctx, d.Token); err != nil || id != d.ID {
			t.Errorf("%s: the real box's token: %q, %v", thief.name, id, err)
		}
	}
	// The current token proves the device too, and gives it a key.
	legacy, _ := s.Register(ctx, operator.DeviceRegistration{Serial: "OLD", Model: "m", Firmware: "f"}, "")
	withKey := operator.DeviceRegistration{Serial: "OLD", Model: "m", Firmware: "f", DeviceKey: strings.Repeat("z", 40)}
	again, err := s.Register(ctx, withKey, legacy.Token)
	if err != nil || again.ID != legacy.ID {
		t.Fatalf("with token: %+v, %v; want device %s", again, err, legacy.ID)
	}
	if third, _ := s.Register(ctx, withKey, ""); third.ID != legacy.ID {
		t.Errorf("with the key given by the token: device %s, want %s", third.ID, legacy.ID)
	}
	// Another device's token proves nothing for this serial.
	if other, _ := s.Register(ctx, operator.DeviceRegistration{Serial: box.Serial, Model: "m", Firmware: "f"}, again.Token); other.ID == d.ID {
		t.Error("another serial's token took the device")
	}
}

// A database of before device keys (serial UNIQUE, no key_hash) opens
// with its devices, tokens and data kept.
func TestMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE devices (id TEXT PRIMARY KEY, serial TEXT NOT NULL UNIQUE, model TEXT NOT NULL, firmware TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, registered INTEGER NOT NULL)`,
		`CREATE TABLE favourites (device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE, title_id TEXT NOT NULL, added INTEGER NOT NULL, PRIMARY KEY (device_id, title_id)) WITHOUT ROWID`,
		`INSERT INTO devices VALUES ('d1', 'MB-0001', 'm', 'f', '` + hash("tok") + `', 1)`,
		`INSERT INTO favourites VALUES ('d1', 't1', 1)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s := open(t, path)
	ctx := context.Background()
	if id, err := s.Authenticate(ctx, "tok"); id != "d1" || err != nil {
		t.Errorf("Authenticate = %q, %v", id, err)
	}
	if favs, _ := s.Favourites(ctx, "d1"); !reflect.DeepEqual(favs, []string{"t1"}) {
		t.Errorf("favourites %q", favs)
	}
	// The serial is no longer unique: a stranger with it is a new device.
	if d, err := s.Register(ctx, operator.DeviceRegistration{Serial: "MB-0001", Model: "m", Firmware: "f"}, ""); err != nil || d.ID == "d1" {
		t.Errorf("Register = %+v, %v", d, err)
	}
	if d, err := s.Register(ctx, operator.DeviceRegistration{Serial: "MB-0001", Model: "m", Firmware: "f"}, "tok"); err != nil || d.ID != "d1" {
		t.Errorf("Register with token = %+v, %v", d, err)
	}
}

func TestResumeAndFavourites(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s := open(t, path)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	d, _ := s.Register(ctx, box, "")
	other, _ := s.Register(ctx, operator.DeviceRegistration{Serial: "MB-0002", Model: "m", Firmware: "f"}, "")

	if _, err := s.Resume(ctx, d.ID, "film"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Resume before set: %v", err)
	}
	r, err := s.SetResume(ctx, d.ID, operator.Resume{TitleID: "film", PositionSec: 61.5})
	if err != nil || !r.UpdatedAt.Equal(now) {
		t.Fatalf("SetResume = %+v, %v", r, err)
	}
	if got, err := s.Resume(ctx, d.ID, "film"); err != nil || got.PositionSec != 61.5 || !got.UpdatedAt.Equal(now) {
		t.Errorf("Resume = %+v, %v", got, err)
	}
	if _, err := s.Resume(ctx, other.ID, "film"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another device sees the position: %v", err)
	}
	for _, bad := range []float64{-1} {
		if _, err := s.SetResume(ctx, d.ID, operator.Resume{TitleID: "film", PositionSec: bad}); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetResume(%v): %v", bad, err)
		}
	}
	s.SetResume(ctx, d.ID, operator.Resume{TitleID: "film", PositionSec: 0})
	if _, err := s.Resume(ctx, d.ID, "film"); !errors.Is(err, ErrNotFound) {
		t.Errorf("position 0 kept: %v", err)
	}

	for _, id := range []string{"a", "b", "c", "b"} {
		now = now.Add(time.Second)
		if err := s.AddFavourite(ctx, d.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.Favourites(ctx, d.ID); !reflect.DeepEqual(got, []string{"c", "b", "a"}) {
		t.Errorf("Favourites = %v", got)
	}
	if err := s.RemoveFavourite(ctx, d.ID, "b"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveFavourite(ctx, d.ID, "b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second remove: %v", err)
	}
	if got, _ := s.Favourites(ctx, other.ID); len(got) != 0 || got == nil {
		t.Errorf("other device's favourites = %#v", got)
	}
	// Everything survives a restart.
	s.Close()
	s = open(t, path)
	if got, _ := s.Favourites(ctx, d.ID); !reflect.DeepEqual(got, []string{"c", "a"}) {
		t.Errorf("after reopen: %v", got)
	}
	if id, err := s.Authenticate(ctx, d.Token); err != nil || id != d.ID {
		t.Errorf("token after reopen: %q, %v", id, err)
	}
}

func TestFavouritesBounded(t *testing.T) {
	s := open(t, "")
	ctx := context.Background()
	d, _ := s.Register(ctx, box, "")
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range MaxFavourites {
			if _, err := tx.ExecContext(ctx, `INSERT INTO favourites VALUES (?, ?, ?)`, d.ID, i, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddFavourite(ctx, d.ID, "one-more"); !errors.Is(err, ErrInvalid) {
		t.Errorf("favourite over the limit: %v", err)
	}
}
