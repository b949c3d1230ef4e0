//go:build !linux

package udp

import "syscall"

// socketOptionsSet reports whether the control functions set the receive
// buffer themselves; elsewhere Listen uses SetReadBuffer.
const socketOptionsSet = false

func controlUnicast(int) func(network, address string, c syscall.RawConn) error   { return nil }
func controlMulticast(int) func(network, address string, c syscall.RawConn) error { return nil }
