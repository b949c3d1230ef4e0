// Package pairing lets a phone become a network remote of the box: the TV
// shows a 6-digit code (and a QR code of it), the phone sends the code
// back and gets a token, and the token is what the phone shows from then
// on. Wrong codes are limited: after a few, pairing is locked for a while
// and the code changes.
package pairing

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"sync"
	"time"
)

// Client is a paired phone or laptop. The token itself is never kept, only
// its SHA-256.
type Client struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Hash   string    `json:"sha256"`
	Paired time.Time `json:"paired"`
}

// Store keeps the paired clients across restarts; the box's device state
// store implements it, or FileStore does.
type Store interface {
	Load() ([]Client, error)
	Save([]Client) error
}

// Config configures a Pairer.
type Config struct {
	Store Store // default: a MemoryStore (pairings last until restart)
	// MaxTries wrong codes lock pairing for Lockout and change the code
	// (defaults 5 and 1 minute).
	MaxTries int
	Lockout  time.Duration
	// CodeLife is how long a code is good for (default 10 minutes).
	CodeLife time.Duration
	Now      func() time.Time // default time.Now
	Rand     io.Reader        // default crypto/rand
}

// Errors of Pair.
var (
	ErrWrongCode = errors.New("pairing: wrong code")
	ErrLocked    = errors.New("pairing: too many wrong codes; locked")
)

// LockedError says until when pairing is locked; it wraps ErrLocked.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("%v until %s", ErrLocked, e.Until.Format(time.TimeOnly))
}
func (e *LockedError) Unwrap() error { return ErrLocked }

// WrongCodeError tells how many tries are left; it wraps ErrWrongCode.
type WrongCodeError struct{ TriesLeft int }

func (e *WrongCodeError) Error() string {
	return fmt.Sprintf("%v (%d tries left)", ErrWrongCode, e.TriesLeft)
}
func (e *WrongCodeError) Unwrap() error { return ErrWrongCode }

// Pairer holds the code on screen and the paired clients. It is safe for
// concurrent use.
type Pairer struct {
	cfg Config

	mu      sync.Mutex
	code    string
	expires time.Time
	wrong   int
	locked  time.Time
	clients []Client
}

// New returns a Pairer with the clients cfg.Store remembers.
func New(cfg Config) (*Pairer, error) {
	if cfg.Store == nil {
		cfg.Store = &MemoryStore{}
	}
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = 5
	}
	if cfg.Lockout <= 0 {
		cfg.Lockout = time.Minute
	}
	if cfg.CodeLife <= 0 {
		cfg.CodeLife = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	clients, err := cfg.Store.Load()
	if err != nil {
		return nil, fmt.Errorf("pairing: load paired clients: %w", err)
	}
	return &Pairer{cfg: cfg, clients: clients}, nil
}

// Code returns the code to show on the TV now, making a new one when the
// last has expired or been used. While pairing is locked it returns "".
func (p *Pairer) Code() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current(p.cfg.Now())
}

func (p *Pairer) current(now time.Time) string {
	if now.Before(p.locked) {
		return ""
	}
	if p.code == "" || !now.Before(p.expires) {
		n, err := rand.Int(p.cfg.Rand, big.NewInt(1_000_000))
		if err != nil {
			return ""
		}
		p.code = fmt.Sprintf("%06d", n.Int64())
		p.expires = now.Add(p.cfg.CodeLife)
		p.wrong = 0
	}
	return p.code
}

// Pair checks code and, if it is the one on screen, pairs a client called
// name and returns its token. The code is then used up.
func (p *Pairer) Pair(code, name string) (token string, c Client, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.cfg.Now()
	if now.Before(p.locked) {
		return "", Client{}, &LockedError{p.locked}
	}
	want := p.current(now)
	if want == "" || subtle.ConstantTimeCompare([]byte(code), []byte(want)) != 1 {
		p.wrong++
		if p.wrong >= p.cfg.MaxTries {
			p.locked = now.Add(p.cfg.Lockout)
			p.code = "" // a new code after the lockout
			return "", Client{}, &LockedError{p.locked}
		}
		return "", Client{}, &WrongCodeError{p.cfg.MaxTries - p.wrong}
	}
	raw := make([]byte, 32)
	id := make([]byte, 4)
	if _, err := io.ReadFull(p.cfg.Rand, raw); err != nil {
		return "", Client{}, fmt.Errorf("pairing: token: %w", err)
	}
	if _, err := io.ReadFull(p.cfg.Rand, id); err != nil {
		return "", Client{}, fmt.Errorf("pairing: token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(raw)
	if len(name) > 64 {
		name = name[:64]
	}
	c = Client{ID: hex.EncodeToString(id), Name: name, Hash: hash(token), Paired: now.UTC()}
	clients := append(slices.Clone(p.clients), c)
	if err := p.cfg.Store.Save(clients); err != nil {
		return "", Client{}, fmt.Errorf("pairing: save: %w", err)
	}
	p.clients = clients
	p.code = ""
	return token, c, nil
}

func hash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Check returns the client a token belongs to.
func (p *Pairer) Check(token string) (Client, bool) {
	if token == "" {
		return Client{}, false
	}
	h := []byte(hash(token))
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.clients {
		if subtle.ConstantTimeCompare(h, []byte(c.Hash)) == 1 {
			return c, true
		}
	}
	return Client{}, false
}

// Clients returns the paired clients.
func (p *Pairer) Clients() []Client {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.clients)
}

// Revoke forgets the client with the given ID; its token stops working.
func (p *Pairer) Revoke(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	clients := slices.DeleteFunc(slices.Clone(p.clients), func(c Client) bool { return c.ID == id })
	if len(clients) == len(p.clients) {
		return fmt.Errorf("pairing: no client %q", id)
	}
	if err := p.cfg.Store.Save(clients); err != nil {
		return fmt.Errorf("pairing: save: %w", err)
	}
	p.clients = clients
	return nil
}
