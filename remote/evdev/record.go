// Package evdev is the remote source for Linux input devices: IR receivers
// of the kernel's rc-core, USB and Bluetooth remotes, everything under
// /dev/input that has remote keys. It reads the kernel's input_event
// records, grabs the devices it takes so no other program sees their keys,
// picks up devices plugged in later and lets go of those unplugged.
package evdev

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Event types and codes of linux/input-event-codes.h that the source reads.
const (
	evSyn = 0x00
	evKey = 0x01

	synReport  = 0
	synDropped = 3

	keyMax = 0x2ff
)

// wordSize is the size of the kernel's long for this program: struct
// timeval in input_event is two of them.
const wordSize = bits.UintSize / 8

// RecordSize is the size of one struct input_event on this machine: 24
// bytes on 64-bit systems (amd64, arm64), 16 on 32-bit ones.
const RecordSize = 2*wordSize + 8

// Record is one struct input_event.
type Record struct {
	Time  time.Time // the kernel's timestamp
	Type  uint16
	Code  uint16
	Value int32
}

// ErrShortRecord means fewer bytes than one record.
var ErrShortRecord = errors.New("evdev: short input_event record")

// ParseRecord decodes one native input_event record from the start of b.
func ParseRecord(b []byte) (Record, error) {
	return parseRecord(b, wordSize)
}

// parseRecord decodes a little-endian input_event whose timeval fields are
// word bytes each (8 on 64-bit systems, 4 on 32-bit ones).
func parseRecord(b []byte, word int) (Record, error) {
	if len(b) < 2*word+8 {
		return Record{}, ErrShortRecord
	}
	var sec, usec int64
	if word == 8 {
		sec = int64(binary.LittleEndian.Uint64(b))
		usec = int64(binary.LittleEndian.Uint64(b[8:]))
	} else {
		sec = int64(int32(binary.LittleEndian.Uint32(b)))
		usec = int64(int32(binary.LittleEndian.Uint32(b[4:])))
	}
	p := b[2*word:]
	return Record{
		Time:  time.Unix(sec, 0).Add(time.Duration(usec) * time.Microsecond),
		Type:  binary.LittleEndian.Uint16(p),
		Code:  binary.LittleEndian.Uint16(p[2:]),
		Value: int32(binary.LittleEndian.Uint32(p[4:])),
	}, nil
}

// AppendRecord appends r as a native input_event record; tests and tools
// use it to feed the source.
func AppendRecord(b []byte, r Record) []byte {
	sec, usec := r.Time.Unix(), int64(r.Time.Nanosecond()/1000)
	if wordSize == 8 {
		b = binary.LittleEndian.AppendUint64(b, uint64(sec))
		b = binary.LittleEndian.AppendUint64(b, uint64(usec))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(sec))
		b = binary.LittleEndian.AppendUint32(b, uint32(usec))
	}
	b = binary.LittleEndian.AppendUint16(b, r.Type)
	b = binary.LittleEndian.AppendUint16(b, r.Code)
	return binary.LittleEndian.AppendUint32(b, uint32(r.Value))
}

// KeyCode returns the code of a key name as evtest prints it (KEY_OK) or
// as a number (0x160, 352).
func KeyCode(name string) (uint16, error) {
	if c, ok := keyNames[strings.ToUpper(name)]; ok {
		return c, nil
	}
	n, err := strconv.ParseUint(name, 0, 16)
	if err != nil || n > keyMax {
		return 0, fmt.Errorf("unknown evdev key %q (want a KEY_ name as evtest prints it, or a code up to %#x)", name, keyMax)
	}
	return uint16(n), nil
}

// KeyName returns the kernel's name of a key code, or its number.
func KeyName(code uint16) string {
	best := ""
	for name, c := range keyNames {
		// Several names share some codes (KEY_MUTE, KEY_MIN_INTERESTING);
		// the shortest, then the first in order, is the one evtest shows.
		if c == code && (best == "" || len(name) < len(best) || (len(name) == len(best) && name < best)) {
			best = name
		}
	}
	if best == "" {
		return fmt.Sprintf("%#x", code)
	}
	return best
}
