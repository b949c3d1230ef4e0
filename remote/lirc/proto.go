// Package lirc is the remote source for boxes whose IR receiver is run by
// lircd: it reads the button lines lircd sends to its clients on its Unix
// socket, and speaks lircd's command protocol.
package lirc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Button is one line lircd sends when a button is seen:
// "<code> <repeat-count> <button> <remote>", the code and the count in hex.
type Button struct {
	Code   uint64
	Repeat int // 0 for a new press, then 1, 2... while it is held
	Name   string
	Remote string
}

// ErrBadLine is wrapped by the errors of ParseLine.
var ErrBadLine = errors.New("lirc: bad button line")

// ParseLine decodes a button line (without its newline).
func ParseLine(line string) (Button, error) {
	f := strings.Fields(line)
	if len(f) != 4 {
		return Button{}, fmt.Errorf("%w %q: want 4 fields, got %d", ErrBadLine, trim(line), len(f))
	}
	code, err := strconv.ParseUint(f[0], 16, 64)
	if err != nil {
		return Button{}, fmt.Errorf("%w %q: code: %v", ErrBadLine, trim(line), err)
	}
	rep, err := strconv.ParseUint(f[1], 16, 31)
	if err != nil {
		return Button{}, fmt.Errorf("%w %q: repeat count: %v", ErrBadLine, trim(line), err)
	}
	return Button{Code: code, Repeat: int(rep), Name: f[2], Remote: f[3]}, nil
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// Reply is a block lircd sends between BEGIN and END: the answer to a
// command, or a broadcast such as SIGHUP (lircd reread its config).
type Reply struct {
	Command string
	Success bool     // SUCCESS; false for ERROR or a broadcast
	Data    []string // the lines after DATA and their count
}

// Message is one thing lircd sent: a button or a reply block.
type Message struct {
	Button *Button
	Reply  *Reply
}

// maxLine bounds a line, maxData the lines of a reply's data.
const (
	maxLine = 4096
	maxData = 10000
)

// ErrProtocol is wrapped by errors about lircd's framing.
var ErrProtocol = errors.New("lirc: protocol error")

// Decoder splits lircd's stream into messages.
type Decoder struct {
	sc *bufio.Scanner
}

// NewDecoder reads messages from r.
func NewDecoder(r io.Reader) *Decoder {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 256), maxLine)
	return &Decoder{sc: sc}
}

func (d *Decoder) line() (string, error) {
	if !d.sc.Scan() {
		if err := d.sc.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
	return strings.TrimRight(d.sc.Text(), "\r"), nil
}

// Next returns the next message. A button line that does not parse is an
// error that leaves the decoder usable; io.EOF ends the stream.
func (d *Decoder) Next() (Message, error) {
	for {
		l, err := d.line()
		if err != nil {
			return Message{}, err
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		if l != "BEGIN" {
			b, err := ParseLine(l)
			if err != nil {
				return Message{}, err
			}
			return Message{Button: &b}, nil
		}
		r, err := d.reply()
		if err != nil {
			return Message{}, err
		}
		return Message{Reply: r}, nil
	}
}

// reply reads a block after its BEGIN.
func (d *Decoder) reply() (*Reply, error) {
	cmd, err := d.line()
	if err != nil {
		return nil, unexpected(err)
	}
	r := &Reply{Command: cmd}
	for {
		l, err := d.line()
		if err != nil {
			return nil, unexpected(err)
		}
		switch l {
		case "END":
			return r, nil
		case "SUCCESS":
			r.Success = true
		case "ERROR":
			r.Success = false
		case "DATA":
			n, err := d.line()
			if err != nil {
				return nil, unexpected(err)
			}
			count, err := strconv.Atoi(n)
			if err != nil || count < 0 || count > maxData {
				return nil, fmt.Errorf("%w: reply to %q: data count %q", ErrProtocol, trim(cmd), trim(n))
			}
			for range count {
				l, err := d.line()
				if err != nil {
					return nil, unexpected(err)
				}
				r.Data = append(r.Data, l)
			}
		default:
			return nil, fmt.Errorf("%w: reply to %q: unexpected line %q", ErrProtocol, trim(cmd), trim(l))
		}
	}
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: stream ends inside a reply", ErrProtocol)
	}
	return err
}
