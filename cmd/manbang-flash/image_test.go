package main

import (
	"crypto/ed25519"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/manbang/manbang/operator/update/manifest"
)

// TestBuiltImage checks an image made by `make image` (build/image.mk runs
// it with MANBANG_IMAGE set): the box binary beside it is an aarch64 ELF,
// the image verifies with the key built into bin/image/manbang-flash's
// public key file, and a one-byte change is refused.
func TestBuiltImage(t *testing.T) {
	img := os.Getenv("MANBANG_IMAGE")
	if img == "" {
		t.Skip("MANBANG_IMAGE is not set: no built image to check (make image runs this test)")
	}
	pub := os.Getenv("MANBANG_IMAGE_PUB")
	bin := strings.TrimSuffix(img, ".img") + ".manbang"
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("the box binary: %v", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 || f.Class != elf.ELFCLASS64 {
		t.Fatalf("%s is %v %v, want an aarch64 ELF", bin, f.Class, f.Machine)
	}
	if out, err := flash("verify", "--key", pub, img); err != nil {
		t.Fatalf("verify %s: %v", img, err)
	} else {
		t.Log(strings.TrimSpace(out))
	}
	// A sparse copy with one byte changed inside slot A.
	dir := t.TempDir()
	base := strings.TrimSuffix(filepath.Base(img), ".img")
	for _, suffix := range []string{".img", ".img.bmap", ".manifest.json", ".manifest.json.sig"} {
		if out, err := exec.Command("cp", "--sparse=always", strings.TrimSuffix(img, ".img")+suffix, filepath.Join(dir, base+suffix)).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, out)
		}
	}
	copyImg := filepath.Join(dir, base+".img")
	m, err := openImage(img, mustKey(t, pub), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := m.manifest.Partition("root_a")
	flipByte(copyImg, root.Offset+root.Size/2)
	if _, err := flash("verify", "--key", pub, copyImg); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("verify of the changed image: %v", err)
	}
}

func mustKey(t *testing.T, file string) ed25519.PublicKey {
	k, err := manifest.LoadPublicKey(file, publicKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
