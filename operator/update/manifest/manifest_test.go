package manifest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const h = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func sample() *Manifest {
	return &Manifest{
		Format: Format, Name: "manbang", Version: "1.2.0", Model: "manbang-arm64",
		Image:  File{Path: "manbang-1.2.0.img", Size: 3 << 20, SHA256: h},
		Bmap:   File{Path: "manbang-1.2.0.img.bmap", Size: 900, SHA256: h},
		Update: File{Path: "manbang-1.2.0.root.ext4", Size: 1 << 20, SHA256: h},
		Partitions: []Partition{
			{Name: "root_a", Offset: 1 << 20, Size: 1 << 20, SHA256: h},
			{Name: "data", Offset: 2 << 20, Size: 1 << 20, SHA256: h},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	b, err := sample().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := m.Partition("data"); !ok || p.Offset != 2<<20 {
		t.Fatalf("Partition(data) = %+v, %v", p, ok)
	}
	if _, ok := m.Partition("nope"); ok {
		t.Fatal("Partition(nope) found")
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *Manifest)
		want   string
	}{
		{"format", func(m *Manifest) { m.Format = 2 }, "format"},
		{"empty name", func(m *Manifest) { m.Name = "" }, "name"},
		{"slash in version", func(m *Manifest) { m.Version = "1/2" }, "version"},
		{"path escapes", func(m *Manifest) { m.Update.Path = "../x" }, "plain file name"},
		{"zero size", func(m *Manifest) { m.Image.Size = 0 }, "size"},
		{"upper hex", func(m *Manifest) { m.Bmap.SHA256 = strings.ToUpper(h) }, "hex"},
		{"overlap", func(m *Manifest) { m.Partitions[1].Offset = 1<<20 + 5 }, "overlaps"},
		{"past end", func(m *Manifest) { m.Partitions[1].Size = 2 << 20 }, "leaves"},
		{"negative", func(m *Manifest) { m.Partitions[0].Offset = -1 }, "overlaps"},
		{"twice", func(m *Manifest) { m.Partitions[1].Name = "root_a" }, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sample()
			tt.change(m)
			if _, err := m.Marshal(); err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Marshal: %v, want ErrInvalid about %q", err, tt.want)
			}
		})
	}
	for _, in := range []string{"", "{", "[]", `{"format":1}x`, `{"format":1,"extra":2}`} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) succeeded", in)
		}
	}
}

func TestSignVerify(t *testing.T) {
	pubFile, privFile, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(pubFile)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ParsePrivateKey(privFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(EncodePublicKey(pub), pubFile) {
		t.Fatal("EncodePublicKey does not round-trip")
	}
	b, _ := sample().Marshal()
	sig := Sign(priv, b)
	if _, err := Verify(pub, b, sig); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	otherPub, _, _ := GenerateKey()
	other, _ := ParsePublicKey(otherPub)
	flipped := bytes.Clone(b)
	flipped[len(flipped)/2] ^= 1
	tests := []struct {
		name    string
		pub     []byte
		b, sig  []byte
		wantSig bool
	}{
		{"one byte changed", pub, flipped, sig, true},
		{"other key", other, b, sig, true},
		{"truncated", pub, b[:len(b)-2], sig, true},
		{"no key", nil, b, sig, false},
		{"key as signature", pub, b, pubFile, false},
		{"empty signature", pub, b, nil, false},
		{"short signature", pub, b, []byte("manbang-ed25519-signature AAAA"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Verify(tt.pub, tt.b, tt.sig)
			if err == nil || m != nil {
				t.Fatalf("Verify = %v, %v; want an error", m, err)
			}
			if errors.Is(err, ErrSignature) != tt.wantSig {
				t.Fatalf("Verify: %v; ErrSignature want %v", err, tt.wantSig)
			}
		})
	}
	for _, bad := range []string{"", "manbang-ed25519-public", privatePrefix + "AAAA", publicPrefix + "!!!"} {
		if _, err := ParsePublicKey([]byte(bad)); err == nil {
			t.Errorf("ParsePublicKey(%q) succeeded", bad)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0", 0},
		{"1.10", "1.9", 1},
		{"1.2", "1.2.0", -1},
		{"01.2", "1.2", 0},
		{"1.2.0", "1.2.rc1", -1},
		{"2", "10", -1},
		{"1.a", "1.b", -1},
	}
	for _, tt := range tests {
		if got := CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := CompareVersions(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	b, _ := sample().Marshal()
	f.Add(b)
	f.Add([]byte(`{"format":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("parsed manifest does not marshal: %v", err)
		}
		if _, err := Parse(out); err != nil {
			t.Fatalf("marshalled manifest does not parse: %v", err)
		}
	})
}

func FuzzVerify(f *testing.F) {
	pubFile, privFile, _ := GenerateKey()
	pub, _ := ParsePublicKey(pubFile)
	priv, _ := ParsePrivateKey(privFile)
	b, _ := sample().Marshal()
	f.Add(b, Sign(priv, b))
	f.Fuzz(func(t *testing.T, b, sig []byte) {
		Verify(pub, b, sig) // must not panic
	})
}
