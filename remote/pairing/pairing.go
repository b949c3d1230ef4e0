// Package pairing lets a phone become a network remote of the box. The
// viewer arms pairing on the TV (Settings, phone remote): for a few
// minutes the TV shows an 8-digit code and a QR code of the box's address;
// the phone sends the code back and gets a token, and the token is what
// the phone shows from then on. While pairing is not armed no code is
// accepted. A client that sends a wrong code waits before its next try,
// longer after each (a back-off per client, not a lockout of everyone),
// and after MaxWrong wrong codes in one arming the code on screen changes.
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
	"strings"
	"sync"
	"time"
	"unicode/utf8"
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
	// ArmFor is how long Arm opens pairing (default 3 minutes).
	ArmFor time.Duration
	// Digits of the code (default and least 8).
	Digits int
	// MaxWrong wrong codes, from anyone, in one arming change the code
	// (default 10): no code can be guessed at for long.
	MaxWrong int
	// Backoff is how long a client waits after its first wrong code; each
	// further one doubles it, up to MaxBackoff (defaults 1 s and 1 minute).
	Backoff, MaxBackoff time.Duration
	// Changed, when set, is called (without the Pairer's lock) when the
	// code changes by itself: after MaxWrong wrong codes, or when a client
	// paired and pairing closed. The TV redraws then.
	Changed func()
	Now     func() time.Time // default time.Now
	Rand    io.Reader        // default crypto/rand
}

// Errors of Pair.
var (
	ErrNotArmed  = errors.New("pairing: not open; open the phone remote in the box's settings")
	ErrWrongCode = errors.New("pairing: wrong code")
	ErrWait      = errors.New("pairing: too many wrong codes from this client; wait")
)

// WaitError says until when a client must wait before it may send a code
// again; it wraps ErrWait.
type WaitError struct{ Until time.Time }

func (e *WaitError) Error() string {
	return fmt.Sprintf("%v until %s", ErrWait, e.Until.Format(time.TimeOnly))
}
func (e *WaitError) Unwrap() error { return ErrWait }

// WrongCodeError says when the client may try again; it wraps ErrWrongCode.
type WrongCodeError struct{ Retry time.Time }

func (e *WrongCodeError) Error() string {
	return fmt.Sprintf("%v; try again at %s", ErrWrongCode, e.Retry.Format(time.TimeOnly))
}
func (e *WrongCodeError) Unwrap() error { return ErrWrongCode }

// maxTracked bounds the clients whose wrong codes are remembered.
const maxTracked = 4096

type backoff struct {
	wrong int
	until time.Time
}

// Pairer holds the code on screen and the paired clients. It is safe for
// concurrent use.
type Pairer struct {
	cfg Config

	mu      sync.Mutex
	code    string    // "" while not armed
	until   time.Time // end of the arming
	wrong   int       // wrong codes in this arming
	waits   map[string]*backoff
	clients []Client
}

// New returns a Pairer with the clients cfg.Store remembers.
func New(cfg Config) (*Pairer, error) {
	if cfg.Store == nil {
		cfg.Store = &MemoryStore{}
	}
	if cfg.ArmFor <= 0 {
		cfg.ArmFor = 3 * time.Minute
	}
	if cfg.Digits < 8 {
		cfg.Digits = 8
	}
	if cfg.Digits > 18 {
		return nil, fmt.Errorf("pairing: %d digits: at most 18", cfg.Digits)
	}
	if cfg.MaxWrong <= 0 {
		cfg.MaxWrong = 10
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxBackoff < cfg.Backoff {
		cfg.MaxBackoff = max(time.Minute, cfg.Backoff)
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
	return &Pairer{cfg: cfg, clients: clients, waits: map[string]*backoff{}}, nil
}

// Arm opens pairing for Config.ArmFor with a fresh code, and returns the
// code and when pairing closes again.
func (p *Pairer) Arm() (code string, until time.Time, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.cfg.Now()
	if err := p.newCode(); err != nil {
		return "", time.Time{}, err
	}
	p.until = now.Add(p.cfg.ArmFor)
	return p.code, p.until, nil
}

// Disarm closes pairing (the TV left the pairing screen).
func (p *Pairer) Disarm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.code = ""
}

// Armed returns the code on screen and when pairing closes; ok is false
// while pairing is not armed.
func (p *Pairer) Armed() (code string, until time.Time, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.armed(p.cfg.Now()) {
		return "", time.Time{}, false
	}
	return p.code, p.until, true
}

func (p *Pairer) armed(now time.Time) bool {
	if p.code != "" && !now.Before(p.until) {
		p.code = ""
	}
	return p.code != ""
}

func (p *Pairer) newCode() error {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(p.cfg.Digits)), nil)
	n, err := rand.Int(p.cfg.Rand, limit)
	if err != nil {
		return fmt.Errorf("pairing: code: %w", err)
	}
	p.code = fmt.Sprintf("%0*d", p.cfg.Digits, n)
	p.wrong = 0
	return nil
}

// Pair checks code from client (its network address) and, if pairing is
// armed and the code is the one on screen, pairs a client called name and
// returns its token. The code is then used up and pairing closes.
func (p *Pairer) Pair(client, code, name string) (token string, c Client, err error) {
	changed := false
	defer func() {
		if changed && p.cfg.Changed != nil {
			p.cfg.Changed()
		}
	}()
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.cfg.Now()
	if b := p.waits[client]; b != nil && now.Before(b.until) {
		return "", Client{}, &WaitError{b.until}
	}
	if !p.armed(now) {
		return "", Client{}, ErrNotArmed
	}
	if subtle.ConstantTimeCompare([]byte(code), []byte(p.code)) != 1 {
		retry := p.penalise(client, now)
		p.wrong++
		if p.wrong >= p.cfg.MaxWrong {
			if err := p.newCode(); err != nil {
				p.code = ""
			}
			changed = true
		}
		return "", Client{}, &WrongCodeError{retry}
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
	c = Client{ID: hex.EncodeToString(id), Name: cleanName(name), Hash: hash(token), Paired: now.UTC()}
	clients := append(slices.Clone(p.clients), c)
	if err := p.cfg.Store.Save(clients); err != nil {
		return "", Client{}, fmt.Errorf("pairing: save: %w", err)
	}
	p.clients = clients
	p.code = ""
	delete(p.waits, client)
	changed = true
	return token, c, nil
}

// penalise counts a wrong code from client and returns when it may try
// again.
func (p *Pairer) penalise(client string, now time.Time) time.Time {
	b := p.waits[client]
	if b == nil {
		if len(p.waits) >= maxTracked {
			for k, w := range p.waits {
				if !now.Before(w.until.Add(p.cfg.MaxBackoff)) {
					delete(p.waits, k)
				}
			}
		}
		if len(p.waits) >= maxTracked {
			// Too many strangers at once: make this one wait longest.
			b = &backoff{wrong: 64}
		} else {
			b = &backoff{}
		}
		p.waits[client] = b
	}
	b.wrong++
	d := p.cfg.MaxBackoff
	if b.wrong <= 30 {
		d = min(p.cfg.MaxBackoff, p.cfg.Backoff<<(b.wrong-1))
	}
	b.until = now.Add(d)
	return b.until
}

// cleanName keeps a client's name printable and at most 40 runes long.
func cleanName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 40 {
		name = string([]rune(name)[:40])
	}
	return name
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
