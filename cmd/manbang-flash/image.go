package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/manbang/manbang/operator/update/bmap"
	"github.com/manbang/manbang/operator/update/manifest"
)

// image is a verified image: its manifest, block map and file.
type image struct {
	path     string
	manifest *manifest.Manifest
	bmap     *bmap.Map
}

// manifestPath is where the manifest of the image at path is.
func manifestPath(img string) string {
	return strings.TrimSuffix(img, ".img") + ".manifest.json"
}

// openImage verifies the signature of the image's manifest, the image's
// size and the block map's hash. With full it also hashes the whole image
// and each partition, reporting progress on log.
func openImage(path string, pub ed25519.PublicKey, full bool, log io.Writer) (*image, error) {
	mpath := manifestPath(path)
	b, err := os.ReadFile(mpath)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	sig, err := os.ReadFile(mpath + ".sig")
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	m, err := manifest.Verify(pub, b, sig)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", mpath, err)
	}
	if filepath.Base(path) != m.Image.Path {
		return nil, fmt.Errorf("the manifest is for %s, not %s", m.Image.Path, filepath.Base(path))
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	switch {
	case st.Size() < m.Image.Size:
		return nil, fmt.Errorf("image %s is truncated: %d bytes, the signed manifest says %d", path, st.Size(), m.Image.Size)
	case st.Size() > m.Image.Size:
		return nil, fmt.Errorf("image %s has %d bytes, the signed manifest says %d", path, st.Size(), m.Image.Size)
	}
	bpath := filepath.Join(filepath.Dir(path), m.Bmap.Path)
	bb, err := os.ReadFile(bpath)
	if err != nil {
		return nil, fmt.Errorf("block map: %w", err)
	}
	if sum := sha256.Sum256(bb); manifest.HashString(sum[:]) != m.Bmap.SHA256 {
		return nil, fmt.Errorf("block map %s does not match the signed manifest", bpath)
	}
	bm, err := bmap.Parse(bb)
	if err != nil {
		return nil, err
	}
	if bm.ImageSize != m.Image.Size {
		return nil, fmt.Errorf("block map is for %d bytes, the image has %d", bm.ImageSize, m.Image.Size)
	}
	img := &image{path: path, manifest: m, bmap: bm}
	if full {
		if err := img.verifyHashes(log); err != nil {
			return nil, err
		}
	}
	return img, nil
}

func (img *image) verifyHashes(log io.Writer) error {
	f, err := os.Open(img.path)
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	defer f.Close()
	m := img.manifest
	p := newProgress(log, "verify", m.Image.Size)
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(h, p), io.NewSectionReader(f, 0, m.Image.Size)); err != nil {
		return fmt.Errorf("image: %w", err)
	}
	p.done()
	if manifest.HashString(h.Sum(nil)) != m.Image.SHA256 {
		return fmt.Errorf("image %s does not match the signed manifest (sha256 differs): it was changed or damaged", img.path)
	}
	for _, part := range m.Partitions {
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(f, part.Offset, part.Size)); err != nil {
			return fmt.Errorf("partition %s: %w", part.Name, err)
		}
		if manifest.HashString(h.Sum(nil)) != part.SHA256 {
			return fmt.Errorf("partition %s does not match the signed manifest", part.Name)
		}
	}
	return nil
}

func cmdVerify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	key := fs.String("key", "", "public key `FILE` (default: the built-in key)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("verify: want one IMAGE")
	}
	pub, err := manifest.LoadPublicKey(*key, publicKey)
	if err != nil {
		return err
	}
	img, err := openImage(fs.Arg(0), pub, true, stderr)
	if err != nil {
		return err
	}
	m := img.manifest
	fmt.Fprintf(stdout, "OK %s %s for %s: signature and hashes of the image, block map and %d partitions match\n",
		m.Name, m.Version, m.Model, len(m.Partitions))
	return nil
}

func cmdKeygen(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("keygen: want one DIR")
	}
	pub, priv, err := manifest.GenerateKey()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(args[0], 0o700); err != nil {
		return err
	}
	privPath, pubPath := filepath.Join(args[0], "image-signing.key"), filepath.Join(args[0], "image-signing.pub")
	f, err := os.OpenFile(privPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("keygen: %w (keys are never overwritten)", err)
	}
	if _, err := f.Write(priv); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(pubPath, pub, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", privPath, pubPath)
	return nil
}

// partFlags collects --part NAME:OFFSET:SIZE.
type partFlags []manifest.Partition

func (p *partFlags) String() string { return fmt.Sprint(len(*p), " partitions") }

func (p *partFlags) Set(s string) error {
	f := strings.Split(s, ":")
	if len(f) != 3 {
		return fmt.Errorf("want NAME:OFFSET:SIZE, got %q", s)
	}
	off, err1 := strconv.ParseInt(f[1], 10, 64)
	size, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("want NAME:OFFSET:SIZE in bytes, got %q", s)
	}
	*p = append(*p, manifest.Partition{Name: f[0], Offset: off, Size: size})
	return nil
}

func cmdSign(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	key := fs.String("key", "", "private key `FILE`")
	var m manifest.Manifest
	var imgPath, bmapPath, updPath string
	var parts partFlags
	fs.StringVar(&m.Name, "name", "manbang", "image `name`")
	fs.StringVar(&m.Version, "version", "", "release `version`")
	fs.StringVar(&m.Model, "model", "", "box `model`")
	fs.StringVar(&m.Channel, "channel", "stable", "release `channel` the release is published on")
	fs.Uint64Var(&m.SecurityVersion, "security-version", 0, "security version `N`: raise it when the release fixes a vulnerability; boxes refuse lower ones after")
	validFor := fs.Duration("expires", 365*24*time.Hour, "how long the signature vouches for the release (boxes refuse it after; sign again to extend)")
	fs.StringVar(&imgPath, "image", "", "disk image `FILE`")
	fs.StringVar(&bmapPath, "bmap", "", "block map `FILE` of the image")
	fs.StringVar(&updPath, "update", "", "root filesystem `FILE` for field updates, beside the image")
	fs.Var(&parts, "part", "a partition `NAME:OFFSET:SIZE` (bytes), in disk order; repeat")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*key)
	if err != nil {
		return fmt.Errorf("sign: key: %w", err)
	}
	priv, err := manifest.ParsePrivateKey(b)
	if err != nil {
		return err
	}
	m.Format = manifest.Format
	if *validFor <= 0 {
		return fmt.Errorf("sign: --expires %v: want a positive duration", *validFor)
	}
	m.Expires = time.Now().Add(*validFor).UTC().Truncate(time.Second)
	for _, f := range []struct {
		path string
		to   *manifest.File
	}{{imgPath, &m.Image}, {bmapPath, &m.Bmap}, {updPath, &m.Update}} {
		if filepath.Dir(f.path) != filepath.Dir(imgPath) {
			return fmt.Errorf("sign: %s is not beside the image", f.path)
		}
		if *f.to, err = hashFile(f.path); err != nil {
			return err
		}
	}
	img, err := os.Open(imgPath)
	if err != nil {
		return err
	}
	defer img.Close()
	for _, p := range parts {
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(img, p.Offset, p.Size)); err != nil {
			return fmt.Errorf("sign: partition %s: %w", p.Name, err)
		}
		p.SHA256 = manifest.HashString(h.Sum(nil))
		m.Partitions = append(m.Partitions, p)
	}
	out, err := m.Marshal()
	if err != nil {
		return err
	}
	mpath := manifestPath(imgPath)
	if err := os.WriteFile(mpath, out, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(mpath+".sig", manifest.Sign(priv, out), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "signed %s (sha256 %s)\n", mpath, m.Image.SHA256)
	return nil
}

func hashFile(path string) (manifest.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return manifest.File{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return manifest.File{}, fmt.Errorf("hash %s: %w", path, err)
	}
	return manifest.File{Path: filepath.Base(path), Size: n, SHA256: manifest.HashString(h.Sum(nil))}, nil
}
