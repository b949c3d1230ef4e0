package main

import (
	"context"
	"encoding/binary"
	"os/exec"
	"testing"
	"time"
)

// damageNotify is a DamageNotify event at server time ms of a w x h
// rectangle, with the "more" flag if more.
func damageNotify(ms uint32, w, h uint16, more bool) []byte {
	ev := make([]byte, 32)
	ev[0] = 91 // Xvfb's first DAMAGE event; note does not look
	if more {
		ev[1] = damageNotifyMore
	}
	binary.LittleEndian.PutUint32(ev[12:], ms)
	binary.LittleEndian.PutUint16(ev[20:], w)
	binary.LittleEndian.PutUint16(ev[22:], h)
	return ev
}

func TestDamageCount(t *testing.T) {
	var c damageCount
	for _, ev := range [][]byte{
		damageNotify(1000, 1920, 1080, false), // a swap
		damageNotify(1017, 1920, 540, true),   // a swap in two rectangles
		damageNotify(1017, 1920, 540, false),
		damageNotify(1033, 1920, 600, false), // a swap in two puts, 2 ms apart
		damageNotify(1035, 1920, 480, false),
		damageNotify(5000, 10, 10, false), // much later, a small change
	} {
		c.note(ev)
	}
	want := damageCount{Ops: 5, Pixels: 3*1920*1080 + 100, Pictures: 4, MaxW: 1920, MaxH: 1080}
	if got := c.since(damageCount{}); got != want {
		t.Errorf("count %+v, want %+v", got, want)
	}
	before := c
	c.note(damageNotify(5017, 1920, 1080, false))
	if got := c.since(before); got.Ops != 1 || got.Pictures != 1 || got.Pixels != 1920*1080 {
		t.Errorf("since: %+v, want one full picture", got)
	}
}

func TestParseSetup(t *testing.T) {
	// The data of a setup reply: vendor "Xvfb!" (padded to 8), two
	// formats, then the first screen, whose root window comes first.
	b := make([]byte, 32+8+2*8+40)
	le := binary.LittleEndian
	le.PutUint32(b[4:], 0x00400000)
	le.PutUint16(b[16:], 5)
	b[20], b[21] = 1, 2
	copy(b[32:], "Xvfb!")
	le.PutUint32(b[32+8+16:], 0x3a1)
	base, root, err := parseSetup(b)
	if err != nil || base != 0x00400000 || root != 0x3a1 {
		t.Errorf("parseSetup = %#x, %#x, %v; want 0x400000, 0x3a1", base, root, err)
	}
	if _, _, err := parseSetup(b[:40]); err == nil {
		t.Error("parseSetup of a reply cut before the screen: no error")
	}
	b[20] = 0
	if _, _, err := parseSetup(b); err == nil {
		t.Error("parseSetup of a reply without screens: no error")
	}
}

// TestDamageWatchXvfb fills rectangles on the root window of an Xvfb and
// waits for the watch to count them.
func TestDamageWatchXvfb(t *testing.T) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Skip("no Xvfb")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	x, err := startXvfb(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	dw, err := watchDamage(x.display)
	if err != nil {
		t.Fatal(err)
	}
	defer dw.Close()
	painter, err := dialX(x.display)
	if err != nil {
		t.Fatal(err)
	}
	defer painter.conn.Close()
	le := binary.LittleEndian
	gc := painter.idBase | 1
	createGC := make([]byte, 16)
	createGC[0] = 55 // CreateGC, no values
	le.PutUint16(createGC[2:], 4)
	le.PutUint32(createGC[4:], gc)
	le.PutUint32(createGC[8:], painter.root)
	if err := painter.checked(createGC); err != nil {
		t.Fatal(err)
	}
	fill := func(w, h uint16) {
		req := make([]byte, 20)
		req[0] = 70 // PolyFillRectangle, one rectangle at 10,10
		le.PutUint16(req[2:], 5)
		le.PutUint32(req[4:], painter.root)
		le.PutUint32(req[8:], gc)
		le.PutUint16(req[12:], 10)
		le.PutUint16(req[14:], 10)
		le.PutUint16(req[16:], w)
		le.PutUint16(req[18:], h)
		if err := painter.checked(req); err != nil {
			t.Fatal(err)
		}
	}
	waitFor := func(want damageCount) {
		t.Helper()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			got, err := dw.count()
			if err != nil {
				t.Fatal(err)
			}
			if got.Ops == want.Ops && got.Pixels == want.Pixels && got.MaxW == want.MaxW && got.MaxH == want.MaxH {
				return
			}
			select {
			case <-ctx.Done():
				t.Fatalf("count %+v, want %+v", got, want)
			case <-tick.C:
			}
		}
	}
	fill(100, 50)
	waitFor(damageCount{Ops: 1, Pixels: 5000, MaxW: 100, MaxH: 50})
	fill(30, 200)
	waitFor(damageCount{Ops: 2, Pixels: 11000, MaxW: 100, MaxH: 200})
}
