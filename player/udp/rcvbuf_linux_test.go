package udp

import (
	"fmt"
	"os"
	"syscall"
	"testing"
)

func TestListenBuffer(t *testing.T) {
	// The kernel reports twice what was set (bookkeeping overhead). As
	// root the size is forced past net.core.rmem_max; otherwise it is
	// capped there, at least 200 kB on Debian.
	want := 200_000
	if os.Geteuid() == 0 {
		want = 2 << 20
	}
	for _, reserved := range []bool{false, true} {
		addr := "127.0.0.1:0"
		if reserved { // a small reservation, taken over by Listen asking for more
			r, err := Reserve("127.0.0.1:0", ListenConfig{ReadBuffer: 64 << 10})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			addr = fmt.Sprintf("127.0.0.1:%d", r.Port())
		}
		c, err := Listen(addr, ListenConfig{ReadBuffer: 1 << 20})
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
		if got < want {
			t.Errorf("reserved %v: SO_RCVBUF %d, want at least %d", reserved, got, want)
		}
	}
}
