package lirc

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	for _, c := range []struct {
		line string
		want Button
		ok   bool
	}{
		{"0000000000000001 00 KEY_OK myremote", Button{1, 0, "KEY_OK", "myremote"}, true},
		{"000000037ff07bef 0a KEY_UP Samsung_BN59", Button{0x37ff07bef, 10, "KEY_UP", "Samsung_BN59"}, true},
		{"ffffffffffffffff ff ch+ tv\r", Button{^uint64(0), 255, "ch+", "tv"}, true},
		{"0000000000000001 00 KEY_OK", Button{}, false},
		{"0000000000000001 00 KEY_OK my remote", Button{}, false},
		{"zz 00 KEY_OK r", Button{}, false},
		{"01 -1 KEY_OK r", Button{}, false},
		{"10000000000000000 00 KEY_OK r", Button{}, false},
		{"", Button{}, false},
	} {
		got, err := ParseLine(c.line)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseLine(%q) = %+v, %v; want %+v, ok %v", c.line, got, err, c.want, c.ok)
		}
		if err != nil && !errors.Is(err, ErrBadLine) {
			t.Errorf("ParseLine(%q): error %v is not ErrBadLine", c.line, err)
		}
	}
}

func TestDecoder(t *testing.T) {
	stream := "0000000000000001 00 KEY_OK myremote\n" +
		"BEGIN\nSIGHUP\nEND\n" +
		"\n" +
		"garbage\n" +
		"0000000000000001 01 KEY_OK myremote\n" +
		"BEGIN\nLIST\nSUCCESS\nDATA\n2\nmyremote\nother\nEND\n" +
		"BEGIN\nSEND_ONCE x y\nERROR\nDATA\n1\nunknown remote: \"x\"\nEND\n" +
		"BEGIN\nVERSION\nSUCCESS\nDATA\nmany\nEND\n" +
		"BEGIN\nVERSION\nSUCCESS\n"
	d := NewDecoder(strings.NewReader(stream))
	want := []struct {
		m   Message
		err error
	}{
		{Message{Button: &Button{1, 0, "KEY_OK", "myremote"}}, nil},
		{Message{Reply: &Reply{Command: "SIGHUP"}}, nil},
		{Message{}, ErrBadLine},
		{Message{Button: &Button{1, 1, "KEY_OK", "myremote"}}, nil},
		{Message{Reply: &Reply{Command: "LIST", Success: true, Data: []string{"myremote", "other"}}}, nil},
		{Message{Reply: &Reply{Command: "SEND_ONCE x y", Data: []string{`unknown remote: "x"`}}}, nil},
		{Message{}, ErrProtocol}, // bad data count
		{Message{}, ErrBadLine},  // the END left over from it
		{Message{}, ErrProtocol}, // cut short
		{Message{}, io.EOF},
	}
	for i, w := range want {
		m, err := d.Next()
		if !errors.Is(err, w.err) || !reflect.DeepEqual(m, w.m) {
			t.Errorf("message %d: %+v %+v, %v; want %+v %+v, %v", i, m.Button, m.Reply, err, w.m.Button, w.m.Reply, w.err)
		}
	}
}

func FuzzParseLine(f *testing.F) {
	f.Add("0000000000000001 00 KEY_OK myremote")
	f.Add("1 ff a b")
	f.Add("0 0 0")
	f.Fuzz(func(t *testing.T, line string) {
		b, err := ParseLine(line)
		if err != nil {
			return
		}
		if b.Repeat < 0 || b.Name == "" || b.Remote == "" || strings.ContainsAny(b.Name+b.Remote, " \t\n") {
			t.Fatalf("ParseLine(%q) = %+v", line, b)
		}
	})
}

func FuzzDecoder(f *testing.F) {
	f.Add("0000000000000001 00 KEY_OK myremote\nBEGIN\nSIGHUP\nEND\n")
	f.Add("BEGIN\nLIST\nSUCCESS\nDATA\n2\na\nb\nEND\n")
	f.Add("BEGIN\nX\nDATA\n99999999999\n")
	f.Fuzz(func(t *testing.T, stream string) {
		d := NewDecoder(strings.NewReader(stream))
		for i := 0; ; i++ {
			if i > len(stream)+1 {
				t.Fatal("the decoder does not come to an end")
			}
			m, err := d.Next()
			if err == nil && (m.Button == nil) == (m.Reply == nil) {
				t.Fatalf("message with neither or both parts: %+v", m)
			}
			if err != nil && !errors.Is(err, ErrBadLine) && !errors.Is(err, ErrProtocol) {
				return // io.EOF or a line too long: the end of the stream
			}
		}
	})
}
