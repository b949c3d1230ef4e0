package firmware

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/operator/update/manifest"
)

// publish writes a signed release of model/channel with an update file of
// content into dir and returns the manifest's file name.
func publish(t *testing.T, dir, model, channel, version, content string) string {
	t.Helper()
	return publishSigned(t, dir, model, channel, channel, version, content, time.Now().Add(time.Hour))
}

// publishSigned is publish of a manifest signed for channel signedFor
// that expires at expires.
func publishSigned(t *testing.T, dir, model, channel, signedFor, version, content string, expires time.Time) string {
	t.Helper()
	d := filepath.Join(dir, model, channel)
	os.MkdirAll(d, 0o755)
	sum := sha256.Sum256([]byte(content))
	h := hex.EncodeToString(sum[:])
	update := "manbang-" + version + ".root.ext4"
	m := &manifest.Manifest{
		Format: manifest.Format, Name: "manbang", Version: version, Model: model,
		Channel: signedFor, Expires: expires,
		Image:      manifest.File{Path: "manbang-" + version + ".img", Size: 1 << 20, SHA256: h},
		Bmap:       manifest.File{Path: "manbang-" + version + ".img.bmap", Size: 10, SHA256: h},
		Update:     manifest.File{Path: update, Size: int64(len(content)), SHA256: h},
		Partitions: []manifest.Partition{{Name: "root_a", Offset: 4096, Size: 4096, SHA256: h}},
	}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	_, priv, _ := manifest.GenerateKey()
	key, _ := manifest.ParsePrivateKey(priv)
	name := "manbang-" + version + ManifestSuffix
	os.WriteFile(filepath.Join(d, update), []byte(content), 0o644)
	os.WriteFile(filepath.Join(d, name+".sig"), manifest.Sign(key, b), 0o644)
	os.WriteFile(filepath.Join(d, name), b, 0o644)
	return name
}

func server(t *testing.T, dir string) *httptest.Server {
	h, err := New(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestFirmwareAPI(t *testing.T) {
	dir := t.TempDir()
	publish(t, dir, "box", "stable", "1.9.0", "old")
	publish(t, dir, "box", "stable", "1.10.0", "stable image")
	publish(t, dir, "box", "beta", "2.0.0", "beta image")
	// A release whose update file is missing is skipped.
	publish(t, dir, "box", "stable", "3.0.0", "gone")
	os.Remove(filepath.Join(dir, "box", "stable", "manbang-3.0.0.root.ext4"))
	os.WriteFile(filepath.Join(dir, "box", "stable", "junk"+ManifestSuffix), []byte("{"), 0o644)
	// A release signed for another channel, copied into stable, and an
	// expired one are skipped (issue 21, finding 4).
	publishSigned(t, dir, "box", "stable", "beta", "4.0.0", "beta in stable", time.Now().Add(time.Hour))
	publishSigned(t, dir, "box", "stable", "stable", "5.0.0", "expired", time.Now().Add(-time.Hour))
	srv := server(t, dir)

	tests := []struct {
		query   string
		status  int
		version string
	}{
		{"model=box&channel=stable&current=1.0.0", 200, "1.10.0"},
		{"model=box&channel=stable", 200, "1.10.0"},
		{"model=box&channel=stable&current=1.10.0", 204, ""},
		{"model=box&channel=stable&current=1.11.0", 204, ""},
		{"model=box&channel=beta&current=1.10.0", 200, "2.0.0"},
		{"model=other&channel=stable&current=1.0.0", 404, ""},
		{"model=box&channel=nightly&current=1.0.0", 404, ""},
		{"model=../box&channel=stable", 400, ""},
		{"channel=stable", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, err := http.Get(srv.URL + "/api/v1/firmware?" + tt.query)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.status >= 400 && !strings.Contains(string(body), `"error"`) {
				t.Fatalf("error body %q is not JSON", body)
			}
			if tt.version == "" {
				return
			}
			var rel manifest.Release
			if err := json.Unmarshal(body, &rel); err != nil {
				t.Fatal(err)
			}
			if rel.Version != tt.version || !strings.HasPrefix(rel.URL, srv.URL+FilesPrefix+"box/") ||
				!strings.HasSuffix(rel.SignatureURL, ManifestSuffix+".sig") || rel.Size == 0 || len(rel.SHA256) != 64 {
				t.Fatalf("release %+v", rel)
			}
			for _, u := range []string{rel.URL, rel.ManifestURL, rel.SignatureURL} {
				r, err := http.Get(u)
				if err != nil || r.StatusCode != 200 {
					t.Fatalf("GET %s: %v %v", u, r.Status, err)
				}
				r.Body.Close()
			}
		})
	}
}

func TestFilesRange(t *testing.T) {
	dir := t.TempDir()
	publish(t, dir, "box", "stable", "1.0.0", "0123456789")
	srv := server(t, dir)
	req, _ := http.NewRequest("GET", srv.URL+FilesPrefix+"box/stable/manbang-1.0.0.root.ext4", nil)
	req.Header.Set("Range", "bytes=4-")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusPartialContent || string(body) != "456789" || resp.Header.Get("Content-Range") != "bytes 4-9/10" {
		t.Fatalf("range answer %s %q %q", resp.Status, body, resp.Header.Get("Content-Range"))
	}
	for _, p := range []string{"box/stable/nope", "box/stable/..%2f..%2fetc", "box/stable", "..%2fbox/stable/x"} {
		r, err := http.Get(srv.URL + FilesPrefix + p)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", p, r.Status)
		}
	}
}

func TestNewMissingDir(t *testing.T) {
	if _, err := New(filepath.Join(t.TempDir(), "nope"), nil); err == nil {
		t.Fatal("New of a missing directory succeeded")
	}
}
