package evdev

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

func TestParseRecord(t *testing.T) {
	cases := []struct {
		name string
		word int
		hex  string
		want Record
		err  error
	}{
		{"64-bit KEY_OK press", 8,
			"3930000000000000" + "40e2010000000000" + "0100" + "6001" + "01000000",
			Record{Time: time.Unix(12345, 123456000), Type: evKey, Code: 0x160, Value: 1}, nil},
		{"64-bit repeat", 8,
			"0100000000000000" + "0000000000000000" + "0100" + "6701" + "02000000",
			Record{Time: time.Unix(1, 0), Type: evKey, Code: 0x167, Value: 2}, nil},
		{"64-bit SYN_DROPPED", 8,
			"0100000000000000" + "0000000000000000" + "0000" + "0300" + "00000000",
			Record{Time: time.Unix(1, 0), Type: evSyn, Code: synDropped}, nil},
		{"32-bit release", 4,
			"39300000" + "40e20100" + "0100" + "6c00" + "00000000",
			Record{Time: time.Unix(12345, 123456000), Type: evKey, Code: 0x6c}, nil},
		{"negative value", 8,
			"0000000000000000" + "0000000000000000" + "0200" + "0000" + "ffffffff",
			Record{Time: time.Unix(0, 0), Type: 2, Value: -1}, nil},
		{"short", 8, "0100000000000000" + "00000000", Record{}, ErrShortRecord},
		{"empty", 4, "", Record{}, ErrShortRecord},
	}
	for _, c := range cases {
		b, _ := hex.DecodeString(c.hex)
		got, err := parseRecord(b, c.word)
		if !errors.Is(err, c.err) || got.Type != c.want.Type || got.Code != c.want.Code ||
			got.Value != c.want.Value || !got.Time.Equal(c.want.Time) {
			t.Errorf("%s: got %+v, %v; want %+v, %v", c.name, got, err, c.want, c.err)
		}
	}
}

func TestAppendRecordRoundTrip(t *testing.T) {
	r := Record{Time: time.Unix(1700000000, 250000000), Type: evKey, Code: 0x18e, Value: 1}
	b := AppendRecord(nil, r)
	if len(b) != RecordSize {
		t.Fatalf("record is %d bytes; want %d", len(b), RecordSize)
	}
	got, err := ParseRecord(b)
	if err != nil || got != (Record{Time: got.Time, Type: r.Type, Code: r.Code, Value: r.Value}) || !got.Time.Equal(r.Time) {
		t.Errorf("round trip: %+v, %v; want %+v", got, err, r)
	}
}

func TestKeyNames(t *testing.T) {
	for _, c := range []struct {
		name string
		code uint16
		ok   bool
	}{
		{"KEY_OK", 0x160, true}, {"key_ok", 0x160, true}, {"KEY_NUMERIC_0", 0x200, true},
		{"KEY_CHANNELUP", 0x192, true}, {"KEY_RED", 0x18e, true}, {"0x160", 0x160, true},
		{"352", 0x160, true}, {"KEY_NOPE", 0, false}, {"0x300", 0, false}, {"", 0, false},
	} {
		code, err := KeyCode(c.name)
		if (err == nil) != c.ok || code != c.code {
			t.Errorf("KeyCode(%q) = %#x, %v; want %#x, ok %v", c.name, code, err, c.code, c.ok)
		}
	}
	if n := KeyName(0x160); n != "KEY_OK" {
		t.Errorf("KeyName(0x160) = %q", n)
	}
	if n := KeyName(113); n != "KEY_MUTE" {
		t.Errorf("KeyName(113) = %q; want KEY_MUTE, not an alias", n)
	}
	if n := KeyName(0x2fe); n != "0x2fe" {
		t.Errorf("KeyName(0x2fe) = %q", n)
	}
}

func TestIsRemote(t *testing.T) {
	with := func(names ...string) Info {
		var info Info
		for _, n := range names {
			info.Keys.Add(keyNames[n])
		}
		return info
	}
	for _, c := range []struct {
		name string
		info Info
		want bool
	}{
		{"rc-core IR receiver", with("KEY_OK", "KEY_UP", "KEY_NUMERIC_1", "KEY_CHANNELUP"), true},
		{"Bluetooth remote", with("KEY_SELECT", "KEY_UP", "KEY_BACK", "KEY_HOMEPAGE"), true},
		{"USB keyboard", with("KEY_A", "KEY_ENTER", "KEY_UP", "KEY_ESC", "KEY_1"), false},
		{"consumer control", with("KEY_VOLUMEUP", "KEY_MUTE", "KEY_PLAYPAUSE", "KEY_HOMEPAGE"), false},
		{"power button", with("KEY_POWER"), false},
		{"nothing", Info{}, false},
	} {
		if got := IsRemote(c.info); got != c.want {
			t.Errorf("%s: IsRemote = %v", c.name, got)
		}
	}
	var s KeySet
	s.Add(0x300) // out of range: ignored, never a panic
	if s.Has(0x300) || s.Has(0) {
		t.Error("KeySet out of range")
	}
}

func FuzzParseRecord(f *testing.F) {
	f.Add(AppendRecord(nil, Record{Time: time.Unix(1, 2000), Type: evKey, Code: 0x160, Value: 1}))
	f.Add(bytes.Repeat([]byte{0xff}, 24))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, word := range []int{4, 8} {
			r, err := parseRecord(b, word)
			if (err != nil) != (len(b) < 2*word+8) {
				t.Fatalf("word %d, %d bytes: err %v", word, len(b), err)
			}
			if err == nil && word == wordSize {
				again, _ := ParseRecord(AppendRecord(nil, r))
				if again.Type != r.Type || again.Code != r.Code || again.Value != r.Value {
					t.Fatalf("re-encoding changed %+v to %+v", r, again)
				}
			}
		}
	})
}
