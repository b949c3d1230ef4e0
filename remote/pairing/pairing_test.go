package pairing

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func seeded() *rand.ChaCha8          { return rand.NewChaCha8([32]byte{1}) }
func wrongFor(code string) string {
	return map[bool]string{true: "00000001", false: "00000000"}[code == "00000000"]
}
func mustNew(t testing.TB, cfg Config) *Pairer {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
func arm(t *testing.T, p *Pairer) string {
	t.Helper()
	code, _, err := p.Arm()
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestPairWithTheRightCode(t *testing.T) {
	clk := &clock{time.Unix(1e9, 0)}
	store := &MemoryStore{}
	changed := 0
	p := mustNew(t, Config{Store: store, Now: clk.now, Rand: seeded(), Changed: func() { changed++ }})
	code := arm(t, p)
	if now, _, ok := p.Armed(); len(code) != 8 || now != code || !ok {
		t.Fatalf("code %q, then %q; want the same 8 digits", code, now)
	}
	token, c, err := p.Pair("192.0.2.7", code, "Alice's phone\n\x00")
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
	if _, _, ok := p.Armed(); ok || changed != 1 {
		t.Errorf("pairing still armed after a pairing (changed %d)", changed)
	}
	if _, _, err := p.Pair("192.0.2.8", code, "Mallory"); !errors.Is(err, ErrNotArmed) {
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

// TestNoCodeWhileNotArmed: before the TV arms pairing, after it disarms
// and after the arming runs out, no code pairs, not even the last one.
func TestNoCodeWhileNotArmed(t *testing.T) {
	clk := &clock{time.Unix(1e9, 0)}
	p := mustNew(t, Config{Now: clk.now, Rand: seeded(), ArmFor: time.Minute})
	for _, c := range []string{"", "00000000", "12345678"} {
		if _, _, err := p.Pair("192.0.2.7", c, "x"); !errors.Is(err, ErrNotArmed) {
			t.Errorf("code %q before arming: %v", c, err)
		}
	}
	code := arm(t, p)
	p.Disarm()
	if _, _, err := p.Pair("192.0.2.7", code, "x"); !errors.Is(err, ErrNotArmed) {
		t.Errorf("code after Disarm: %v", err)
	}
	code = arm(t, p)
	clk.add(time.Minute)
	if _, _, err := p.Pair("192.0.2.7", code, "x"); !errors.Is(err, ErrNotArmed) {
		t.Errorf("code after the arming ran out: %v", err)
	}
}

// TestWrongCodesSlowTheGuesserOnly: a client that guesses waits longer
// after each wrong code, and another client (the viewer's phone) pairs at
// once with the code on screen.
func TestWrongCodesSlowTheGuesserOnly(t *testing.T) {
	clk := &clock{time.Unix(1e9, 0)}
	p := mustNew(t, Config{Now: clk.now, Rand: seeded(), ArmFor: time.Hour, Backoff: time.Second, MaxBackoff: 8 * time.Second, MaxWrong: 100})
	code := arm(t, p)
	for i, wait := range []time.Duration{1, 2, 4, 8, 8} {
		_, _, err := p.Pair("192.0.2.66", wrongFor(code), "x")
		var we *WrongCodeError
		if !errors.As(err, &we) || !we.Retry.Equal(clk.t.Add(wait*time.Second)) {
			t.Fatalf("wrong code %d: %v; want a wait of %v s", i+1, err, wait)
		}
		var wt *WaitError
		if _, _, err := p.Pair("192.0.2.66", code, "x"); !errors.As(err, &wt) {
			t.Fatalf("the right code from the guesser during its wait: %v", err)
		}
		clk.add(wait * time.Second)
	}
	// While the guesser waits, the viewer's phone pairs at once.
	if _, _, err := p.Pair("192.0.2.66", wrongFor(code), "x"); !errors.Is(err, ErrWrongCode) {
		t.Fatalf("the guesser's last wrong code: %v", err)
	}
	if _, _, err := p.Pair("192.0.2.7", code, "viewer"); err != nil {
		t.Errorf("another client with the right code while the guesser waits: %v", err)
	}
}

func TestManyWrongCodesChangeTheCode(t *testing.T) {
	clk := &clock{time.Unix(1e9, 0)}
	changed := 0
	p := mustNew(t, Config{Now: clk.now, Rand: seeded(), MaxWrong: 3, Changed: func() { changed++ }})
	code := arm(t, p)
	for i := range 3 {
		p.Pair(fmt.Sprintf("192.0.2.%d", i+1), wrongFor(code), "x")
	}
	fresh, _, ok := p.Armed()
	if !ok || fresh == code || changed != 1 {
		t.Fatalf("after 3 wrong codes the code is %q (was %q), changed %d; want a new one", fresh, code, changed)
	}
	if _, _, err := p.Pair("192.0.2.9", code, "x"); !errors.Is(err, ErrWrongCode) {
		t.Errorf("the old code: %v", err)
	}
	if _, _, err := p.Pair("192.0.2.10", fresh, "x"); err != nil {
		t.Errorf("the new code: %v", err)
	}
}

func TestFileStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "remotes.json")
	s := FileStore{Path: path}
	if c, err := s.Load(); err != nil || c != nil {
		t.Fatalf("Load of no file = %v, %v", c, err)
	}
	p := mustNew(t, Config{Store: s})
	token, _, err := p.Pair("127.0.0.1", arm(t, p), "laptop")
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
	m, err := QRModules("http://192.0.2.10:8080/pair")
	if err != nil || len(m) < 21 || len(m[0]) != len(m) || m[0][0] || !m[4][4] {
		t.Fatalf("QR modules: %d, %v; want a square with a light border and a dark finder corner", len(m), err)
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

// FuzzPair: whatever a client sends as code and name, only the code on the
// TV pairs, the name kept is printable UTF-8 of at most 40 runes, and
// nothing panics.
func FuzzPair(f *testing.F) {
	for _, s := range [][2]string{{"12345678", "Ana's phone"}, {"", ""}, {"1234567", "\x00\x1b[31m"}, {"123456789", "\xff\xfe"}, {"abcdefgh", strings.Repeat("가", 100)}} {
		f.Add(s[0], s[1])
	}
	clk := &clock{time.Unix(1e9, 0)}
	p := mustNew(f, Config{Now: clk.now, MaxWrong: 1 << 30})
	f.Fuzz(func(t *testing.T, code, name string) {
		clk.add(time.Hour) // past any back-off, and a new arming
		want, _, err := p.Arm()
		if err != nil {
			t.Fatal(err)
		}
		_, c, err := p.Pair("192.0.2.1", code, name)
		if err == nil && code != want {
			t.Fatalf("paired with %q; the code was %s", code, want)
		}
		if err == nil && (!utf8.ValidString(c.Name) || utf8.RuneCountInString(c.Name) > 40 || strings.ContainsAny(c.Name, "\x00\x1b\n")) {
			t.Errorf("name kept as %q", c.Name)
		}
	})
}
