// Package cec is the remote source for the TV's own remote, passed to the
// box over HDMI-CEC through the Linux CEC framework (/dev/cecN): the box
// claims a playback device's logical address, reads User Control
// Pressed/Released messages, and can switch the TV on to itself (One
// Touch Play) or put it in standby.
package cec

import (
	"errors"
	"fmt"
)

// Opcodes the source sends or reads (HDMI-CEC 1.4, linux/cec.h).
const (
	OpFeatureAbort          = 0x00
	OpImageViewOn           = 0x04
	OpStandby               = 0x36
	OpUserControlPressed    = 0x44
	OpUserControlReleased   = 0x45
	OpActiveSource          = 0x82
	OpRequestActiveSource   = 0x85
	OpSetStreamPath         = 0x86
	OpMenuRequest           = 0x8d
	OpMenuStatus            = 0x8e
	OpGiveDevicePowerStatus = 0x8f
	OpReportPowerStatus     = 0x90
)

// Logical addresses.
const (
	AddrTV        = 0x0
	AddrBroadcast = 0xf
)

const (
	maxMsg        = 16   // bytes in a CEC message
	powerOn       = 0x00 // Report Power Status: on
	menuActivated = 0x00 // Menu Status: activated
)

// Message is one CEC message: a header byte (initiator and destination
// logical addresses), then an opcode and its operands. A header alone is
// a poll.
type Message []byte

// ErrMessage is wrapped by the errors about malformed messages.
var ErrMessage = errors.New("cec: malformed message")

// ParseMessage checks b is a CEC message: 1 to 16 bytes.
func ParseMessage(b []byte) (Message, error) {
	if len(b) == 0 || len(b) > maxMsg {
		return nil, fmt.Errorf("%w: %d bytes", ErrMessage, len(b))
	}
	return Message(b), nil
}

// Initiator is the sender's logical address.
func (m Message) Initiator() uint8 { return m[0] >> 4 }

// Destination is the receiver's logical address (AddrBroadcast: all).
func (m Message) Destination() uint8 { return m[0] & 0xf }

// Opcode returns the message's opcode; a poll has none.
func (m Message) Opcode() (byte, bool) {
	if len(m) < 2 {
		return 0, false
	}
	return m[1], true
}

// Operands returns the bytes after the opcode.
func (m Message) Operands() []byte {
	if len(m) < 2 {
		return nil
	}
	return m[2:]
}

func (m Message) String() string { return fmt.Sprintf("% x", []byte(m)) }

// UserControl is a button of the TV's remote going down or up.
type UserControl struct {
	Pressed bool // User Control Pressed; false: Released
	Code    byte // the UI command (0x00 select, 0x01 up...); 0 when released
	From    uint8
}

// DecodeUserControl reads a User Control Pressed or Released message. It
// reports false for other messages, and an error for a User Control
// Pressed without its UI command.
func DecodeUserControl(m Message) (UserControl, bool, error) {
	op, ok := m.Opcode()
	if !ok {
		return UserControl{}, false, nil
	}
	switch op {
	case OpUserControlPressed:
		if len(m) < 3 {
			return UserControl{}, false, fmt.Errorf("%w: User Control Pressed without a UI command: %v", ErrMessage, m)
		}
		return UserControl{Pressed: true, Code: m[2], From: m.Initiator()}, true, nil
	case OpUserControlReleased:
		return UserControl{From: m.Initiator()}, true, nil
	}
	return UserControl{}, false, nil
}

func header(from, to uint8) byte { return from<<4 | to&0xf }

// ImageViewOn asks the TV to switch on (One Touch Play, first message).
func ImageViewOn(from uint8) Message { return Message{header(from, AddrTV), OpImageViewOn} }

// ActiveSource tells everyone that the device at phys is the one to show
// (One Touch Play, second message).
func ActiveSource(from uint8, phys uint16) Message {
	return Message{header(from, AddrBroadcast), OpActiveSource, byte(phys >> 8), byte(phys)}
}

// Standby asks to to go to standby (AddrTV: the TV; AddrBroadcast: all).
func Standby(from, to uint8) Message { return Message{header(from, to), OpStandby} }

// FormatPhysical writes a physical address as HDMI does: 1.0.0.0.
func FormatPhysical(p uint16) string {
	return fmt.Sprintf("%x.%x.%x.%x", p>>12, p>>8&0xf, p>>4&0xf, p&0xf)
}
