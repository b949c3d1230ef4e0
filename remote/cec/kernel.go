package cec

import (
	"encoding/binary"
	"errors"
)

// The structs of linux/cec.h as bytes (little-endian, as on x86, arm and
// arm64), so that their layout is tested without a device.

// msgSize is sizeof(struct cec_msg): two u64 timestamps, len, timeout,
// sequence, flags (u32 each), msg[16], reply, rx_status, tx_status and four
// counters (u8 each), padded to 8.
const msgSize = 56

// logAddrsSize is sizeof(struct cec_log_addrs).
const logAddrsSize = 92

// Offsets in struct cec_msg.
const (
	msgLen      = 16
	msgTimeout  = 20
	msgSequence = 24
	msgBytes    = 32
	msgRxStatus = 49
	msgTxStatus = 50
)

// Transmit status bits (CEC_TX_STATUS_*).
const txStatusOK = 1 << 0

// kernelMsg is the part of struct cec_msg the source uses.
type kernelMsg struct {
	msg      Message
	timeout  uint32 // ms a blocking CEC_RECEIVE waits
	sequence uint32
	rxStatus uint8
	txStatus uint8
}

func marshalMsg(m kernelMsg) [msgSize]byte {
	var b [msgSize]byte
	n := copy(b[msgBytes:msgBytes+maxMsg], m.msg)
	binary.LittleEndian.PutUint32(b[msgLen:], uint32(n))
	binary.LittleEndian.PutUint32(b[msgTimeout:], m.timeout)
	binary.LittleEndian.PutUint32(b[msgSequence:], m.sequence)
	b[msgRxStatus] = m.rxStatus
	b[msgTxStatus] = m.txStatus
	return b
}

var errMsgLen = errors.New("cec: kernel message length out of range")

func unmarshalMsg(b *[msgSize]byte) (kernelMsg, error) {
	n := binary.LittleEndian.Uint32(b[msgLen:])
	if n == 0 || n > maxMsg {
		return kernelMsg{}, errMsgLen
	}
	return kernelMsg{
		msg:      Message(append([]byte(nil), b[msgBytes:msgBytes+int(n)]...)),
		timeout:  binary.LittleEndian.Uint32(b[msgTimeout:]),
		sequence: binary.LittleEndian.Uint32(b[msgSequence:]),
		rxStatus: b[msgRxStatus],
		txStatus: b[msgTxStatus],
	}, nil
}

// Values of struct cec_log_addrs for one playback device.
const (
	cecVersion14         = 5    // CEC_OP_CEC_VERSION_1_4
	primaryTypePlayback  = 4    // CEC_OP_PRIM_DEVTYPE_PLAYBACK
	logAddrTypePlayback  = 3    // CEC_LOG_ADDR_TYPE_PLAYBACK
	allDevTypePlayback   = 0x10 // CEC_OP_ALL_DEVTYPE_PLAYBACK
	vendorIDNone         = 0xffffffff
	logAddrInvalid       = 0xff
	osdNameMax           = 14 // osd_name[15] with its NUL
	logAddrsNum          = 7
	logAddrsOSDName      = 16
	logAddrsPrimaryType  = 31
	logAddrsLogAddrType  = 35
	logAddrsAllDevTypes  = 39
	logAddrsVendorID     = 8
	logAddrsCECVersion   = 6
	logAddrsLogAddrFirst = 0
)

// playbackLogAddrs is a struct cec_log_addrs asking for one playback
// device's logical address, named osd on the TV's menus.
func playbackLogAddrs(osd string) [logAddrsSize]byte {
	var b [logAddrsSize]byte
	b[logAddrsCECVersion] = cecVersion14
	b[logAddrsNum] = 1
	binary.LittleEndian.PutUint32(b[logAddrsVendorID:], vendorIDNone)
	if len(osd) > osdNameMax {
		osd = osd[:osdNameMax]
	}
	copy(b[logAddrsOSDName:logAddrsOSDName+osdNameMax], osd)
	b[logAddrsPrimaryType] = primaryTypePlayback
	b[logAddrsLogAddrType] = logAddrTypePlayback
	b[logAddrsAllDevTypes] = allDevTypePlayback
	return b
}

// firstLogAddr reads log_addr[0] of a struct cec_log_addrs: the logical
// address claimed, or logAddrInvalid.
func firstLogAddr(b *[logAddrsSize]byte) uint8 {
	if b[logAddrsNum] == 0 {
		return logAddrInvalid
	}
	return b[logAddrsLogAddrFirst]
}
