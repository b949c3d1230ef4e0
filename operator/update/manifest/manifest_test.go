package manifest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

const h = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func sample() *Manifest {
	return &Manifest{
		Format: Format, Name: "manbang", Version: "1.2.0", Model: "manbang-arm64",
		Channel: "stable", SecurityVersion: 3, Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
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
		{"format", func(m *Manifest) { m.Format = 1 }, "format"},
		{"empty name", func(m *Manifest) { m.Name = "" }, "name"},
		{"slash in version", func(m *Manifest) { m.Version = "1/2" }, "version"},
		{"path escapes", func(m *Manifest) { m.Update.Path = "../x" }, "plain file name"},
		{"zero size", func(m *Manifest) { m.Image.Size = 0 }, "size"},
		{"upper hex", func(m *Manifest) { m.Bmap.SHA256 = strings.ToUpper(h) }, "hex"},
		{"overlap", func(m *Manifest) { m.Partitions[1].Offset = 1<<20 + 5 }, "overlaps"},
		{"past end", func(m *Manifest) { m.Partitions[1].Size = 2 << 20 }, "leaves"},
		{"negative", func(m *Manifest) { m.Partitions[0].Offset = -1 }, "overlaps"},
		{"twice", func(m *Manifest) { m.Partitions[1].Name = "root_a" }, "twice"},
		{"not semver", func(m *Manifest) { m.Version = "1.2" }, "SemVer"},
		{"no channel", func(m *Manifest) { m.Channel = "" }, "channel"},
		{"no expiry", func(m *Manifest) { m.Expires = time.Time{} }, "expiry"},
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

// The precedence examples of the SemVer 2.0.0 specification (items 11
// and 10), and the downgrades of issue 21.
func TestCompareVersions(t *testing.T) {
	chain := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
		"1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"}
	for i := range chain {
		for j := range chain {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := CompareVersions(chain[i], chain[j]); got != want {
				t.Errorf("CompareVersions(%q, %q) = %d, want %d", chain[i], chain[j], got, want)
			}
		}
	}
	tests := []struct {
		a, b string
		want int
	}{
		{"1.4.0-rc1", "1.4.3", -1},
		{"1.5.0-rc1", "1.5.0", -1},
		{"1.10.0", "1.9.0", 1},
		{"1.0.0+20130313144700", "1.0.0", 0},
		{"1.0.0-beta+exp.sha.5114f85", "1.0.0-beta", 0},
		{"1.0.0-2", "1.0.0-10", -1},
		{"1.0.0-99999999999999999999", "1.0.0-100", 1},
		{"1.2", "1.2.0", -1}, // not SemVer: lower than any version
		{"dev", "0.0.1", -1},
	}
	for _, tt := range tests {
		if got := CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := CompareVersions(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
	for _, bad := range []string{"", "1", "1.2", "01.2.3", "1.2.3-01", "1.2.3-", "1.2.3+", "v1.2.3", "1.2.3-a..b"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) succeeded", bad)
		}
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"1.0.0", "1.0.0-alpha.1+b.2", "1.2", "01.0.0", "1.0.0-0a"} {
		f.Add(s, "1.0.0-rc.1")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if CompareVersions(a, b) != -CompareVersions(b, a) {
			t.Fatalf("CompareVersions(%q, %q) is not antisymmetric", a, b)
		}
		if v, err := ParseVersion(a); err == nil && v.Compare(v) != 0 {
			t.Fatalf("%q is not equal to itself", a)
		}
	})
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

func TestExpiry(t *testing.T) {
	m := sample()
	tests := []struct {
		now  time.Time
		want bool
	}{
		{m.Expires.Add(-time.Second), false},
		{m.Expires, true},
		{m.Expires.Add(time.Hour), true},
	}
	for _, tt := range tests {
		if got := m.Expired(tt.now); got != tt.want {
			t.Errorf("Expired(%v) = %v, want %v", tt.now, got, tt.want)
		}
		if err := m.CheckFresh(tt.now); (err != nil) != tt.want || (err != nil && !errors.Is(err, ErrExpired)) {
			t.Errorf("CheckFresh(%v) = %v", tt.now, err)
		}
	}
}
