package remote

import "testing"

func TestParseKeyRoundTrip(t *testing.T) {
	for k := KeyUp; k < keyCount; k++ {
		got, err := ParseKey(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKey(%q) = %v, %v; want %v", k.String(), got, err, k)
		}
	}
	for _, bad := range []string{"", "none", "okk", "key(99)"} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) succeeded; want an error", bad)
		}
	}
	if k, err := ParseKey(" OK "); err != nil || k != KeyOK {
		t.Errorf("ParseKey(\" OK \") = %v, %v", k, err)
	}
	if d, ok := Key7.Digit(); !ok || d != 7 {
		t.Errorf("Key7.Digit() = %d, %v", d, ok)
	}
	if _, ok := KeyOK.Digit(); ok {
		t.Error("KeyOK.Digit() reports a digit")
	}
}
