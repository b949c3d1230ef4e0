//go:build faults

package faults

import (
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// impairment says what a relay does to the datagrams or responses it
// passes on. The zero value passes everything untouched.
type impairment struct {
	Loss      float64       // probability of dropping a datagram (UDP) or an 8 KiB piece of a response, which cuts it (HTTP)
	Reorder   float64       // probability of holding a datagram back behind the next one
	Duplicate float64       // probability of sending a datagram twice
	Jitter    time.Duration // extra delay, uniform in [0, Jitter)
	// OutageAt and Outage drop everything (UDP) or refuse every request
	// (HTTP) from OutageAt after the first datagram or request, for Outage.
	OutageAt, Outage time.Duration
	// RateBps caps the HTTP relay's throughput, in bytes per second.
	RateBps int
}

// relayCounts are what a relay did.
type relayCounts struct {
	Passed, Dropped, Duplicated, Reordered atomic.Int64
}

// udpRelay stands between an RTP sender and a box on loopback: the
// sender sends to Addr(); the relay passes the datagrams to the box,
// impaired, from its second socket, and passes what the box sends back
// (RTCP: reports, NACKs) to the sender, untouched.
type udpRelay struct {
	senderSide, boxSide *net.UDPConn
	box                 *net.UDPAddr
	imp                 impairment
	Counts              relayCounts

	mu     sync.Mutex
	sender *net.UDPAddr // learned from the first datagram
	first  time.Time
	held   []byte // a datagram held back for reordering
	rng    *rand.Rand
	timers sync.WaitGroup
	wg     sync.WaitGroup
}

func newUDPRelay(box *net.UDPAddr, imp impairment, seed uint64) (*udpRelay, error) {
	a, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	b, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		a.Close()
		return nil, err
	}
	r := &udpRelay{senderSide: a, boxSide: b, box: box, imp: imp, rng: rand.New(rand.NewPCG(seed, 7))}
	r.wg.Add(2)
	go r.forward()
	go r.backward()
	return r, nil
}

// Addr is where the sender sends.
func (r *udpRelay) Addr() *net.UDPAddr { return r.senderSide.LocalAddr().(*net.UDPAddr) }

func (r *udpRelay) forward() {
	defer r.wg.Done()
	buf := make([]byte, 2048)
	for {
		n, from, err := r.senderSide.ReadFromUDP(buf)
		if err != nil {
			return
		}
		pkt := append([]byte(nil), buf[:n]...)
		r.mu.Lock()
		if r.sender == nil {
			r.sender, r.first = from, time.Now()
		}
		since := time.Since(r.first)
		if r.imp.Outage > 0 && since >= r.imp.OutageAt && since < r.imp.OutageAt+r.imp.Outage {
			r.mu.Unlock()
			r.Counts.Dropped.Add(1)
			continue
		}
		if r.rng.Float64() < r.imp.Loss {
			r.mu.Unlock()
			r.Counts.Dropped.Add(1)
			continue
		}
		var out [][]byte
		if r.held == nil && r.rng.Float64() < r.imp.Reorder {
			r.held = pkt
			r.Counts.Reordered.Add(1)
		} else {
			out = append(out, pkt)
			if r.held != nil {
				out = append(out, r.held)
				r.held = nil
			}
		}
		if len(out) > 0 && r.rng.Float64() < r.imp.Duplicate {
			out = append(out, out[0])
			r.Counts.Duplicated.Add(1)
		}
		var delay time.Duration
		if r.imp.Jitter > 0 {
			delay = time.Duration(r.rng.Int64N(int64(r.imp.Jitter)))
		}
		r.mu.Unlock()
		for _, p := range out {
			r.Counts.Passed.Add(1)
			if delay == 0 {
				r.boxSide.WriteToUDP(p, r.box)
				continue
			}
			r.timers.Add(1)
			time.AfterFunc(delay, func() {
				defer r.timers.Done()
				r.boxSide.WriteToUDP(p, r.box)
			})
		}
	}
}

func (r *udpRelay) backward() {
	defer r.wg.Done()
	buf := make([]byte, 2048)
	for {
		n, _, err := r.boxSide.ReadFromUDP(buf)
		if err != nil {
			return
		}
		r.mu.Lock()
		to := r.sender
		r.mu.Unlock()
		if to != nil {
			r.senderSide.WriteToUDP(buf[:n], to)
		}
	}
}

// Close stops the relay and waits for its goroutines and delayed sends.
func (r *udpRelay) Close() {
	r.senderSide.Close()
	r.boxSide.SetReadDeadline(time.Now()) // ends backward
	r.wg.Wait()
	r.timers.Wait()
	r.boxSide.Close()
}
