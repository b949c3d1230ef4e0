// Package bootenv is the box's boot control: the A/B slot variables that
// the bootloader reads to choose a root partition, and the rules by which
// the update agent and the bootloader change them.
//
// The variables are those of RAUC's U-Boot integration:
//
//	BOOT_ORDER=A B      slots to try, first first
//	BOOT_A_LEFT=3       boots of slot A left before it is given up
//	BOOT_B_LEFT=3
//
// The bootloader (build/image/boot.cmd; Choose here, for tests) boots the
// first slot in BOOT_ORDER with boots left and decrements its count; the
// running system, once healthy, restores the count (MarkGood). A slot that
// fails to come up Tries times in a row is skipped, which falls back to
// the other.
package bootenv

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Slots are the root slots of the A/B scheme.
var Slots = []string{"A", "B"}

// Tries is how many failed boots a slot gets before the bootloader falls
// back to the other.
const Tries = 3

// Env is a boot environment: variables by name.
type Env map[string]string

// ErrSyntax is returned by Parse for a malformed environment.
var ErrSyntax = errors.New("bootenv: malformed environment")

// maxEnv bounds the size of an environment (U-Boot's are a few KiB).
const maxEnv = 64 << 10

// Parse decodes an environment in U-Boot's text format (`env export -t`):
// one name=value per line; empty lines and lines starting with # are
// skipped.
func Parse(b []byte) (Env, error) {
	if len(b) > maxEnv {
		return nil, fmt.Errorf("%w: %d bytes", ErrSyntax, len(b))
	}
	e := Env{}
	for i, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimRight(line, "\r\x00")
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		name, value, ok := bytes.Cut(line, []byte("="))
		if !ok || !validName(string(name)) {
			return nil, fmt.Errorf("%w: line %d", ErrSyntax, i+1)
		}
		e[string(name)] = string(value)
	}
	return e, nil
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '.' || c == '-' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// Marshal encodes e in the text format, sorted by name.
func (e Env) Marshal() []byte {
	names := make([]string, 0, len(e))
	for n := range e {
		names = append(names, n)
	}
	slices.Sort(names)
	var b bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&b, "%s=%s\n", n, strings.ReplaceAll(e[n], "\n", " "))
	}
	return b.Bytes()
}

// Clone returns a copy of e.
func (e Env) Clone() Env {
	c := make(Env, len(e))
	for k, v := range e {
		c[k] = v
	}
	return c
}

// Order is BOOT_ORDER as a list of known slots; a missing or broken order
// is "A B", so that a blank environment boots slot A.
func (e Env) Order() []string {
	var order []string
	for _, s := range strings.Fields(e["BOOT_ORDER"]) {
		if slices.Contains(Slots, s) && !slices.Contains(order, s) {
			order = append(order, s)
		}
	}
	if len(order) == 0 {
		return slices.Clone(Slots)
	}
	return order
}

// Left is how many boots slot has left; a missing or broken count is
// Tries, as for a blank environment.
func (e Env) Left(slot string) int {
	v, ok := e["BOOT_"+slot+"_LEFT"]
	if !ok {
		return Tries
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return Tries
	}
	return min(n, Tries)
}

func (e Env) setLeft(slot string, n int) { e["BOOT_"+slot+"_LEFT"] = strconv.Itoa(n) }

// Choose is the bootloader's decision: the slot to boot and the
// environment to save before booting it. The first slot in order with
// boots left is chosen and its count decremented. When no slot has boots
// left, every count is reset and the first slot is booted: a box always
// boots something.
func Choose(e Env) (slot string, next Env) {
	next = e.Clone()
	order := e.Order()
	for _, s := range order {
		if n := e.Left(s); n > 0 {
			next.setLeft(s, n-1)
			return s, next
		}
	}
	for _, s := range Slots {
		next.setLeft(s, Tries)
	}
	next.setLeft(order[0], Tries-1)
	return order[0], next
}

// Other returns the slot that is not slot.
func Other(slot string) string {
	if slot == "A" {
		return "B"
	}
	return "A"
}

// Valid reports whether slot names a slot.
func Valid(slot string) bool { return slices.Contains(Slots, slot) }

// MarkBad makes the bootloader skip slot: done before a slot is
// overwritten, so that a half-written slot is never booted.
func MarkBad(e Env, slot string) Env {
	next := e.Clone()
	next.setLeft(slot, 0)
	return next
}

// Switch makes slot the one to boot next, with Tries boots to prove itself;
// the other slot stays second, as the fallback.
func Switch(e Env, slot string) Env {
	next := e.Clone()
	next["BOOT_ORDER"] = slot + " " + Other(slot)
	next.setLeft(slot, Tries)
	return next
}

// MarkGood confirms slot after a healthy boot: it keeps its place and gets
// its full count of boots back.
func MarkGood(e Env, slot string) Env {
	next := e.Clone()
	next.setLeft(slot, Tries)
	return next
}

// Confirmed reports whether slot has been marked good since it was last
// booted (no boot of it is pending confirmation).
func Confirmed(e Env, slot string) bool { return e.Left(slot) == Tries }

// SecurityVar is the variable that keeps the highest security version
// (manifest.Manifest.SecurityVersion) the box installed. It lives in the
// boot environment because only root can write that, and because writing
// a slot does not touch it.
const SecurityVar = "MANBANG_SECURITY_VERSION"

// SecurityVersion is the highest security version installed; a missing or
// broken value is 0.
func (e Env) SecurityVersion() uint64 {
	n, err := strconv.ParseUint(e[SecurityVar], 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// RaiseSecurityVersion records that a release of security version v was
// installed: the kept value only ever grows.
func RaiseSecurityVersion(e Env, v uint64) Env {
	next := e.Clone()
	if v > e.SecurityVersion() {
		next[SecurityVar] = strconv.FormatUint(v, 10)
	}
	return next
}
