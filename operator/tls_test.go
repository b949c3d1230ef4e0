package operator_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
)

// testCA is a self-signed certificate authority.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// serverCert is a certificate for 127.0.0.1 signed by ca.
func (ca *testCA) serverCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "head-end"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestPinnedCA(t *testing.T) {
	ca, other := newCA(t, "Operator CA"), newCA(t, "Someone else")
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jsonAnswer(w, 200, `{"categories":[{"id":"docs"}]}`)
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{ca.serverCert(t)}}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	ts.StartTLS()
	defer ts.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, ca.pem, 0o644)
	ctx := context.Background()

	for name, cfg := range map[string]operator.ClientConfig{
		"PinnedCAs": {PinnedCAs: [][]byte{ca.pem}},
		"CAFile":    {CAFile: caFile},
		"both":      {CAFile: caFile, PinnedCAs: [][]byte{other.pem}},
	} {
		cfg.BaseURL = ts.URL
		c := newClient(t, cfg)
		if l, err := c.Categories(ctx); err != nil || len(l.Categories) != 1 {
			t.Errorf("%s: %+v, %v", name, l, err)
		}
	}
	for name, cfg := range map[string]operator.ClientConfig{
		"system roots": {},
		"another CA":   {PinnedCAs: [][]byte{other.pem}},
	} {
		cfg.BaseURL, cfg.Retries = ts.URL, -1
		c := newClient(t, cfg)
		if _, err := c.Categories(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("%s: %v, want a certificate error", name, err)
		}
	}
	for name, tt := range map[string]struct {
		cfg  operator.ClientConfig
		want string
	}{
		"missing file": {operator.ClientConfig{CAFile: filepath.Join(t.TempDir(), "nope.pem")}, "CA file"},
		"not PEM":      {operator.ClientConfig{PinnedCAs: [][]byte{[]byte("hello")}}, "no PEM certificate"},
		"with HTTP":    {operator.ClientConfig{CAFile: caFile, HTTP: http.DefaultClient}, "not both"},
	} {
		tt.cfg.BaseURL = ts.URL
		if _, err := operator.NewClient(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", name, err, tt.want)
		}
	}
}

func TestCAFileFor(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := operator.CAFileFor(ca, true); err != nil || got != ca {
		t.Errorf("a given file: %q, %v", got, err)
	}
	if _, err := operator.CAFileFor(filepath.Join(dir, "none.pem"), true); err == nil {
		t.Error("a given file that is not there: no error")
	}
	// Not given: the image's file where there is one, else the system's
	// authorities. This machine has no image's file unless it is a box.
	_, statErr := os.Stat(operator.DefaultCAFile)
	got, err := operator.CAFileFor(operator.DefaultCAFile, false)
	if err != nil || (statErr == nil) != (got == operator.DefaultCAFile) || (statErr != nil && got != "") {
		t.Errorf("not given: %q, %v (the default file: %v)", got, err, statErr)
	}
}
