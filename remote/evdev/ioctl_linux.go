package evdev

import (
	"bytes"
	"fmt"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ioctl request numbers of linux/input.h (the generic _IOC encoding of
// x86, arm and arm64).
func ioc(dir, typ, nr, size uintptr) uintptr { return dir<<30 | size<<16 | typ<<8 | nr }

const (
	iocWrite = 1
	iocRead  = 2
)

func eviocgname(n uintptr) uintptr    { return ioc(iocRead, 'E', 0x06, n) }
func eviocgbit(ev, n uintptr) uintptr { return ioc(iocRead, 'E', 0x20+ev, n) }
func eviocgrab() uintptr              { return ioc(iocWrite, 'E', 0x90, 4) }

// System opens real input devices.
type System struct{}

// Open opens the device at path for reading without blocking the runtime:
// the file is pollable, so Close ends a pending Read.
func (System) Open(path string) (Device, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &sysDevice{File: f}, nil
}

type sysDevice struct {
	*os.File
}

// ioctl runs an ioctl whose argument is a pointer (p) or a number (n).
func (d *sysDevice) ioctl(req uintptr, p unsafe.Pointer, n uintptr) error {
	rc, err := d.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		if p != nil {
			_, _, errno = unix.Syscall(unix.SYS_IOCTL, fd, req, uintptr(p))
		} else {
			_, _, errno = unix.Syscall(unix.SYS_IOCTL, fd, req, n)
		}
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}

func (d *sysDevice) Info() (Info, error) {
	var info Info
	name := make([]byte, 256)
	if err := d.ioctl(eviocgname(uintptr(len(name))), unsafe.Pointer(&name[0]), 0); err == nil {
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		info.Name = string(name)
	}
	var types uint64
	if err := d.ioctl(eviocgbit(0, 8), unsafe.Pointer(&types), 0); err != nil {
		return info, fmt.Errorf("EVIOCGBIT: %w", err)
	}
	if types&(1<<evKey) == 0 {
		return info, nil
	}
	if err := d.ioctl(eviocgbit(evKey, unsafe.Sizeof(info.Keys)), unsafe.Pointer(&info.Keys[0]), 0); err != nil {
		return info, fmt.Errorf("EVIOCGBIT(EV_KEY): %w", err)
	}
	return info, nil
}

func (d *sysDevice) Grab() error {
	if err := d.ioctl(eviocgrab(), nil, 1); err != nil {
		return fmt.Errorf("EVIOCGRAB: %w", err)
	}
	return nil
}
