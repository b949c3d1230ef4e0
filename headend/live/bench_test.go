//go:build linux

package live

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSubscribers feeds one channel, padded to a constant 2 or 6
// Mbit/s, to N unicast subscribers on loopback, and reports its pacing
// (see the package comment): the offsets, for each datagram and each
// destination, of the time the sendmmsg call that carried it returned
// from the time the datagram's PCR schedules it (an upper bound of the
// true send time: a batch's last destination is counted for all), as
// absolute offsets (pacing-*) and as jitter, each offset minus its
// destination's median (jitter-*). One iteration is one datagram of the
// stream, to all N.
//
// The subscribers are sockets drained by one goroutine on its own thread
// every 20ms, so that receiving (the boxes' work) costs as
// little of the shared CPU as it can; its CPU time is taken out of the
// engine's. Figures: pacing p50, p99 and max; jitter p99 and max; the
// lead the fan-outs start with; allocations per datagram; sends/s; datagrams the
// engine dropped (kernel refused) and the subscribers lost (receive
// buffer overflow); engine-cores (CPU-seconds per second of the process
// but the drainer; the loopback's delivery into the subscribers' sockets
// runs in the sender's system calls and is included) and subs/core, N
// over engine-cores.
func BenchmarkSubscribers(b *testing.B) {
	for _, rate := range []int{2_000_000, 6_000_000} {
		for _, n := range []int{1, 100, 500} {
			b.Run(fmt.Sprintf("%dM/%d", rate/1_000_000, n), func(b *testing.B) {
				benchFanOut(b, rateStream(b, rate), n)
			})
		}
	}
}

func benchFanOut(b *testing.B, stream string, n int) {
	e := New(Config{Addr: "127.0.0.1:0", SubscriberTimeout: time.Hour, Logger: quiet})
	if err := e.AddChannel(Channel{ID: "ch1", Source: stream}); err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	d, err := newDrainer(n)
	if err != nil {
		b.Fatal(err)
	}
	defer d.close()
	for i := range d.fds {
		if _, err := e.Subscribe("ch1", d.addr(i), SubscribeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	if err := e.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	e.mu.Lock()
	ch := e.channels["ch1"]
	e.mu.Unlock()
	const warmUp = 20 // datagrams before the measure
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for ch.packets() < warmUp {
		<-tick.C
	}
	ch.mu.Lock()
	ch.resetPacingLocked()
	base := ch.st
	ch.mu.Unlock()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0, drain0 := processCPU(), d.cpu()
	b.ResetTimer()
	start := time.Now()
	for ch.packets() < warmUp+uint64(b.N) {
		<-tick.C
	}
	el := time.Since(start)
	cpu := processCPU() - cpu0 - (d.cpu() - drain0)
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	b.StopTimer()
	e.Close() // the channel's figures stand still from here
	received := d.close()
	ch.mu.Lock()
	st, pacing := ch.st, ch.pacingStatsLocked()
	ch.mu.Unlock()
	packets := st.Packets - base.Packets
	sends := st.Sends - base.Sends
	b.ReportMetric(ms(pacing.P50), "pacing-p50-ms")
	b.ReportMetric(ms(pacing.P99), "pacing-p99-ms")
	b.ReportMetric(ms(pacing.Max), "pacing-max-ms")
	b.ReportMetric(ms(pacing.JitterP99), "jitter-p99-ms")
	b.ReportMetric(ms(pacing.JitterMax), "jitter-max-ms")
	b.ReportMetric(ms(pacing.Lead), "lead-ms")
	// Allocations of the whole process (the engine, the drainer, this
	// loop) per datagram of the stream.
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(packets), "allocs/datagram")
	b.ReportMetric(float64(sends)/el.Seconds(), "sends/s")
	b.ReportMetric(float64(packets)/el.Seconds(), "datagrams/s") // below the stream's rate: the engine fell behind
	b.ReportMetric(float64(st.Dropped), "dropped")
	b.ReportMetric(float64(st.Stalls), "stalls")
	b.ReportMetric(float64(int64(st.Sends)-int64(received)), "lost")
	if cpu > 0 {
		cores := cpu.Seconds() / el.Seconds()
		b.ReportMetric(cores, "engine-cores")
		b.ReportMetric(float64(n)/cores, "subs/core")
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// packets returns the number of live datagrams sent so far.
func (c *channel) packets() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st.Packets
}

// processCPU returns the CPU time of the whole process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// drainer is n subscriber sockets on loopback, read by one goroutine on
// a thread of its own. The sockets are plain file descriptors, outside
// Go's network poller, so that datagrams arriving wake nothing: the
// drainer polls them.
type drainer struct {
	fds       []int
	ports     []int
	stop      chan struct{}
	done      chan struct{}
	once      sync.Once
	received  uint64 // RTP media datagrams (sender reports are not counted)
	mu        sync.Mutex
	threadCPU time.Duration
}

func newDrainer(n int) (*drainer, error) {
	d := &drainer{stop: make(chan struct{}), done: make(chan struct{})}
	for range n {
		fd, port, err := loopbackSocket()
		if err != nil {
			d.closeFDs()
			return nil, err
		}
		d.fds, d.ports = append(d.fds, fd), append(d.ports, port)
	}
	go d.run()
	return d, nil
}

// loopbackSocket opens a UDP socket on 127.0.0.1 and a free port.
func loopbackSocket() (fd, port int, err error) {
	fd, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, 0, err
	}
	syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1<<20)
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return -1, 0, err
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return -1, 0, err
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return -1, 0, err
	}
	return fd, sa.(*syscall.SockaddrInet4).Port, nil
}

func (d *drainer) addr(i int) *net.UDPAddr {
	return loopbackAddr(d.ports[i])
}

func (d *drainer) run() {
	defer close(d.done)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	buf := make([]byte, 1500)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	stopping := false
	for {
		for _, fd := range d.fds {
			for {
				k, err := syscall.Read(fd, buf) // non-blocking; unlike recvfrom, allocates nothing
				if err != nil || k < 0 {
					break
				}
				if k > 1 && buf[1]&0x7F == payloadTypeMP2T {
					d.received++
				}
			}
		}
		var ru syscall.Rusage
		if syscall.Getrusage(rusageThread, &ru) == nil {
			d.mu.Lock()
			d.threadCPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			d.mu.Unlock()
		}
		if stopping {
			return
		}
		select {
		case <-tick.C:
		case <-d.stop:
			stopping = true // one last round
		}
	}
}

// rusageThread is Linux's RUSAGE_THREAD: the calling thread's usage.
const rusageThread = 1

// cpu returns the drainer's CPU time so far, as of its last round.
func (d *drainer) cpu() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.threadCPU
}

// close stops the drainer after a last round, closes the sockets and
// returns the media datagrams received.
func (d *drainer) close() uint64 {
	d.once.Do(func() {
		close(d.stop)
		<-d.done
		d.closeFDs()
	})
	return d.received
}

func (d *drainer) closeFDs() {
	for _, fd := range d.fds {
		syscall.Close(fd)
	}
}
