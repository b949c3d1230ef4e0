package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/firmware"
	"github.com/manbang/manbang/operator/update"
	"github.com/manbang/manbang/operator/update/bootenv"
	"github.com/manbang/manbang/operator/update/manifest"
)

// updateBox is a box's update files in a temporary directory: files stand
// in for the two root partitions and the boot environment.
type updateBox struct {
	dir, server, key string
	image            []byte
}

const slotBytes = 1 << 20

// newUpdateBox publishes release 2.0.0 of model "box" on a head-end's
// firmware endpoint (headend/firmware) on 127.0.0.1, signed with a key
// made for the test, and makes a box running 1.0.0 from slot A, confirmed.
func newUpdateBox(t *testing.T) *updateBox {
	t.Helper()
	dir := t.TempDir()
	pub, priv, err := manifest.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	b := &updateBox{dir: dir, key: filepath.Join(dir, "image-signing.pub"), image: make([]byte, 600<<10)}
	rand.Read(b.image)
	must(t, os.WriteFile(b.key, pub, 0o644))
	sum := sha256.Sum256(b.image)
	h := hex.EncodeToString(sum[:])
	name := "manbang-box-2.0.0"
	m := &manifest.Manifest{
		Format: manifest.Format, Name: name, Version: "2.0.0", Model: "box",
		Channel: "stable", SecurityVersion: 2, Expires: time.Now().Add(time.Hour),
		Image:      manifest.File{Path: name + ".img", Size: 4 << 20, SHA256: h},
		Bmap:       manifest.File{Path: name + ".img.bmap", Size: 100, SHA256: h},
		Update:     manifest.File{Path: name + ".root.ext4", Size: int64(len(b.image)), SHA256: h},
		Partitions: []manifest.Partition{{Name: "root_a", Offset: 1 << 20, Size: slotBytes, SHA256: h}},
	}
	mb, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	key, err := manifest.ParsePrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	rel := filepath.Join(dir, "firmware", "box", "stable")
	must(t, os.MkdirAll(rel, 0o755))
	must(t, os.WriteFile(filepath.Join(rel, name+".root.ext4"), b.image, 0o644))
	must(t, os.WriteFile(filepath.Join(rel, name+".manifest.json.sig"), manifest.Sign(key, mb), 0o644))
	must(t, os.WriteFile(filepath.Join(rel, name+".manifest.json"), mb, 0o644))
	h2, err := firmware.New(filepath.Join(dir, "firmware"), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h2)
	t.Cleanup(srv.Close)
	b.server = srv.URL
	for _, s := range []string{"A", "B"} {
		must(t, os.WriteFile(b.slot(s), bytes.Repeat([]byte{0xAA}, slotBytes), 0o600))
	}
	must(t, bootenv.File{Path: b.path("bootenv")}.Save(bootenv.Env{"BOOT_ORDER": "A B", "BOOT_A_LEFT": "3", "BOOT_B_LEFT": "0"}))
	b.boot("A", "1.0.0")
	return b
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (b *updateBox) path(name string) string { return filepath.Join(b.dir, name) }
func (b *updateBox) slot(s string) string    { return b.path("root_" + strings.ToLower(s)) }

// boot is the box started from slot s running version v.
func (b *updateBox) boot(s, v string) {
	os.WriteFile(b.path("cmdline"), []byte("console=ttyAMA0 root=PARTUUID=x manbang.slot="+s+" quiet\n"), 0o644)
	os.WriteFile(b.path("release"), []byte("NAME=manbang-box-"+v+"\nVERSION="+v+"\nMODEL=box\n"), 0o644)
}

// run runs `manbang update` with the box's files, and extra flags.
func (b *updateBox) run(t *testing.T, extra ...string) (update.Status, error) {
	t.Helper()
	os.WriteFile(b.path("update.conf"), []byte("# root's, on the read-only root\nSERVER="+b.server+"\nCHANNEL=stable\n"), 0o644)
	args := append([]string{
		"--config", b.path("update.conf"), "--request-owner", strconv.Itoa(os.Getuid()), "--key", b.key, "--release", b.path("release"),
		"--slot-a", b.slot("A"), "--slot-b", b.slot("B"), "--bootenv", "file:" + b.path("bootenv"),
		"--cmdline", b.path("cmdline"), "--download-dir", b.path("download"),
		"--status", b.path("run/status.json"), "--request", b.path("run/request"), "--log-level", "warn",
	}, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	err := updateCmd(ctx, args, &stderr)
	if stderr.Len() > 0 {
		t.Logf("manbang update %s: %s", strings.Join(extra, " "), stderr.String())
	}
	st, _ := update.ReadStatus(b.path("run/status.json"))
	return st, err
}

func (b *updateBox) env(t *testing.T) bootenv.Env {
	t.Helper()
	e, err := bootenv.File{Path: b.path("bootenv")}.Load()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// The update service end to end: it installs 2.0 into slot B and answers
// the UI's request; after the reboot into B it refuses to update until
// --mark-good confirmed the slot; then the box is up to date.
func TestUpdateCommand(t *testing.T) {
	b := newUpdateBox(t)
	must(t, os.MkdirAll(b.path("run"), 0o755))
	must(t, os.WriteFile(b.path("run/request"), []byte("0123456789abcdef"), 0o644))
	st, err := b.run(t)
	if err != nil || st.State != update.StateInstalled || st.Version != "2.0.0" || st.Request != "0123456789abcdef" {
		t.Fatalf("update: %+v, %v", st, err)
	}
	if got, _ := os.ReadFile(b.slot("B")); !bytes.Equal(got[:len(b.image)], b.image) {
		t.Fatal("slot B does not hold the image")
	}
	if got, _ := os.ReadFile(b.slot("A")); !bytes.Equal(got, bytes.Repeat([]byte{0xAA}, slotBytes)) {
		t.Fatal("the running slot A was written")
	}
	// The bootloader boots B, with a try used up.
	slot, next := bootenv.Choose(b.env(t))
	if slot != "B" {
		t.Fatalf("the bootloader chose %s after the update", slot)
	}
	must(t, bootenv.File{Path: b.path("bootenv")}.Save(next))
	b.boot("B", "2.0.0")
	if st, err := b.run(t); err != nil || st.State != update.StateUnconfirmed {
		t.Fatalf("update before the slot is confirmed: %+v, %v", st, err)
	}
	if _, err := b.run(t, "--mark-good"); err != nil {
		t.Fatal(err)
	}
	if e := b.env(t); !bootenv.Confirmed(e, "B") || e.Order()[0] != "B" {
		t.Fatalf("after --mark-good: %v", e)
	}
	if st, err := b.run(t); err != nil || st.State != update.StateUpToDate {
		t.Fatalf("update once confirmed: %+v, %v", st, err)
	}
}

// Errors reach the status file for the UI, and the exit status.
func TestUpdateCommandFails(t *testing.T) {
	b := newUpdateBox(t)
	other := filepath.Join(b.dir, "other.pub")
	pub, _, _ := manifest.GenerateKey()
	must(t, os.WriteFile(other, pub, 0o644))
	st, err := b.run(t, "--key", other) // an image signed by another key
	if err == nil || st.State != update.StateFailed || st.Error == "" {
		t.Fatalf("another key: %+v, %v", st, err)
	}
	if got, _ := os.ReadFile(b.slot("B")); !bytes.Equal(got, bytes.Repeat([]byte{0xAA}, slotBytes)) {
		t.Fatal("slot B was written with an image the box's key did not sign")
	}
	for _, args := range [][]string{
		{"--bootenv", "nvram"},
		{"--cmdline", filepath.Join(b.dir, "none")},
		{"--server", "ftp://x"},
		{"--channel", "nightly"}, // no images: 404
		{"extra"},
	} {
		if _, err := b.run(t, args...); err == nil {
			t.Errorf("manbang update %q: no error", args)
		}
	}
	os.WriteFile(b.path("cmdline"), []byte("quiet"), 0o644)
	if _, err := b.run(t, "--mark-good"); err == nil {
		t.Error("--mark-good without manbang.slot= on the command line: no error")
	}
}

// A request file the root service must not follow or read (issue 21,
// finding 3): each is refused with a warning, the update runs as without
// a request, and the world-readable status file holds none of its bytes.
func TestUpdateCommandRefusesRequests(t *testing.T) {
	const secret = "s3cr3tXQ-root-only"
	for name, make := range map[string]func(b *updateBox, p string) error{
		"symlink to a root-only file": func(b *updateBox, p string) error {
			f := b.path("shadow")
			if err := os.WriteFile(f, []byte(secret+"\n"), 0o600); err != nil {
				return err
			}
			return os.Symlink(f, p)
		},
		"symlink to /dev/zero": func(_ *updateBox, p string) error { return os.Symlink("/dev/zero", p) },
		"FIFO":                 func(_ *updateBox, p string) error { return syscall.Mkfifo(p, 0o666) },
		"oversized":            func(_ *updateBox, p string) error { return os.WriteFile(p, bytes.Repeat([]byte(secret), 1<<16), 0o644) },
		"not a request":        func(_ *updateBox, p string) error { return os.WriteFile(p, []byte(secret), 0o644) },
	} {
		t.Run(name, func(t *testing.T) {
			b := newUpdateBox(t)
			must(t, os.MkdirAll(b.path("run"), 0o755))
			must(t, make(b, b.path("run/request")))
			st, err := b.run(t)
			if err != nil || st.State != update.StateInstalled || st.Request != "" {
				t.Fatalf("update: %+v, %v", st, err)
			}
			raw, _ := os.ReadFile(b.path("run/status.json"))
			if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte{0, 0}) {
				t.Fatalf("the status carries the request file's bytes: %s", raw)
			}
		})
	}
}

// The update configuration chooses the server root talks to: a file
// others could write, or a link, is refused (as OpenSSH's StrictModes).
func TestUpdateCommandRefusesConfig(t *testing.T) {
	b := newUpdateBox(t)
	conf := b.path("update.conf")
	for name, args := range map[string][]string{
		"world-writable": {"--config", conf + ".ww"},
		"symlink":        {"--config", conf + ".link"},
		"FIFO":           {"--config", conf + ".fifo"},
	} {
		t.Run(name, func(t *testing.T) {
			must(t, os.WriteFile(conf, []byte("SERVER="+b.server+"\n"), 0o644))
			os.Remove(conf + ".ww")
			os.Remove(conf + ".link")
			os.Remove(conf + ".fifo")
			must(t, os.WriteFile(conf+".ww", []byte("SERVER="+b.server+"\n"), 0o644))
			must(t, os.Chmod(conf+".ww", 0o666))
			must(t, os.Symlink(conf, conf+".link"))
			must(t, syscall.Mkfifo(conf+".fifo", 0o644))
			// run writes update.conf itself; the flag given after wins.
			if _, err := b.run(t, args...); err == nil {
				t.Fatalf("manbang update %q: no error", args)
			}
		})
	}
}
