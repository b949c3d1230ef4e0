package operator

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// TokenStore keeps the box's device token between runs.
type TokenStore interface {
	// Load returns the token kept, or "" if there is none.
	Load() (string, error)
	// Save keeps token, replacing the one kept.
	Save(token string) error
}

// MemoryTokenStore keeps the token in memory only.
type MemoryTokenStore struct {
	mu    sync.Mutex
	token string
}

// Load returns the token kept.
func (m *MemoryTokenStore) Load() (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.token, nil
}

// Save keeps token.
func (m *MemoryTokenStore) Save(token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.token = token
	return nil
}

// FileTokenStore keeps the token in a file readable by its owner only.
// Save writes a temporary file, syncs it and renames it over the old one,
// so that a power cut leaves the old token or the new one, never half.
type FileTokenStore struct {
	Path string
}

// maxTokenFile bounds what Load reads.
const maxTokenFile = 4 << 10

// Load returns the token in the file, or "" if there is no file.
func (f FileTokenStore) Load() (string, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("operator: token: %w", err)
	}
	if len(b) > maxTokenFile {
		return "", fmt.Errorf("operator: token file %s is larger than %d bytes", f.Path, maxTokenFile)
	}
	return strings.TrimSpace(string(b)), nil
}

// Save writes token to the file atomically.
func (f FileTokenStore) Save(token string) error {
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("operator: token: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(f.Path)+"-*")
	if err != nil {
		return fmt.Errorf("operator: token: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	_, err = tmp.WriteString(token + "\n")
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.Path)
	}
	if err != nil {
		return fmt.Errorf("operator: save token %s: %w", f.Path, err)
	}
	// The rename is durable once the directory is synced.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// DefaultDevice is the registration of a box that was configured with
// none: its serial is derived from the machine ID (/etc/machine-id) or
// else the host name by AppSpecificID, its model "manbang" and its
// firmware "dev". Its DeviceKey is empty: the client makes one.
func DefaultDevice() DeviceRegistration {
	id := ""
	if b, err := os.ReadFile("/etc/machine-id"); err == nil {
		id = strings.TrimSpace(string(b))
	}
	if id == "" {
		id, _ = os.Hostname()
	}
	if id == "" {
		id = "unknown"
	}
	return DeviceRegistration{Serial: AppSpecificID(id), Model: "manbang", Firmware: "dev"}
}

// serialApp is the application constant of AppSpecificID.
const serialApp = "manbang device serial v1"

// AppSpecificID derives the box's serial from its machine ID as
// machine-id(5) asks (and sd_id128_get_machine_app_specific does): an
// HMAC-SHA256 keyed by the machine ID over a constant of this
// application, so that the machine ID itself never leaves the box and no
// other application's ID can be linked to it.
func AppSpecificID(machineID string) string {
	m := hmac.New(sha256.New, []byte(machineID))
	m.Write([]byte(serialApp))
	return "mb-" + hex.EncodeToString(m.Sum(nil)[:16])
}

// NewDeviceKey returns a new random device key (256 bits).
func NewDeviceKey() string { return rand.Text() + rand.Text() }

// LoadDeviceKey returns the device key kept in the file at path, making
// and keeping a new one (mode 0600, written atomically) if there is none.
// A box that lost the file registers as a new device.
func LoadDeviceKey(path string) (string, error) {
	f := FileTokenStore{Path: path}
	k, err := f.Load()
	if err != nil {
		return "", fmt.Errorf("operator: device key: %w", err)
	}
	if len(k) >= 32 {
		return k, nil
	}
	k = NewDeviceKey()
	if err := f.Save(k); err != nil {
		return "", fmt.Errorf("operator: device key: %w", err)
	}
	return k, nil
}

// currentToken returns the token to send, loading it from the store the
// first time.
func (c *Client) currentToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded {
		t, err := c.tokens.Load()
		if err == nil || c.loadErrs >= 3 {
			c.loaded = true // a broken store is given up on: the box registers
		} else {
			c.loadErrs++
		}
		if c.token == "" {
			c.token = t
		}
	}
	return c.token
}

// Register registers the box with the head-end (POST /api/v1/devices)
// and keeps the token it answers. Requests register by themselves when
// the head-end answers 401; Register is for doing it ahead.
func (c *Client) Register(ctx context.Context) (Device, error) {
	c.regMu.Lock()
	defer c.regMu.Unlock()
	return c.register(ctx)
}

// register is Register with regMu held.
func (c *Client) register(ctx context.Context) (Device, error) {
	var d Device
	// The current token, if any, goes along (do sends it): with the device
	// key it proves the box is the device it was.
	if err := c.do(ctx, "POST", registerPath, nil, c.device, &d); err != nil {
		return Device{}, err
	}
	if d.Token == "" {
		return Device{}, c.malformed("POST", registerPath, errors.New("registration without token"))
	}
	c.mu.Lock()
	c.token, c.loaded = d.Token, true
	c.mu.Unlock()
	if err := c.tokens.Save(d.Token); err != nil {
		// The token works for this run all the same.
		return d, err
	}
	return d, nil
}

const registerPath = "/api/v1/devices"

// reregister registers the box after a 401 to a request sent with token
// used, unless another request did so meanwhile.
func (c *Client) reregister(ctx context.Context, used string) error {
	c.regMu.Lock()
	defer c.regMu.Unlock()
	if c.currentToken() != used {
		return nil
	}
	if _, err := c.register(ctx); err != nil && c.currentToken() == used {
		return err // a failure to keep the new token is no failure here
	}
	return nil
}
