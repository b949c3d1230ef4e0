package update_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/manbang/manbang/operator/update"
)

// secret stands for a root-only file's content, which a request file
// must never carry into the world-readable status.
const secret = "s3cr3tXQ-of-root-only-0123456789"

// The request file is the UI's: what the root service takes from it, and
// what it refuses (issue 21, finding 3). Each refusal is an error quoting
// none of the file's bytes, and none of them hangs.
func TestReadRequest(t *testing.T) {
	dir := t.TempDir()
	rootOnly := filepath.Join(dir, "shadow")
	if err := os.WriteFile(rootOnly, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	uid := os.Getuid()
	tests := []struct {
		name    string
		make    func(path string) error
		owner   int
		wantID  string
		wantErr string
	}{
		{"the Requester's form", write("0123456789abcdef"), uid, "0123456789abcdef", ""},
		{"written by echo", write("0123456789abcdef\n"), uid, "0123456789abcdef", ""},
		{"none", func(string) error { return nil }, uid, "", "no request"},
		{"symlink to a root-only file", link(rootOnly), uid, "", "symbolic link"},
		{"symlink to /dev/zero", link("/dev/zero"), uid, "", "symbolic link"},
		{"FIFO", func(p string) error { return syscall.Mkfifo(p, 0o666) }, uid, "", "not a regular file"},
		{"oversized", write(strings.Repeat("0123456789abcdef", 1<<16)), uid, "", "more than"},
		{"another user's", write("0123456789abcdef"), uid + 1, "", "not owned"},
		{"not the form", write("req-1"), uid, "", "not 16 hex"},
		{"a secret in the right size", write(secret[:16]), uid, "", "not 16 hex"},
		{"a directory", func(p string) error { return os.Mkdir(p, 0o755) }, uid, "", "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "update-request")
			if err := tt.make(p); err != nil {
				t.Fatal(err)
			}
			id, err := update.ReadRequest(p, tt.owner)
			if id != tt.wantID {
				t.Errorf("ReadRequest = %q, want %q", id, tt.wantID)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("ReadRequest: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("ReadRequest: %v, want an error about %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), secret[:8]):
				t.Errorf("the error quotes the file: %v", err)
			}
			if tt.name == "none" && !errors.Is(err, update.ErrNoRequest) {
				t.Errorf("a missing request: %v, want ErrNoRequest", err)
			}
		})
	}
}

// A file owned by another user is refused even when it holds a good
// request: as root, the test gives the file to nobody.
func TestReadRequestOtherOwner(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("chown to another user needs root")
	}
	p := filepath.Join(t.TempDir(), "update-request")
	if err := os.WriteFile(p, []byte("0123456789abcdef"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(p, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if _, err := update.ReadRequest(p, 0); err == nil || !strings.Contains(err.Error(), "not owned") {
		t.Fatalf("ReadRequest of nobody's file for uid 0: %v", err)
	}
	if id, err := update.ReadRequest(p, 65534); err != nil || id != "0123456789abcdef" {
		t.Fatalf("ReadRequest of nobody's file for nobody: %q, %v", id, err)
	}
}

func write(s string) func(string) error {
	return func(p string) error { return os.WriteFile(p, []byte(s), 0o644) }
}

func link(to string) func(string) error {
	return func(p string) error { return os.Symlink(to, p) }
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{"0123456789abcdef", "0123456789abcdef\n", "req-1", "", strings.Repeat("a", 65)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := update.ParseRequest(b)
		if err == nil && (len(id) != 16 || !bytes.HasPrefix(b, []byte(id))) {
			t.Fatalf("ParseRequest(%q) = %q", b, id)
		}
	})
}
