package pairing

import (
	"bytes"
	"errors"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func seeded() *rand.ChaCha8          { return rand.NewChaCha8([32]byte{1}) }
func wrongFor(code string) string {
	return map[bool]string{true: "000001", false: "000000"}[code == "000000"]
}
func mustNew(t *testing.T, cfg Config) *Pairer {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPairWithTheRightCode(t *testing.T) {
	clk := &clock{time.Unix(1e9, 0)}
	store := &MemoryStore{}
	p := mustNew(t, Config{Store: store, Now: clk.now, Rand: seeded()})
	code := p.Code()
	if len(code) != 6 || code != p.Code() {
		t.Fatalf("code %q, then %q; want the same 6 digits", code, p.Code())
	}
	token, c, err := p.Pair(code, "Alice's phone")
	if err != nil || len(token) < 40 || c.Name != "Alice's phone" || c.ID == "" {
		t.Fatalf("Pair = %q, %+v, %v", token, c, err)
	}
	if got, ok := p.Check(token); !ok || got.ID != c.ID {
		t.Errorf("Check(token) = %+v, %v", got, ok)
	}
	for _, bad := range []string{"", token + "x", token[1:], c.Hash} {
		if _, ok := p.Check(bad); ok {
			t.Errorf("Check(%q) accepted", bad)
		}
	}
	if p.Code() == code {
		t.Error("a used code is still on screen")
	}
	if _, _, err := p.Pair(code, "Mallory"); !errors.Is(err, ErrWrongCode) {
		t.Errorf("a used code paired again: %v", err)
	}
	saved, _ := store.Load()
	if len(saved) != 1 || saved[0].Hash == token {
		t.Errorf("store holds %+v; want one client without the token itself", saved)
	}
	// Revoked, the token stops working, also for a Pairer made anew.
	if err := p.Revoke(c.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Check(token); ok {
		t.Error("a revoked token still works")
	}
	if err := p.Revoke(c.ID); err == nil {
		t.Error("revoking twice succeeded")
	}
	if _, ok := mustNew(t, Config{Store: store}).Check(token); ok {
		t.Error("a revoked token works after a restart")
	}
}

func TestWrongCodesLockPairingAndChangeTheCode(t *testing.T) {
	clk := &clock{time.Unix(1e9, 0)}
	p := mustNew(t, Config{Now: clk.now, Rand: seeded(), MaxTries: 5, Lockout: time.Minute})
	code := p.Code()
	for i := 1; i <= 4; i++ {
		_, _, err := p.Pair(wrongFor(code), "x")
		var we *WrongCodeError
		if !errors.As(err, &we) || we.TriesLeft != 5-i {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	_, _, err := p.Pair(wrongFor(code), "x")
	var le *LockedError
	if !errors.As(err, &le) || !le.Until.Equal(clk.t.Add(time.Minute)) {
		t.Fatalf("fifth wrong code: %v; want locked for a minute", err)
	}
	if _, _, err := p.Pair(code, "x"); !errors.Is(err, ErrLocked) {
		t.Errorf("the right code while locked: %v", err)
	}
	if p.Code() != "" {
		t.Error("a code is shown while pairing is locked")
	}
	clk.add(time.Minute)
	fresh := p.Code()
	if fresh == "" || fresh == code {
		t.Fatalf("after the lockout the code is %q (was %q); want a new one", fresh, code)
	}
	if _, _, err := p.Pair(code, "x"); !errors.Is(err, ErrWrongCode) {
		t.Errorf("the old code after the lockout: %v", err)
	}
	if _, _, err := p.Pair(fresh, "x"); err != nil {
		t.Errorf("the new code: %v", err)
	}
}

func TestCodesExpire(t *testing.T) {
	clk := &clock{time.Unix(1e9, 0)}
	p := mustNew(t, Config{Now: clk.now, Rand: seeded(), CodeLife: time.Minute})
	code := p.Code()
	clk.add(time.Minute)
	if _, _, err := p.Pair(code, "x"); !errors.Is(err, ErrWrongCode) {
		t.Errorf("an expired code paired: %v", err)
	}
}

func TestFileStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "remotes.json")
	s := FileStore{Path: path}
	if c, err := s.Load(); err != nil || c != nil {
		t.Fatalf("Load of no file = %v, %v", c, err)
	}
	p := mustNew(t, Config{Store: s})
	token, _, err := p.Pair(p.Code(), "laptop")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, %v; want mode 0600", fi, err)
	}
	if _, ok := mustNew(t, Config{Store: s}).Check(token); !ok {
		t.Error("the token does not survive a restart")
	}
	os.WriteFile(path, []byte("{broken"), 0o600)
	if _, err := New(Config{Store: s}); err == nil {
		t.Error("a broken state file loaded")
	}
}

func TestQR(t *testing.T) {
	b, err := QRPNG("http://192.0.2.10:8080/?code=123456", 256)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil || img.Bounds().Dx() != 256 {
		t.Fatalf("QR PNG: %v, %v", img.Bounds(), err)
	}
	q, err := QR("123456", 200)
	if err != nil || q.Bounds().Dx() != 200 {
		t.Fatalf("QR image: %v, %v", q, err)
	}
	// A QR code is black and white with a white border.
	if r, _, _, _ := q.At(0, 0).RGBA(); r != 0xffff {
		t.Error("no white border")
	}
}
