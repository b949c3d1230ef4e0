package hls

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/player/internal/fftest"
)

// encrypt is the packager's side: AES-128-CBC with PKCS#7 padding.
func encrypt(plain, k []byte, iv [16]byte) []byte {
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	b := append(append([]byte(nil), plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(k)
	cipher.NewCBCEncrypter(block, iv[:]).CryptBlocks(b, b)
	return b
}

func seqIV(seq uint64) [16]byte {
	var iv [16]byte
	binary.BigEndian.PutUint64(iv[8:], seq)
	return iv
}

func TestDecryptSegment(t *testing.T) {
	k := []byte("0123456789abcdef")
	iv := [16]byte{1, 2, 3}
	plain := []byte(strings.Repeat("transport stream bytes ", 20))
	tests := []struct {
		name    string
		data    []byte
		key     []byte
		want    []byte
		wantErr error
	}{
		{"round trip", encrypt(plain, k, iv), k, plain, nil},
		{"whole block of padding", encrypt(plain[:32], k, iv), k, plain[:32], nil},
		{"empty", nil, k, nil, errCipherLength},
		{"not whole blocks", encrypt(plain, k, iv)[:33], k, nil, errCipherLength},
		{"wrong key", encrypt(plain, k, iv), []byte("fedcba9876543210"), nil, errPadding},
		{"short key", encrypt(plain, k, iv), k[:5], nil, aes.KeySizeError(5)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decryptSegment(tc.data, tc.key, iv)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}

func TestParseIV(t *testing.T) {
	tests := []struct {
		in   string
		want [16]byte
		ok   bool
	}{
		{"0x000102030405060708090A0B0C0D0E0F", [16]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, true},
		{"0X1", [16]byte{15: 1}, true},
		{"0x123", [16]byte{14: 1, 15: 0x23}, true},
		{"123", [16]byte{}, false},
		{"0x", [16]byte{}, false},
		{"0xZZ", [16]byte{}, false},
		{"0x" + strings.Repeat("0", 33), [16]byte{}, false},
	}
	for _, tc := range tests {
		got, err := parseIV(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseIV(%q) = %x, %v", tc.in, got, err)
		}
	}
	if iv := ivFor(&key{}, 0x0102); iv != seqIV(0x0102) {
		t.Errorf("IV from the sequence number: %x", iv)
	}
}

func FuzzDecryptSegment(f *testing.F) {
	k := []byte("0123456789abcdef")
	f.Add(encrypt([]byte("hello"), k, [16]byte{}), k, []byte{})
	f.Add([]byte{}, k, []byte{1})
	f.Add(bytes.Repeat([]byte{16}, 32), []byte("short"), []byte("0x01"))
	f.Fuzz(func(t *testing.T, data, key, ivText []byte) {
		iv, _ := parseIV(string(ivText))
		out, err := decryptSegment(data, key, iv)
		if err == nil && (len(out) >= len(data) || len(data)-len(out) > aes.BlockSize) {
			t.Fatalf("%d bytes in, %d out", len(data), len(out))
		}
		if _, err := dataURI("data:" + string(ivText)); err != nil {
			return
		}
	})
}

// The packager's view of a playlist: ffmpeg encrypts each segment with the
// key from -hls_key_info_file and the segment's sequence number as IV.
func TestAES128FFmpeg(t *testing.T) {
	dir := filepath.Join(fftest.Dir(), "aes")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	keyFile, info := filepath.Join(dir, "key.bin"), filepath.Join(fftest.Dir(), "aes.keyinfo")
	if err := os.WriteFile(keyFile, []byte("manbang-aes-key!"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(info, []byte("key.bin\n"+keyFile+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir = hlsFixture(t, "aes", "160x120", 1, "-hls_key_info_file", info)
	if pl := string(readFile(t, filepath.Join(dir, "index.m3u8"))); !strings.Contains(pl, "METHOD=AES-128") {
		t.Fatalf("ffmpeg made no encrypted playlist:\n%s", pl)
	}
	var hits counter
	files := http.FileServer(http.Dir(dir))
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.hit(r.URL.Path)
		files.ServeHTTP(w, r)
	}))
	r, err := Open(context.Background(), srv.URL+"/index.m3u8", Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := readAll(t, r, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	segs := segmentFiles(t, dir)
	cipherLen := len(concat(t, dir, segs...))
	if len(got)%188 != 0 || len(got) == 0 || len(got) > cipherLen || cipherLen-len(got) > 16*len(segs) {
		t.Fatalf("decrypted %d bytes from %d: not a transport stream", len(got), cipherLen)
	}
	for off := 0; off < len(got); off += 188 {
		if got[off] != 0x47 {
			t.Fatalf("no sync byte at %d: the decryption is wrong", off)
		}
	}
	if n := hits.get("/key.bin"); n != 1 {
		t.Errorf("key fetched %d times, want once", n)
	}
}

// Segments encrypted here, some with an explicit IV, some with the
// sequence number, some in the clear, under two keys: the reader returns
// the plain segments exactly.
func TestAES128Keys(t *testing.T) {
	dir := vodFixture(t)
	segs := segmentFiles(t, dir) // three
	k1, k2 := []byte("first key 16 byt"), []byte("second key 16 by")
	iv := [16]byte{9, 8, 7, 6, 5, 4, 3, 2, 1}
	const firstSeq = 40
	body := map[string][]byte{
		"/k1":   k1,
		"/k2":   k2,
		"/0.ts": encrypt(readFile(t, filepath.Join(dir, segs[0])), k1, seqIV(firstSeq)),
		"/1.ts": encrypt(readFile(t, filepath.Join(dir, segs[1])), k2, iv),
		"/2.ts": readFile(t, filepath.Join(dir, segs[2])),
	}
	playlist := fmt.Sprintf("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:%d\n"+
		"#EXT-X-KEY:METHOD=AES-128,URI=\"k1\"\n#EXTINF:2,\n0.ts\n"+
		"#EXT-X-KEY:METHOD=AES-128,URI=\"k2\",IV=0x%x\n#EXTINF:2,\n1.ts\n"+
		"#EXT-X-KEY:METHOD=NONE\n#EXTINF:2,\n2.ts\n#EXT-X-ENDLIST\n", firstSeq, iv)
	var hits counter
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.hit(r.URL.Path)
		if r.URL.Path == "/index.m3u8" {
			w.Write([]byte(playlist))
			return
		}
		if b, ok := body[r.URL.Path]; ok {
			w.Write(b)
			return
		}
		http.NotFound(w, r)
	}))
	r, err := Open(context.Background(), srv.URL+"/index.m3u8", Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := readAll(t, r, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if want := concat(t, dir, segs...); !bytes.Equal(got, want) {
		t.Errorf("read %d bytes, want the %d plain ones", len(got), len(want))
	}
	if hits.get("/k1") != 1 || hits.get("/k2") != 1 {
		t.Errorf("keys fetched %d and %d times, want once each", hits.get("/k1"), hits.get("/k2"))
	}

	t.Run("wrong key", func(t *testing.T) {
		// The keys are swapped, and the last segment claims a key.
		wrong := strings.ReplaceAll(playlist, "METHOD=NONE", "METHOD=AES-128,URI=\"k1\"")
		swapped := map[string]string{"/k1": "/k2", "/k2": "/k1"}
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/index.m3u8" {
				w.Write([]byte(wrong))
				return
			}
			if k, ok := swapped[r.URL.Path]; ok {
				w.Write(body[k])
				return
			}
			w.Write(body[r.URL.Path])
		}))
		r, err := Open(context.Background(), srv.URL+"/index.m3u8", Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		got, err := readAll(t, r, 20*time.Second)
		if err == nil || !strings.Contains(err.Error(), "hls: decrypt segment 42") {
			t.Fatalf("error %v, want a decryption error", err)
		}
		if len(got) != 0 {
			t.Errorf("read %d bytes that did not decrypt", len(got))
		}
	})
	t.Run("key missing", func(t *testing.T) {
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/index.m3u8" {
				w.Write([]byte(playlist))
				return
			}
			if b, ok := body[r.URL.Path]; ok && r.URL.Path != "/k1" {
				w.Write(b)
				return
			}
			http.NotFound(w, r)
		}))
		r, err := Open(context.Background(), srv.URL+"/index.m3u8", quick)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if _, err := readAll(t, r, 20*time.Second); err == nil || !strings.Contains(err.Error(), "fetch key") {
			t.Fatalf("error %v, want a key fetch error", err)
		}
	})
}
