package udp

import (
	"os"
	"syscall"
	"testing"
)

func TestListenBuffer(t *testing.T) {
	c, err := Listen("127.0.0.1:0", ListenConfig{ReadBuffer: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var got int
	raw.Control(func(fd uintptr) { got, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF) })
	if err != nil {
		t.Fatal(err)
	}
	// The kernel reports twice what was set (bookkeeping overhead). As
	// root the size is forced past net.core.rmem_max; otherwise it is
	// capped there, at least 200 kB on Debian.
	want := 200_000
	if os.Geteuid() == 0 {
		want = 2 << 20
	}
	if got < want {
		t.Errorf("SO_RCVBUF %d, want at least %d", got, want)
	}
}
