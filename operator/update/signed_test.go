package update_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/operator/update"
	"github.com/manbang/manbang/operator/update/bootenv"
	"github.com/manbang/manbang/operator/update/manifest"
)

// What the release key signs besides the hashes is checked against the
// box before anything is written (issue 21, finding 4).
func TestUpdateRefusesSignedFields(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*manifest.Manifest)
		version string // the running image's
		kept    uint64 // the boot environment's security version
		want    error
		wantMsg string
	}{
		{"other channel", func(m *manifest.Manifest) { m.Channel = "beta" }, "1.0.0", 0, update.ErrNotForThisBox, ""},
		{"other model", func(m *manifest.Manifest) { m.Model = "other" }, "1.0.0", 0, update.ErrNotForThisBox, ""},
		{"expired", func(m *manifest.Manifest) { m.Expires = time.Now().Add(-time.Minute) }, "1.0.0", 0, manifest.ErrExpired, ""},
		{"lower security version", func(m *manifest.Manifest) { m.SecurityVersion = 2 }, "1.0.0", 3, update.ErrDowngrade, "security version"},
		{"pre-release below the running release", nil, "1.4.3", 0, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bx := newBox(t)
			version := "2.0.0"
			if tt.change == nil {
				version = "1.4.0-rc1"
			}
			rel := newReleaseWith(t, version, nil, tt.change)
			if tt.kept != 0 {
				env, _ := bootenv.File{Path: bx.env}.Load()
				must(t, bootenv.File{Path: bx.env}.Save(bootenv.RaiseSecurityVersion(env, tt.kept)))
			}
			before, _ := os.ReadFile(bx.env)
			res, err := bx.agent(t, bx.config(serve(t, rel), rel.pub, "A", tt.version)).Update(context.Background())
			switch {
			case tt.want == nil && (err != nil || res.Updated()):
				t.Fatalf("Update = %+v, %v; want nothing done", res, err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("Update: %v, want %v", err, tt.want)
			case tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg):
				t.Fatalf("Update: %v, want %q", err, tt.wantMsg)
			}
			after, _ := os.ReadFile(bx.env)
			b, _ := os.ReadFile(bx.b)
			if !bytes.Equal(before, after) || !bytes.Equal(b, make([]byte, slotSize)) {
				t.Fatal("a refused update changed the boot env or the inactive slot")
			}
		})
	}
}

// An installed release's security version is kept in the boot
// environment, and the download directory is made private.
func TestUpdateKeepsSecurityVersion(t *testing.T) {
	bx := newBox(t)
	rel := newReleaseWith(t, "2.0.0", nil, func(m *manifest.Manifest) { m.SecurityVersion = 7 })
	if _, err := bx.agent(t, bx.config(serve(t, rel), rel.pub, "A", "1.0.0")).Update(context.Background()); err != nil {
		t.Fatal(err)
	}
	env, _ := bootenv.File{Path: bx.env}.Load()
	if got := env.SecurityVersion(); got != 7 {
		t.Fatalf("kept security version %d, want 7 (env %v)", got, env)
	}
	st, err := os.Stat(bx.data)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Fatalf("download directory mode %v, want 0700", st.Mode().Perm())
	}
}

// The agent trusts only the operator's CA (issue 21, finding 5): a TLS
// head-end on 127.0.0.1 whose CA is not the given one is refused, and
// plain http to another machine is refused before any connection.
func TestUpdateTrustsOnlyTheCA(t *testing.T) {
	bx := newBox(t)
	rel := newRelease(t, "2.0.0", nil)
	url := serve(t, rel)
	other := filepath.Join(bx.dir, "other-ca.pem")
	must(t, os.WriteFile(other, otherCA(t), 0o644))
	cfg := bx.config(url, rel.pub, "A", "1.0.0")
	cfg.CAFile = other
	if _, err := bx.agent(t, cfg).Update(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Update with another CA: %v, want a certificate error", err)
	}
	cfg = bx.config("http://192.0.2.1:1", rel.pub, "A", "1.0.0")
	if _, err := update.New(cfg); !errors.Is(err, update.ErrInsecure) {
		t.Fatalf("New with an http:// server: %v, want ErrInsecure", err)
	}
}

// otherCA is the PEM of a fresh self-signed CA, not the one httptest's
// servers chain to.
func otherCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "not the operator"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
