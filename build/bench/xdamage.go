package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
)

// damageWatch counts what is drawn on an X screen, whoever draws it: a
// client of the X server that asks the DAMAGE extension for the raw
// rectangles of every change to the root window, which include its
// children's (as x11vnc watches a screen). A GL client's swap reaches Xvfb
// as an image put into its window, so each presented picture shows up here
// as changed pixels; a frame the client decides not to draw does not.
//
// It speaks the few requests it needs of the X11 protocol itself, over the
// display's local socket, without authorization (the harness starts Xvfb
// without any).
type damageWatch struct {
	x    *xConn
	mu   sync.Mutex
	cur  damageCount
	err  error // why reading stopped, once it has
	done chan struct{}
}

// damageCount is what a damageWatch saw up to some moment.
type damageCount struct {
	// Ops are the drawing operations that changed the screen: a
	// DamageNotify without the "more" flag ends one.
	Ops uint64
	// Pixels is the sum of the areas of the changed rectangles.
	Pixels uint64
	// Pictures are runs of operations less than pictureGapMS apart by the
	// server's clock: what was presented, should one swap reach the
	// server as several requests.
	Pictures uint64
	// MaxW and MaxH are the largest rectangle seen.
	MaxW, MaxH uint16

	lastMS uint32 // server time of the last operation
	seen   bool
}

// pictureGapMS separates two presented pictures: a 60 Hz loop's swaps are
// 16 ms apart, the requests of one swap arrive together.
const pictureGapMS = 5

// since is what was seen between an earlier count and c; the largest
// rectangle is c's.
func (c damageCount) since(old damageCount) damageCount {
	return damageCount{Ops: c.Ops - old.Ops, Pixels: c.Pixels - old.Pixels, Pictures: c.Pictures - old.Pictures, MaxW: c.MaxW, MaxH: c.MaxH}
}

// note counts one DamageNotify event.
func (c *damageCount) note(ev []byte) {
	le := binary.LittleEndian
	ts := le.Uint32(ev[12:])
	w, h := le.Uint16(ev[20:]), le.Uint16(ev[22:])
	c.Pixels += uint64(w) * uint64(h)
	c.MaxW, c.MaxH = max(c.MaxW, w), max(c.MaxH, h)
	if ev[1]&damageNotifyMore != 0 {
		return
	}
	c.Ops++
	if !c.seen || ts-c.lastMS >= pictureGapMS {
		c.Pictures++
	}
	c.lastMS, c.seen = ts, true
}

// X11 protocol numbers used here.
const (
	xGetInputFocus     = 43
	xQueryExtension    = 98
	damageQueryVersion = 0
	damageCreate       = 1
	damageReportRaw    = 0
	damageNotifyMore   = 0x80
)

// watchDamage connects to display (":N") and starts counting.
func watchDamage(display string) (*damageWatch, error) {
	x, err := dialX(display)
	if err != nil {
		return nil, fmt.Errorf("damage: %w", err)
	}
	notify, err := x.subscribeDamage()
	if err != nil {
		x.conn.Close()
		return nil, fmt.Errorf("damage: %w", err)
	}
	d := &damageWatch{x: x, done: make(chan struct{})}
	go d.read(notify)
	return d, nil
}

// read counts the DamageNotify events until the connection closes.
func (d *damageWatch) read(notify byte) {
	defer close(d.done)
	for {
		m, err := d.x.readMessage()
		if err != nil {
			d.mu.Lock()
			d.err = err
			d.mu.Unlock()
			return
		}
		if m[0]&0x7f == notify {
			d.mu.Lock()
			d.cur.note(m)
			d.mu.Unlock()
		}
	}
}

// count returns what was seen so far, and why the watch stopped if it did.
func (d *damageWatch) count() (damageCount, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cur, d.err
}

// Close disconnects; the server drops the subscription with the client.
func (d *damageWatch) Close() {
	d.x.conn.Close()
	<-d.done
}

// xConn is a connection to a local X server, set up.
type xConn struct {
	conn   net.Conn
	br     *bufio.Reader
	idBase uint32 // the first of the resource IDs the client may use
	root   uint32 // the first screen's root window
}

// dialX connects to display (":N" or ":N.S") over its local socket.
func dialX(display string) (*xConn, error) {
	n, ok := strings.CutPrefix(display, ":")
	if !ok {
		return nil, fmt.Errorf("display %q is not local", display)
	}
	n, _, _ = strings.Cut(n, ".")
	conn, err := net.Dial("unix", "/tmp/.X11-unix/X"+n)
	if err != nil {
		return nil, err
	}
	x := &xConn{conn: conn, br: bufio.NewReader(conn)}
	if err := x.setup(); err != nil {
		conn.Close()
		return nil, err
	}
	return x, nil
}

// setup sends the connection setup (little-endian, protocol 11.0, no
// authorization) and reads the server's answer.
func (x *xConn) setup() error {
	if _, err := x.conn.Write([]byte{'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		return err
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(x.br, head); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	more := make([]byte, 4*int(binary.LittleEndian.Uint16(head[6:])))
	if _, err := io.ReadFull(x.br, more); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	if head[0] != 1 {
		reason := more[:min(int(head[1]), len(more))]
		return fmt.Errorf("setup refused: %q", reason)
	}
	var err error
	x.idBase, x.root, err = parseSetup(more)
	return err
}

// parseSetup reads the resource ID base and the first root window from
// the data of a successful connection setup reply (after its 8 bytes).
func parseSetup(b []byte) (idBase, root uint32, err error) {
	le := binary.LittleEndian
	if len(b) < 32 {
		return 0, 0, errors.New("setup: short reply")
	}
	vendor, screens, formats := int(le.Uint16(b[16:])), int(b[20]), int(b[21])
	at := 32 + (vendor+3)&^3 + 8*formats
	if screens == 0 || len(b) < at+4 {
		return 0, 0, errors.New("setup: no screen")
	}
	return le.Uint32(b[4:]), le.Uint32(b[at:]), nil
}

// subscribeDamage asks for the root window's damage as raw rectangles and
// returns the code of the DamageNotify event.
func (x *xConn) subscribeDamage() (byte, error) {
	le := binary.LittleEndian
	name := "DAMAGE"
	req := make([]byte, 8+(len(name)+3)&^3)
	req[0] = xQueryExtension
	le.PutUint16(req[2:], uint16(len(req)/4))
	le.PutUint16(req[4:], uint16(len(name)))
	copy(req[8:], name)
	reply, err := x.roundTrip(req)
	if err != nil {
		return 0, fmt.Errorf("query DAMAGE: %w", err)
	}
	if reply[8] == 0 {
		return 0, errors.New("the X server has no DAMAGE extension")
	}
	major, notify := reply[9], reply[10]
	// The version must be asked before any other request of the extension.
	req = make([]byte, 12)
	req[0], req[1] = major, damageQueryVersion
	le.PutUint16(req[2:], 3)
	le.PutUint32(req[4:], 1)
	le.PutUint32(req[8:], 1)
	if _, err := x.roundTrip(req); err != nil {
		return 0, fmt.Errorf("DAMAGE version: %w", err)
	}
	req = make([]byte, 16)
	req[0], req[1] = major, damageCreate
	le.PutUint16(req[2:], 4)
	le.PutUint32(req[4:], x.idBase|1)
	le.PutUint32(req[8:], x.root)
	req[12] = damageReportRaw
	if err := x.checked(req); err != nil {
		return 0, fmt.Errorf("DamageCreate: %w", err)
	}
	return notify, nil
}

// checked sends a request that has no reply, then one that has, so that
// an error in the first shows.
func (x *xConn) checked(req []byte) error {
	if _, err := x.conn.Write(req); err != nil {
		return err
	}
	_, err := x.roundTrip([]byte{xGetInputFocus, 0, 1, 0})
	return err
}

// roundTrip sends req and returns its reply, failing on an error. Events
// before the reply are dropped: it is used before any is asked for.
func (x *xConn) roundTrip(req []byte) ([]byte, error) {
	if _, err := x.conn.Write(req); err != nil {
		return nil, err
	}
	for {
		m, err := x.readMessage()
		if err != nil {
			return nil, err
		}
		switch m[0] {
		case 0:
			return nil, fmt.Errorf("X error %d (request %d.%d)", m[1], m[10], binary.LittleEndian.Uint16(m[8:]))
		case 1:
			return m, nil
		}
	}
}

// readMessage reads one reply, error or event.
func (x *xConn) readMessage() ([]byte, error) {
	m := make([]byte, 32)
	if _, err := io.ReadFull(x.br, m); err != nil {
		return nil, err
	}
	if m[0] == 1 {
		if extra := 4 * int(binary.LittleEndian.Uint32(m[4:])); extra > 0 {
			m = append(m, make([]byte, extra)...)
			if _, err := io.ReadFull(x.br, m[32:]); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
