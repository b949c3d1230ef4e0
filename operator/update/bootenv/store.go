package bootenv

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
)

// Store loads and saves the boot environment.
type Store interface {
	Load() (Env, error)
	// Save replaces the environment as one atomic step: after a power cut
	// the old or the new environment is there, never a mix.
	Save(Env) error
}

// File is a boot environment kept in a text file, replaced atomically
// (write a temporary file, sync, rename, sync the directory). A missing
// file is an empty environment. The qemu image and the tests use it; on
// a FAT boot partition the rename is not atomic, so boards keep the
// environment in U-Boot's redundant storage (FwEnv).
type File struct{ Path string }

// Load reads the file.
func (f File) Load() (Env, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return Env{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bootenv: %w", err)
	}
	return Parse(b)
}

// Save replaces the file.
func (f File) Save(e Env) error {
	if err := WriteFileAtomic(f.Path, e.Marshal()); err != nil {
		return fmt.Errorf("bootenv: %w", err)
	}
	return nil
}

// WriteFileAtomic replaces path with b such that a crash leaves the old or
// the new content.
func WriteFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
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
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// FwEnv is U-Boot's environment through fw_printenv and fw_setenv
// (Debian's libubootenv-tool, configured by /etc/fw_env.config); with a
// redundant environment U-Boot's writes are power-safe.
type FwEnv struct {
	// Names are the variables Load reads; default the slot variables and
	// SecurityVar.
	Names []string
}

// Load reads the variables with fw_printenv.
func (f FwEnv) Load() (Env, error) {
	names := f.Names
	if names == nil {
		names = []string{"BOOT_ORDER", "BOOT_A_LEFT", "BOOT_B_LEFT", SecurityVar}
	}
	e := Env{}
	for _, n := range names {
		out, err := exec.Command("fw_printenv", n).Output()
		if err != nil {
			continue // unset variable
		}
		got, err := Parse(out)
		if err != nil {
			return nil, fmt.Errorf("bootenv: fw_printenv %s: %w", n, err)
		}
		for k, v := range got {
			e[k] = v
		}
	}
	return e, nil
}

// Save writes every variable in one fw_setenv --script call.
func (f FwEnv) Save(e Env) error {
	var script bytes.Buffer
	for _, line := range bytes.SplitAfter(e.Marshal(), []byte("\n")) {
		script.Write(bytes.Replace(line, []byte("="), []byte(" "), 1))
	}
	cmd := exec.Command("fw_setenv", "--script", "-")
	cmd.Stdin = &script
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("bootenv: fw_setenv: %w: %s", err, bytes.TrimSpace(out))
	}
	return nil
}
