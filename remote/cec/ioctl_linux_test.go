package cec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The request numbers and sizes as linux/cec.h gives them (gcc, Debian 12).
func TestIoctlNumbers(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"CEC_ADAP_G_PHYS_ADDR", cecAdapGPhysAddr, 0x80026101},
		{"CEC_ADAP_G_LOG_ADDRS", cecAdapGLogAddrs, 0x805c6103},
		{"CEC_ADAP_S_LOG_ADDRS", cecAdapSLogAddrs, 0xc05c6104},
		{"CEC_TRANSMIT", cecTransmit, 0xc0386105},
		{"CEC_RECEIVE", cecReceive, 0xc0386106},
		{"CEC_S_MODE", cecSMode, 0x40046109},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x; want %#x", c.name, c.got, c.want)
		}
	}
}

func TestOpenAPlainFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cec0")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, "Manbang"); !errors.Is(err, syscall.ENOTTY) || !strings.Contains(err.Error(), "CEC_S_MODE") {
		t.Errorf("Open of a plain file: %v; want CEC_S_MODE failing with ENOTTY", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing"), "Manbang"); err == nil {
		t.Error("Open of a missing adapter succeeded")
	}
}
