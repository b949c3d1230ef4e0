package pairing

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// MemoryStore keeps paired clients in memory.
type MemoryStore struct {
	mu      sync.Mutex
	clients []Client
}

// Load implements Store.
func (m *MemoryStore) Load() ([]Client, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.clients), nil
}

// Save implements Store.
func (m *MemoryStore) Save(c []Client) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clients = slices.Clone(c)
	return nil
}

// FileStore keeps paired clients in a JSON file only root can read
// (/var/lib/manbang/remotes.json). A missing file is no clients.
type FileStore struct {
	Path string
}

// Load implements Store.
func (f FileStore) Load() ([]Client, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c []Client
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	return c, nil
}

// Save implements Store: it writes a new file and renames it over the
// old, so a power cut leaves one or the other.
func (f FileStore) Save(c []Client) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".remotes-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.Path)
}
