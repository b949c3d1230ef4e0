package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/screen"
)

// The safe area moves and shrinks every screen by the overscan.
func TestSafeArea(t *testing.T) {
	rec := draw.NewRecorder(1000, 500, nil)
	if c := safeArea(rec, 0); c != draw.BoldCanvas(rec) {
		t.Error("no overscan still wraps the canvas")
	}
	c := safeArea(rec, 10)
	if w, h := c.Size(); w != 800 || h != 400 {
		t.Fatalf("size %vx%v, want 800x400", w, h)
	}
	c.FillRect(draw.Rect{W: 800, H: 400}, draw.White)
	c.Text(0, 20, "x", 10, draw.White)
	c.PushClip(draw.Rect{X: 10, Y: 10, W: 5, H: 5})
	c.PopClip()
	ops := rec.Ops()
	if ops[0].Rect != (draw.Rect{X: 100, Y: 50, W: 800, H: 400}) || ops[1].X != 100 || ops[1].Y != 70 || ops[2].Rect != (draw.Rect{X: 110, Y: 60, W: 5, H: 5}) {
		t.Errorf("ops %+v", ops[:3])
	}
	if err := rec.Err(); err != nil {
		t.Error(err)
	}
}

func TestClassify(t *testing.T) {
	a := &App{ctx: context.Background()}
	a.st.Settings.Operator = "http://127.0.0.1:1"
	refused := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	cases := []struct {
		name string
		err  error
		want screen.FailKind
	}{
		{"refused on loopback: the server", fmt.Errorf("operator: %w", refused), screen.FailServer},
		{"channels missing", &operator.APIError{Status: 404, Message: "not found: GET /api/v1/channels"}, screen.FailNotOffered},
		{"a title missing", &operator.APIError{Status: 404, Message: `unknown title "x"`}, screen.FailServer},
		{"a 503", &operator.APIError{Status: 503, Message: "busy"}, screen.FailServer},
	}
	for _, c := range cases {
		err := a.classify(c.err)
		kind := screen.FailServer
		var ke *screen.KindError
		if errors.As(err, &ke) {
			kind = ke.Kind
		}
		if kind != c.want {
			t.Errorf("%s: kind %v, want %v", c.name, kind, c.want)
		}
		if !errors.Is(err, c.err) {
			t.Errorf("%s: the classified error lost the original", c.name)
		}
	}
	if a.classify(nil) != nil {
		t.Error("nil classified as an error")
	}
}

func TestHasNetwork(t *testing.T) {
	for _, s := range []string{"http://127.0.0.1:8080", "http://localhost", "http://[::1]:80"} {
		if !hasNetwork(s) {
			t.Errorf("%s: a server on the box needs no network", s)
		}
	}
}

func TestProgrammeAt(t *testing.T) {
	at := func(h int) time.Time { return apptest.T0.Truncate(time.Hour).Add(time.Duration(h) * time.Hour) }
	progs := []operator.Programme{
		{ChannelID: "a", Start: at(2), Stop: at(3), Title: operator.Text{"en": "later"}},
		{ChannelID: "a", Start: at(0), Stop: at(1), Title: operator.Text{"en": "now"}},
		{ChannelID: "a", Start: at(1), Stop: at(2), Title: operator.Text{"en": "next"}},
		{ChannelID: "b", Start: at(0), Stop: at(1), Title: operator.Text{"en": "other"}},
	}
	now, next := ProgrammeAt(progs, "a", apptest.T0)
	if now == nil || next == nil || now.Title["en"] != "now" || next.Title["en"] != "next" {
		t.Errorf("now %+v next %+v", now, next)
	}
	if now, next := ProgrammeAt(progs, "c", apptest.T0); now != nil || next != nil {
		t.Error("a channel without programmes has some")
	}
}
