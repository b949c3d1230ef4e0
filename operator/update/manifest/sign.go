package manifest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Key files and signatures are one line of standard base64 with a prefix
// naming what they are, so that a key is never mistaken for a signature:
//
//	manbang-ed25519-public BASE64(32-byte public key)
//	manbang-ed25519-private BASE64(32-byte seed)
//	manbang-ed25519-signature BASE64(64-byte signature)
const (
	publicPrefix    = "manbang-ed25519-public "
	privatePrefix   = "manbang-ed25519-private "
	signaturePrefix = "manbang-ed25519-signature "
)

// ErrSignature is returned by Verify when the signature does not match.
var ErrSignature = errors.New("manifest: bad signature: the manifest was changed or signed with another key")

// GenerateKey makes a new signing key pair and returns both key files.
func GenerateKey() (public, private []byte, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("manifest: generate key: %w", err)
	}
	return encodeLine(publicPrefix, pub), encodeLine(privatePrefix, priv.Seed()), nil
}

// ParsePublicKey decodes a public key file.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	raw, err := decodeLine(publicPrefix, b, ed25519.PublicKeySize)
	if err != nil {
		return nil, fmt.Errorf("manifest: public key: %w", err)
	}
	return ed25519.PublicKey(raw), nil
}

// LoadPublicKey reads a public key file, or, when file is "", decodes
// builtIn: the key's base64 as a binary carries it (-ldflags -X). It is
// how the box's update service and the technician's flash tool find the
// key they trust.
func LoadPublicKey(file, builtIn string) (ed25519.PublicKey, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("manifest: public key: %w", err)
		}
		return ParsePublicKey(b)
	}
	if builtIn == "" {
		return nil, errors.New("manifest: no public key: this build has none built in (-ldflags -X main.publicKey=...); give one with --key")
	}
	return ParsePublicKey([]byte(publicPrefix + builtIn))
}

// ParsePrivateKey decodes a private key file.
func ParsePrivateKey(b []byte) (ed25519.PrivateKey, error) {
	raw, err := decodeLine(privatePrefix, b, ed25519.SeedSize)
	if err != nil {
		return nil, fmt.Errorf("manifest: private key: %w", err)
	}
	return ed25519.NewKeyFromSeed(raw), nil
}

// EncodePublicKey formats a public key as a key file.
func EncodePublicKey(pub ed25519.PublicKey) []byte { return encodeLine(publicPrefix, pub) }

// Sign returns the detached signature file of the manifest bytes b.
func Sign(priv ed25519.PrivateKey, b []byte) []byte {
	return encodeLine(signaturePrefix, ed25519.Sign(priv, b))
}

// Verify checks the detached signature file sig of the manifest bytes b,
// then parses them. Nothing of an unverified manifest is returned.
func Verify(pub ed25519.PublicKey, b, sig []byte) (*Manifest, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, errors.New("manifest: no public key")
	}
	raw, err := decodeLine(signaturePrefix, sig, ed25519.SignatureSize)
	if err != nil {
		return nil, fmt.Errorf("manifest: signature file: %w", err)
	}
	if !ed25519.Verify(pub, b, raw) {
		return nil, ErrSignature
	}
	return Parse(b)
}

func encodeLine(prefix string, raw []byte) []byte {
	return []byte(prefix + base64.StdEncoding.EncodeToString(raw) + "\n")
}

func decodeLine(prefix string, b []byte, size int) ([]byte, error) {
	s := strings.TrimSpace(string(b))
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return nil, fmt.Errorf("does not start with %q", strings.TrimSpace(prefix))
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return nil, fmt.Errorf("base64: %w", err)
	}
	if len(raw) != size {
		return nil, fmt.Errorf("%d bytes, want %d", len(raw), size)
	}
	return raw, nil
}
