package bootenv

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestParseMarshal(t *testing.T) {
	e, err := Parse([]byte("# comment\nBOOT_ORDER=B A\n\nBOOT_A_LEFT=2\r\nx=a=b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if e["BOOT_ORDER"] != "B A" || e["BOOT_A_LEFT"] != "2" || e["x"] != "a=b" {
		t.Fatalf("Parse = %v", e)
	}
	if got := string(e.Marshal()); got != "BOOT_A_LEFT=2\nBOOT_ORDER=B A\nx=a=b\n" {
		t.Fatalf("Marshal = %q", got)
	}
	for _, bad := range []string{"novalue\n", "=x\n", "a b=c\n"} {
		if _, err := Parse([]byte(bad)); !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) = %v, want ErrSyntax", bad, err)
		}
	}
}

func TestOrderLeft(t *testing.T) {
	tests := []struct {
		env   Env
		order string
		leftA int
	}{
		{Env{}, "A B", Tries},
		{Env{"BOOT_ORDER": "B A", "BOOT_A_LEFT": "1"}, "B A", 1},
		{Env{"BOOT_ORDER": "B B C", "BOOT_A_LEFT": "x"}, "B", Tries},
		{Env{"BOOT_ORDER": "  ", "BOOT_A_LEFT": "-1"}, "A B", Tries},
		{Env{"BOOT_A_LEFT": "99"}, "A B", Tries},
	}
	for _, tt := range tests {
		if got := joined(tt.env.Order()); got != tt.order {
			t.Errorf("%v: Order = %q, want %q", tt.env, got, tt.order)
		}
		if got := tt.env.Left("A"); got != tt.leftA {
			t.Errorf("%v: Left(A) = %d, want %d", tt.env, got, tt.leftA)
		}
	}
}

func joined(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

// boot runs the bootloader once on e and returns the slot and the new env.
func boot(e Env) (string, Env) { return Choose(e) }

func TestUpdateThatWorks(t *testing.T) {
	e := Env{}
	slot, e := boot(e)
	if slot != "A" {
		t.Fatalf("blank env boots %s", slot)
	}
	e = MarkGood(e, "A")
	e = MarkBad(e, "B")
	if s, _ := boot(e); s != "A" {
		t.Fatalf("with B being written the box boots %s", s)
	}
	e = Switch(e, "B")
	slot, e = boot(e)
	if slot != "B" || Confirmed(e, "B") {
		t.Fatalf("after Switch: boots %s, confirmed %v", slot, Confirmed(e, "B"))
	}
	e = MarkGood(e, "B")
	for i := 0; i < 2*Tries; i++ {
		if slot, e = boot(e); slot != "B" {
			t.Fatalf("boot %d of a good B boots %s", i, slot)
		}
		e = MarkGood(e, slot)
	}
}

func TestUpdateThatFailsFallsBack(t *testing.T) {
	e := Switch(MarkGood(Env{}, "A"), "B")
	for i := 0; i < Tries; i++ {
		slot, next := boot(e)
		if slot != "B" {
			t.Fatalf("try %d boots %s, want B", i, slot)
		}
		e = next // B never reaches MarkGood
	}
	slot, e := boot(e)
	if slot != "A" {
		t.Fatalf("after %d failed boots of B the box boots %s, want A", Tries, slot)
	}
	e = MarkGood(e, "A")
	if s, _ := boot(e); s != "A" {
		t.Fatalf("the fallback does not stick: %s", s)
	}
}

func TestNothingLeftStillBoots(t *testing.T) {
	e := Env{"BOOT_ORDER": "B A", "BOOT_A_LEFT": "0", "BOOT_B_LEFT": "0"}
	slot, next := boot(e)
	if slot != "B" || next.Left("A") != Tries || next.Left("B") != Tries-1 {
		t.Fatalf("boot = %s, %v", slot, next)
	}
}

func TestFile(t *testing.T) {
	f := File{Path: filepath.Join(t.TempDir(), "boot.env")}
	e, err := f.Load()
	if err != nil || len(e) != 0 {
		t.Fatalf("Load of a missing file = %v, %v", e, err)
	}
	if err := f.Save(Switch(Env{}, "B")); err != nil {
		t.Fatal(err)
	}
	e, err = f.Load()
	if err != nil || e.Order()[0] != "B" {
		t.Fatalf("Load = %v, %v", e, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(f.Path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	os.WriteFile(f.Path, []byte("garbage"), 0o644)
	if _, err := f.Load(); !errors.Is(err, ErrSyntax) {
		t.Fatalf("Load(garbage) = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("BOOT_ORDER=A B\nBOOT_A_LEFT=3\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Parse(b)
		if err != nil {
			return
		}
		slot, next := Choose(e)
		if !Valid(slot) {
			t.Fatalf("Choose chose %q", slot)
		}
		again, err := Parse(next.Marshal())
		if err != nil {
			t.Fatalf("Marshal does not parse: %v", err)
		}
		if s, _ := Choose(again); !Valid(s) {
			t.Fatalf("second Choose chose %q", s)
		}
	})
}
