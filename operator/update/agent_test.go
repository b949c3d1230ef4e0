package update_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/manbang/manbang/operator/update"
	"github.com/manbang/manbang/operator/update/bootenv"
	"github.com/manbang/manbang/operator/update/manifest"
)

const (
	slotSize  = 1 << 20
	imageSize = 600 << 10
	oldByte   = 0xAA
)

// release is a signed release served by a test head-end.
type release struct {
	pub              ed25519.PublicKey
	image            []byte // the update artifact
	manifest, sig    []byte
	m                *manifest.Manifest
	servedImageBytes atomic.Int64
	rangeStarts      chan int64 // Range request offsets, buffered
	// serve, when set, replaces the image handler (fault injection).
	serve func(w http.ResponseWriter, r *http.Request, image []byte) bool
}

func newRelease(t testing.TB, version string, signer ed25519.PrivateKey) *release {
	return newReleaseWith(t, version, signer, nil)
}

// newReleaseWith is newRelease with the manifest changed by change before
// it is signed.
func newReleaseWith(t testing.TB, version string, signer ed25519.PrivateKey, change func(*manifest.Manifest)) *release {
	t.Helper()
	img := make([]byte, imageSize)
	rand.Read(img)
	sum := sha256.Sum256(img)
	h := hex.EncodeToString(sum[:])
	m := &manifest.Manifest{
		Format: manifest.Format, Name: "manbang", Version: version, Model: "box",
		Channel: "stable", SecurityVersion: 1, Expires: time.Now().Add(time.Hour),
		Image:      manifest.File{Path: "manbang.img", Size: 4 << 20, SHA256: h},
		Bmap:       manifest.File{Path: "manbang.img.bmap", Size: 100, SHA256: h},
		Update:     manifest.File{Path: "root.ext4", Size: imageSize, SHA256: h},
		Partitions: []manifest.Partition{{Name: "root_a", Offset: 1 << 20, Size: slotSize, SHA256: h}},
	}
	if change != nil {
		change(m)
	}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	if signer != nil {
		priv = signer
	}
	return &release{pub: pub, m: m, image: img, manifest: b, sig: manifest.Sign(priv, b), rangeStarts: make(chan int64, 100)}
}

func (rel *release) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/api/v1/firmware":
		if manifest.CompareVersions(r.URL.Query().Get("current"), rel.m.Version) >= 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		ans := manifest.Release{Version: rel.m.Version, URL: "/f/root.ext4", Size: imageSize,
			ManifestURL: "/f/m.json", SignatureURL: "/f/m.json.sig"}
		json.NewEncoder(w).Encode(ans)
	case "/f/m.json":
		w.Write(rel.manifest)
	case "/f/m.json.sig":
		w.Write(rel.sig)
	case "/f/root.ext4":
		if rg := r.Header.Get("Range"); rg != "" {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"), 10, 64)
			rel.rangeStarts <- n
		}
		if rel.serve != nil && rel.serve(w, r, rel.image) {
			return
		}
		http.ServeContent(&countingWriter{w, &rel.servedImageBytes}, r, "root.ext4", time.Time{}, bytes.NewReader(rel.image))
	default:
		http.NotFound(w, r)
	}
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// box is a box's disk: two slot files, a boot env file, a data directory.
type box struct {
	dir, a, b, env, data string
}

func newBox(t testing.TB) *box {
	dir := t.TempDir()
	bx := &box{dir: dir, a: filepath.Join(dir, "slot-a"), b: filepath.Join(dir, "slot-b"),
		env: filepath.Join(dir, "boot.env"), data: filepath.Join(dir, "data")}
	os.WriteFile(bx.a, bytes.Repeat([]byte{oldByte}, slotSize), 0o644)
	os.WriteFile(bx.b, make([]byte, slotSize), 0o644)
	os.Mkdir(bx.data, 0o755)
	os.WriteFile(filepath.Join(dir, "ca.pem"), testCA(), 0o644)
	// The factory state: slot A booted once and confirmed.
	bootenv.File{Path: bx.env}.Save(bootenv.MarkGood(bootenv.Env{"BOOT_ORDER": "A B"}, "A"))
	return bx
}

func (bx *box) config(server string, pub ed25519.PublicKey, booted, version string) update.Config {
	return update.Config{
		Server: server, Model: "box", Channel: "stable", Version: version, PublicKey: pub,
		CAFile: filepath.Join(bx.dir, "ca.pem"),
		Slots:  map[string]string{"A": bx.a, "B": bx.b}, Booted: booted,
		Boot: bootenv.File{Path: bx.env}, DownloadDir: bx.data,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func (bx *box) agent(t testing.TB, cfg update.Config) *update.Agent {
	a, err := update.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// checkBoots runs the bootloader on the box's env and checks that the slot
// it picks holds a complete image: the old one in A or the new one in B.
func (bx *box) checkBoots(t testing.TB, rel *release) string {
	t.Helper()
	env, err := bootenv.File{Path: bx.env}.Load()
	if err != nil {
		t.Fatalf("boot env after the crash: %v", err)
	}
	slot, _ := bootenv.Choose(env)
	switch slot {
	case "A":
		a, _ := os.ReadFile(bx.a)
		if !bytes.Equal(a, bytes.Repeat([]byte{oldByte}, slotSize)) {
			t.Fatal("the bootloader picks A, but A was changed")
		}
	case "B":
		b, _ := os.ReadFile(bx.b)
		if !bytes.Equal(b[:imageSize], rel.image) {
			t.Fatal("the bootloader picks B, but B does not hold the new image")
		}
	}
	return slot
}

// serve serves h over https on 127.0.0.1, with the certificate of
// testCA.
func serve(t testing.TB, h http.Handler) string {
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

var (
	caOnce sync.Once
	caPEM  []byte
)

// testCA is the PEM of the certificate httptest's TLS servers present
// (self-signed, for 127.0.0.1): the operator's CA of the tests.
func testCA() []byte {
	caOnce.Do(func() {
		srv := httptest.NewTLSServer(http.NotFoundHandler())
		caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		srv.Close()
	})
	return caPEM
}

func TestUpdateAndConfirm(t *testing.T) {
	bx := newBox(t)
	rel := newRelease(t, "2.0.0", nil)
	url := serve(t, rel)
	res, err := bx.agent(t, bx.config(url, rel.pub, "A", "1.0.0")).Update(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Updated() || res.Slot != "B" || res.Version != "2.0.0" {
		t.Fatalf("Update = %+v", res)
	}
	if bx.checkBoots(t, rel) != "B" {
		t.Fatal("the box does not boot the new slot")
	}
	if left, _ := os.ReadDir(bx.data); len(left) != 0 {
		t.Fatalf("download left behind: %v", left)
	}
	// Reboot into B: the bootloader counts the try, the UI confirms.
	env, _ := bootenv.File{Path: bx.env}.Load()
	_, env = bootenv.Choose(env)
	bootenv.File{Path: bx.env}.Save(env)
	b := bx.agent(t, bx.config(url, rel.pub, "B", "2.0.0"))
	if _, err := b.Update(context.Background()); !errors.Is(err, update.ErrUnconfirmed) {
		t.Fatalf("Update before MarkGood: %v, want ErrUnconfirmed", err)
	}
	if err := b.MarkGood(); err != nil {
		t.Fatal(err)
	}
	env, _ = bootenv.File{Path: bx.env}.Load()
	if !bootenv.Confirmed(env, "B") {
		t.Fatalf("B not confirmed: %v", env)
	}
	res, err = b.Update(context.Background())
	if err != nil || res.Updated() {
		t.Fatalf("Update when up to date = %+v, %v", res, err)
	}
}

func TestUpdateRefuses(t *testing.T) {
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	tests := []struct {
		name    string
		rel     func(t *testing.T) *release
		version string
		want    error
		wantMsg string
	}{
		{"bad signature", func(t *testing.T) *release {
			r := newRelease(t, "2.0.0", otherKey)
			r.pub, _, _ = ed25519.GenerateKey(rand.Reader)
			return r
		}, "1.0.0", manifest.ErrSignature, ""},
		{"one byte of the manifest changed", func(t *testing.T) *release {
			r := newRelease(t, "2.0.0", nil)
			r.manifest = bytes.Replace(r.manifest, []byte(`"box"`), []byte(`"bax"`), 1)
			return r
		}, "1.0.0", manifest.ErrSignature, ""},
		{"corrupt image", func(t *testing.T) *release {
			r := newRelease(t, "2.0.0", nil)
			r.image[1000] ^= 1
			return r
		}, "1.0.0", update.ErrMismatch, ""},
		{"truncated image on the server", func(t *testing.T) *release {
			r := newRelease(t, "2.0.0", nil)
			r.image = r.image[:imageSize-100]
			return r
		}, "1.0.0", nil, "ended at byte"},
		{"downgrade", func(t *testing.T) *release { return newRelease(t, "2.0.0", nil) }, "1.0.0", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bx := newBox(t)
			rel := tt.rel(t)
			before, _ := os.ReadFile(bx.env)
			cfg := bx.config(serve(t, rel), rel.pub, "A", tt.version)
			if tt.name == "downgrade" {
				cfg.Version = "3.0.0" // the server still offers 2.0 as newest
			}
			res, err := bx.agent(t, cfg).Update(context.Background())
			switch {
			case tt.name == "downgrade":
				if err != nil || res.Updated() {
					t.Fatalf("Update = %+v, %v; want nothing done", res, err)
				}
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("Update: %v, want %v", err, tt.want)
			case tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg)):
				t.Fatalf("Update: %v, want %q", err, tt.wantMsg)
			}
			if errors.Is(tt.want, manifest.ErrSignature) && rel.servedImageBytes.Load() != 0 {
				t.Fatal("the image was downloaded before the signature was checked")
			}
			after, _ := os.ReadFile(bx.env)
			b, _ := os.ReadFile(bx.b)
			if !bytes.Equal(before, after) || !bytes.Equal(b, make([]byte, slotSize)) {
				t.Fatal("a refused update changed the boot env or the inactive slot")
			}
			if tt.want == update.ErrMismatch {
				if left, _ := os.ReadDir(bx.data); len(left) != 0 {
					t.Fatalf("a corrupt download was kept: %v", left)
				}
			}
		})
	}
}

func TestServerGoneMidDownloadResumes(t *testing.T) {
	bx := newBox(t)
	rel := newRelease(t, "2.0.0", nil)
	var once sync.Once
	rel.serve = func(w http.ResponseWriter, r *http.Request, img []byte) bool {
		cut := false
		once.Do(func() { cut = true })
		if !cut {
			return false
		}
		// Send a third of the image, then drop the connection.
		w.Header().Set("Content-Length", strconv.Itoa(len(img)))
		w.Write(img[:len(img)/3])
		w.(http.Flusher).Flush()
		rel.servedImageBytes.Add(int64(len(img) / 3))
		panic(http.ErrAbortHandler)
	}
	url := serve(t, rel)
	a := bx.agent(t, bx.config(url, rel.pub, "A", "1.0.0"))
	if _, err := a.Update(context.Background()); err == nil || !strings.Contains(err.Error(), "resumes next time") {
		t.Fatalf("Update with the server gone: %v", err)
	}
	bx.checkBoots(t, rel)
	if _, err := a.Update(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case start := <-rel.rangeStarts:
		if start == 0 {
			t.Fatal("resumed from 0")
		}
	default:
		t.Fatal("the second attempt did not resume with a Range request")
	}
	if served := rel.servedImageBytes.Load(); served >= 2*imageSize {
		t.Fatalf("served %d bytes for a %d-byte image: no resume", served, imageSize)
	}
	if bx.checkBoots(t, rel) != "B" {
		t.Fatal("not switched")
	}
}

func TestFullDisk(t *testing.T) {
	bx := newBox(t)
	small := filepath.Join(t.TempDir(), "small")
	os.Mkdir(small, 0o755)
	if err := mountTmpfs(small, 128<<10); err != nil {
		t.Skipf("a full disk needs a small tmpfs (root): %v", err)
	}
	t.Cleanup(func() { unmount(small) })
	rel := newRelease(t, "2.0.0", nil)
	cfg := bx.config(serve(t, rel), rel.pub, "A", "1.0.0")
	cfg.DownloadDir = small
	before, _ := os.ReadFile(bx.env)
	_, err := bx.agent(t, cfg).Update(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no space") {
		t.Fatalf("Update on a full disk: %v", err)
	}
	if left, _ := os.ReadDir(small); len(left) != 0 {
		t.Fatalf("partial download left on the full disk: %v", left)
	}
	after, _ := os.ReadFile(bx.env)
	if !bytes.Equal(before, after) {
		t.Fatal("boot env changed")
	}
}

func TestBootedSlot(t *testing.T) {
	for in, want := range map[string]string{
		"console=ttyAMA0 root=PARTLABEL=root_b manbang.slot=B ro": "B",
		"manbang.slot=A": "A",
		"manbang.slot=C": "",
		"":               "",
	} {
		got, err := update.BootedSlot(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("BootedSlot(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestNewChecksConfig(t *testing.T) {
	bx := newBox(t)
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	good := bx.config("https://127.0.0.1:1", pub, "A", "1.0.0")
	for name, change := range map[string]func(c *update.Config){
		"server":   func(c *update.Config) { c.Server = "ftp://x" },
		"key":      func(c *update.Config) { c.PublicKey = nil },
		"slot":     func(c *update.Config) { c.Booted = "C" },
		"slots":    func(c *update.Config) { c.Slots = map[string]string{"A": bx.a} },
		"boot env": func(c *update.Config) { c.Boot = nil },
		"data":     func(c *update.Config) { c.DownloadDir = "" },
		"model":    func(c *update.Config) { c.Model = "" },
		"http":     func(c *update.Config) { c.Server = "http://192.0.2.1:1" },
		"version":  func(c *update.Config) { c.Version = "1.0" },
		"both CAs": func(c *update.Config) { c.Client = http.DefaultClient },
	} {
		c := good
		change(&c)
		if _, err := update.New(c); err == nil {
			t.Errorf("%s: New accepted a bad config", name)
		}
	}
	if _, err := update.New(good); err != nil {
		t.Fatal(err)
	}
}
