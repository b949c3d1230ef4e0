package hls

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/grafov/m3u8"
)

// key is an EXT-X-KEY with METHOD=AES-128 (RFC 8216 4.3.2.4): segments
// after it are AES-128-CBC encrypted as a whole, with PKCS#7 padding.
type key struct {
	uri   string   // absolute URI of the 16-byte key
	iv    [16]byte // from the IV attribute, when hasIV
	hasIV bool
}

// ErrSampleAES is returned for playlists encrypted with SAMPLE-AES (or any
// method but AES-128), which this client does not decrypt.
var ErrSampleAES = errors.New("SAMPLE-AES encryption not supported")

// Errors of segment decryption.
var (
	errCipherLength = errors.New("encrypted segment is not a whole number of AES blocks")
	errPadding      = errors.New("bad PKCS#7 padding (wrong key?)")
)

// parseKey checks an EXT-X-KEY. It returns nil for METHOD=NONE.
func parseKey(k *m3u8.Key, base *url.URL) (*key, error) {
	switch m := strings.ToUpper(strings.TrimSpace(k.Method)); m {
	case "", "NONE":
		return nil, nil
	case "AES-128":
	case "SAMPLE-AES", "SAMPLE-AES-CTR", "SAMPLE-AES-CENC":
		return nil, ErrSampleAES
	default:
		return nil, fmt.Errorf("encryption method %q not supported", k.Method)
	}
	if f := strings.TrimSpace(k.Keyformat); f != "" && f != "identity" {
		return nil, fmt.Errorf("key format %q not supported", k.Keyformat)
	}
	if k.URI == "" {
		return nil, errors.New("AES-128 key without URI")
	}
	u, err := resolveKey(base, k.URI)
	if err != nil {
		return nil, err
	}
	out := &key{uri: u}
	if k.IV != "" {
		if out.iv, err = parseIV(k.IV); err != nil {
			return nil, err
		}
		out.hasIV = true
	}
	return out, nil
}

// resolveKey resolves a key URI; keys may also be data: URIs with the
// bytes inline, which are kept as they are.
func resolveKey(base *url.URL, ref string) (string, error) {
	if strings.HasPrefix(strings.TrimSpace(ref), "data:") {
		return strings.TrimSpace(ref), nil
	}
	return resolve(base, ref)
}

// parseIV parses an IV attribute: 0x or 0X followed by 32 hex digits (a
// shorter value is zero-extended on the left, as a 128-bit number).
func parseIV(s string) ([16]byte, error) {
	var iv [16]byte
	h, ok := strings.CutPrefix(strings.TrimSpace(s), "0x")
	if !ok {
		h, ok = strings.CutPrefix(strings.TrimSpace(s), "0X")
	}
	if !ok || len(h) == 0 || len(h) > 32 {
		return iv, fmt.Errorf("bad IV %q", s)
	}
	if len(h)%2 == 1 {
		h = "0" + h
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return iv, fmt.Errorf("bad IV %q", s)
	}
	copy(iv[16-len(b):], b)
	return iv, nil
}

// ivFor returns the IV of a segment: the key's, or else the segment's media
// sequence number as a big-endian 128-bit number.
func ivFor(k *key, seq uint64) [16]byte {
	if k.hasIV {
		return k.iv
	}
	var iv [16]byte
	binary.BigEndian.PutUint64(iv[8:], seq)
	return iv
}

// decryptSegment decrypts an AES-128-CBC segment and removes its PKCS#7
// padding. It never panics, whatever the input.
func decryptSegment(data, k []byte, iv [16]byte) ([]byte, error) {
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w (%d bytes)", errCipherLength, len(data))
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv[:]).CryptBlocks(out, data)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > aes.BlockSize || pad > len(out) ||
		!bytes.Equal(out[len(out)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errPadding
	}
	return out[:len(out)-pad], nil
}

// keyCache fetches each key URI once.
type keyCache struct {
	f    *fetcher
	keys map[string][]byte
}

// maxKeyBytes bounds a key response; a key is 16 bytes.
const maxKeyBytes = 1024

// get returns the 16 bytes of the key at uri, fetching them the first time.
func (c *keyCache) get(ctx context.Context, uri string) ([]byte, error) {
	if k, ok := c.keys[uri]; ok {
		return k, nil
	}
	var k []byte
	if strings.HasPrefix(uri, "data:") {
		var err error
		if k, err = dataURI(uri); err != nil {
			return nil, fmt.Errorf("hls: key %s: %w", uri, err)
		}
	} else {
		body, _, err := c.f.get(ctx, uri, byteRange{}, maxKeyBytes, retryPolicy{what: "fetch key"})
		if err != nil {
			return nil, fmt.Errorf("hls: fetch key %s: %w", uri, err)
		}
		k = body
	}
	if len(k) != aes.BlockSize {
		return nil, fmt.Errorf("hls: key %s has %d bytes, want 16", uri, len(k))
	}
	if c.keys == nil {
		c.keys = map[string][]byte{}
	}
	c.keys[uri] = k
	return k, nil
}

// dataURI decodes the payload of a base64 or hex data: URI key.
func dataURI(u string) ([]byte, error) {
	meta, payload, ok := strings.Cut(strings.TrimPrefix(u, "data:"), ",")
	if !ok {
		return nil, errors.New("bad data URI")
	}
	if strings.HasSuffix(meta, ";base64") {
		return decodeBase64(payload)
	}
	if h, ok := strings.CutPrefix(payload, "0x"); ok {
		return hex.DecodeString(h)
	}
	s, err := url.PathUnescape(payload)
	return []byte(s), err
}

func decodeBase64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(s)
}
