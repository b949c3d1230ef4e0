package cec

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ioctl request numbers of linux/cec.h (the generic _IOC encoding).
func ioc(dir, nr, size uintptr) uintptr { return dir<<30 | size<<16 | 'a'<<8 | nr }

const (
	iocWrite = 1
	iocRead  = 2
)

var (
	cecAdapGPhysAddr = ioc(iocRead, 1, 2)
	cecAdapGLogAddrs = ioc(iocRead, 3, logAddrsSize)
	cecAdapSLogAddrs = ioc(iocRead|iocWrite, 4, logAddrsSize)
	cecTransmit      = ioc(iocRead|iocWrite, 5, msgSize)
	cecReceive       = ioc(iocRead|iocWrite, 6, msgSize)
	cecSMode         = ioc(iocWrite, 9, 4)
)

// CEC_S_MODE: send as initiator, and receive as follower the messages the
// kernel does not answer itself.
const modeInitiatorFollower = 0x01 | 0x10

// Device is a CEC adapter opened through the Linux CEC framework; it
// implements Adapter.
type Device struct {
	f *os.File
}

// Open opens the adapter at path (/dev/cec0), becomes its follower and
// claims a playback device's logical address named osd. An adapter that
// another program has set up keeps its addresses.
func Open(path, osd string) (*Device, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("cec: open %s: %w", path, err)
	}
	mode := uint32(modeInitiatorFollower)
	if err := ioctl(uintptr(fd), cecSMode, unsafe.Pointer(&mode)); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("cec: %s: CEC_S_MODE: %w", path, err)
	}
	la := playbackLogAddrs(osd)
	// Blocking: returns once the address is claimed (or at once when the
	// HDMI cable is out; the kernel claims it when it is plugged in).
	if err := ioctl(uintptr(fd), cecAdapSLogAddrs, unsafe.Pointer(&la[0])); err != nil && !errors.Is(err, unix.EBUSY) {
		unix.Close(fd)
		return nil, fmt.Errorf("cec: %s: CEC_ADAP_S_LOG_ADDRS: %w", path, err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("cec: %s: %w", path, err)
	}
	// Non-blocking, so pollable: Close ends a pending Receive.
	return &Device{f: os.NewFile(uintptr(fd), path)}, nil
}

func ioctl(fd, req uintptr, p unsafe.Pointer) error {
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, fd, req, uintptr(p)); errno != 0 {
		return errno
	}
	return nil
}

func (d *Device) control(req uintptr, p unsafe.Pointer) error {
	rc, err := d.f.SyscallConn()
	if err != nil {
		return err
	}
	var ierr error
	if err := rc.Control(func(fd uintptr) { ierr = ioctl(fd, req, p) }); err != nil {
		return err
	}
	return ierr
}

// Receive waits for the next message to the box. Reports of the box's own
// transmissions are skipped.
func (d *Device) Receive() (Message, error) {
	rc, err := d.f.SyscallConn()
	if err != nil {
		return nil, err
	}
	for {
		var b [msgSize]byte
		var ierr error
		err := rc.Read(func(fd uintptr) bool {
			ierr = ioctl(fd, cecReceive, unsafe.Pointer(&b[0]))
			return !errors.Is(ierr, unix.EAGAIN)
		})
		if err != nil {
			return nil, fmt.Errorf("cec: receive: %w", err)
		}
		if ierr != nil {
			return nil, fmt.Errorf("cec: CEC_RECEIVE: %w", ierr)
		}
		m, err := unmarshalMsg(&b)
		if err != nil || m.txStatus != 0 { // a transmit result, not a message
			continue
		}
		return m.msg, nil
	}
}

// Transmit queues m for sending; it does not wait for the TV.
func (d *Device) Transmit(m Message) error {
	b := marshalMsg(kernelMsg{msg: m})
	if err := d.control(cecTransmit, unsafe.Pointer(&b[0])); err != nil {
		return fmt.Errorf("cec: transmit %v: %w", m, err)
	}
	return nil
}

// Addresses returns the box's logical address (0xff when none is claimed
// yet) and physical address (0xffff when the HDMI cable is out).
func (d *Device) Addresses() (logical uint8, physical uint16, err error) {
	var la [logAddrsSize]byte
	if err := d.control(cecAdapGLogAddrs, unsafe.Pointer(&la[0])); err != nil {
		return logAddrInvalid, 0xffff, fmt.Errorf("cec: CEC_ADAP_G_LOG_ADDRS: %w", err)
	}
	var pa uint16
	if err := d.control(cecAdapGPhysAddr, unsafe.Pointer(&pa)); err != nil {
		return firstLogAddr(&la), 0xffff, fmt.Errorf("cec: CEC_ADAP_G_PHYS_ADDR: %w", err)
	}
	return firstLogAddr(&la), pa, nil
}

// Close releases the adapter; a pending Receive returns an error.
func (d *Device) Close() error { return d.f.Close() }
