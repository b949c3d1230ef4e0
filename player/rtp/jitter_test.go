package rtp

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// jbOp is one step of a jitter buffer test: push a packet, fill a hole
// with a retransmission, or let time pass, at a millisecond offset.
type jbOp struct {
	at   int // ms
	op   byte
	seq  uint16
	want pushResult // for push and fill
}

const (
	opPush   = 'p'
	opFill   = 'f'
	opExpire = 'e'
	opNACK   = 'n' // nackList; want unused
	opFlush  = 'x'
)

func push(at int, seq uint16, want pushResult) jbOp { return jbOp{at, opPush, seq, want} }
func fill(at int, seq uint16, want pushResult) jbOp { return jbOp{at, opFill, seq, want} }
func expire(at int) jbOp                            { return jbOp{at: at, op: opExpire} }
func nackAt(at int) jbOp                            { return jbOp{at: at, op: opNACK} }

func seqPayload(seq uint16) []byte { return binary.BigEndian.AppendUint16(nil, seq) }

func TestJitterBuffer(t *testing.T) {
	tests := []struct {
		name   string
		size   int
		ops    []jbOp
		out    []uint16
		lost   int
		filled int
		nacked []uint16 // everything nackList returned
	}{
		{"in order", 16, []jbOp{push(0, 10, pushInOrder), push(1, 11, pushInOrder), push(2, 12, pushInOrder)},
			[]uint16{10, 11, 12}, 0, 0, nil},
		{"wraps around", 16, []jbOp{push(0, 65534, pushInOrder), push(1, 65535, pushInOrder), push(2, 0, pushInOrder), push(3, 1, pushInOrder)},
			[]uint16{65534, 65535, 0, 1}, 0, 0, nil},
		{"reordered within latency", 16, []jbOp{push(0, 1, pushInOrder), push(1, 3, pushInOrder), push(2, 2, pushFilled), push(3, 4, pushInOrder)},
			[]uint16{1, 2, 3, 4}, 0, 1, nil},
		{"hole given up after latency", 16, []jbOp{push(0, 1, pushInOrder), push(10, 3, pushInOrder), expire(109), expire(110), push(111, 2, pushLate)},
			[]uint16{1, 3}, 1, 0, nil},
		{"duplicate buffered and handed out", 16, []jbOp{push(0, 1, pushInOrder), push(1, 1, pushDuplicate), push(2, 3, pushInOrder), push(3, 3, pushDuplicate)},
			[]uint16{1}, 0, 0, nil},
		{"retransmission fills NACKed hole", 16, []jbOp{push(0, 1, pushInOrder), push(1, 4, pushInOrder), nackAt(6), fill(8, 3, pushRecovered), fill(9, 2, pushRecovered)},
			[]uint16{1, 2, 3, 4}, 0, 2, []uint16{2, 3}},
		{"same-SSRC resend of a NACKed packet is recovered", 16, []jbOp{push(0, 1, pushInOrder), push(1, 3, pushInOrder), nackAt(6), push(8, 2, pushRecovered)},
			[]uint16{1, 2, 3}, 0, 1, []uint16{2}},
		{"retransmission of nothing missing", 16, []jbOp{push(0, 1, pushInOrder), fill(1, 1, pushDuplicate), fill(2, 2, pushStray), fill(3, 60000, pushStray)},
			[]uint16{1}, 0, 0, nil},
		{"late retransmission", 16, []jbOp{push(0, 1, pushInOrder), push(1, 3, pushInOrder), expire(200), fill(201, 2, pushLate)},
			[]uint16{1, 3}, 1, 0, nil},
		{"window full forces holes out", 16, []jbOp{push(0, 0, pushInOrder), push(1, 2, pushInOrder), push(2, 20, pushInOrder)},
			[]uint16{0, 2}, 3, 0, nil}, // 1, 3 and 4 given up to make room for 20 (window 16: 5..20)
		{"jump within dropout counts losses", 16, []jbOp{push(0, 0, pushInOrder), push(1, 100, pushInOrder), expire(200)},
			[]uint16{0, 100}, 99, 0, nil},
		{"far jump needs confirmation", 16, []jbOp{push(0, 0, pushInOrder), push(1, 1, pushInOrder), push(2, 40000, pushStray), push(3, 2, pushInOrder), push(4, 50000, pushStray), push(5, 50001, pushResync), push(6, 50002, pushInOrder)},
			[]uint16{0, 1, 2, 50001, 50002}, 0, 0, nil},
		{"far behind is stray", 16, []jbOp{push(0, 5000, pushInOrder), push(1, 10, pushStray), push(2, 5001, pushInOrder)},
			[]uint16{5000, 5001}, 0, 0, nil},
		{"flush hands out and restarts", 16, []jbOp{push(0, 1, pushInOrder), push(1, 3, pushInOrder), {at: 2, op: opFlush}, push(3, 9000, pushInOrder), push(4, 9001, pushInOrder)},
			[]uint16{1, 3, 9000, 9001}, 1, 0, nil},
		{"NACK waits for reordering and retries", 16, []jbOp{push(0, 1, pushInOrder), push(1, 3, pushInOrder), nackAt(2), nackAt(6), nackAt(7), nackAt(56), nackAt(57), nackAt(140)},
			[]uint16{1}, 0, 0, []uint16{2, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t0 := time.Unix(1000, 0)
			jb := newJitterBuffer(tc.size, 100*time.Millisecond)
			var out, nacked []uint16
			for i, op := range tc.ops {
				now := t0.Add(time.Duration(op.at) * time.Millisecond)
				var got pushResult
				switch op.op {
				case opPush:
					got = jb.push(op.seq, uint32(op.at*90), seqPayload(op.seq), now)
				case opFill:
					got = jb.fill(op.seq, seqPayload(op.seq), now)
				case opExpire:
					jb.expire(now)
				case opNACK:
					seqs, _ := jb.nackList(now, 5*time.Millisecond, 50*time.Millisecond, 2, 100)
					nacked = append(nacked, seqs...)
				case opFlush:
					jb.flush()
				}
				if (op.op == opPush || op.op == opFill) && got != op.want {
					t.Errorf("op %d (%c %d): result %d, want %d", i, op.op, op.seq, got, op.want)
				}
				for _, b := range jb.take() {
					out = append(out, binary.BigEndian.Uint16(b))
				}
			}
			if !slices.Equal(out, tc.out) {
				t.Errorf("out %v, want %v", out, tc.out)
			}
			if jb.lost != tc.lost || jb.filled != tc.filled {
				t.Errorf("lost %d filled %d, want %d %d", jb.lost, jb.filled, tc.lost, tc.filled)
			}
			if !slices.Equal(nacked, tc.nacked) {
				t.Errorf("nacked %v, want %v", nacked, tc.nacked)
			}
		})
	}
}

func TestJitterBufferDeadline(t *testing.T) {
	t0 := time.Unix(1000, 0)
	jb := newJitterBuffer(64, 100*time.Millisecond)
	if _, ok := jb.deadline(); ok {
		t.Error("empty buffer has a deadline")
	}
	jb.push(1, 0, seqPayload(1), t0)
	jb.push(4, 900, seqPayload(4), t0.Add(10*time.Millisecond))
	d, ok := jb.deadline()
	if want := t0.Add(110 * time.Millisecond); !ok || !d.Equal(want) {
		t.Errorf("deadline %v %v, want %v", d, ok, want)
	}
	if n := jb.buffered(); n != 1 {
		t.Errorf("buffered %d, want 1", n)
	}
	_, next := jb.nackList(t0.Add(11*time.Millisecond), 5*time.Millisecond, 30*time.Millisecond, 2, 1)
	if want := t0.Add(15 * time.Millisecond); !next.Equal(want) { // missing since 10ms, first NACK after 5ms
		t.Errorf("next NACK due %v, want %v", next, want)
	}
	now := t0.Add(16 * time.Millisecond)
	seqs, next := jb.nackList(now, 5*time.Millisecond, 30*time.Millisecond, 2, 1)
	if !slices.Equal(seqs, []uint16{2}) || next.After(now) { // 3 left over by max=1: due already
		t.Errorf("NACKed %v, next due %v; want [2], by %v", seqs, next, now)
	}
}

// TestJitterBufferStart holds the first packets for the start hold, so
// that packets sent before the first to arrive still go out first.
func TestJitterBufferStart(t *testing.T) {
	t0 := time.Unix(1000, 0)
	jb := newJitterBuffer(64, 100*time.Millisecond)
	jb.adaptive(DefaultMaxDelay, 10*time.Millisecond)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	tests := []struct {
		at   int
		seq  uint16
		want pushResult
	}{{0, 12, pushInOrder}, {1, 10, pushFilled}, {2, 13, pushInOrder}, {3, 11, pushFilled}}
	for _, tc := range tests {
		if got := jb.push(tc.seq, uint32(tc.seq)*90, seqPayload(tc.seq), at(tc.at)); got != tc.want {
			t.Errorf("push %d: %d, want %d", tc.seq, got, tc.want)
		}
		if out := jb.take(); len(out) > 0 {
			t.Fatalf("handed out %d packets within the start hold", len(out))
		}
	}
	if d, ok := jb.deadline(); !ok || d.After(at(11)) {
		t.Errorf("deadline %v %v, want by 11ms", d, ok)
	}
	jb.expire(at(11))
	var got []uint16
	for _, b := range jb.take() {
		got = append(got, binary.BigEndian.Uint16(b))
	}
	if !slices.Equal(got, []uint16{10, 11, 12, 13}) {
		t.Errorf("out %v, want 10..13", got)
	}
	// Once started, a packet from before is late, not a new start.
	if r := jb.push(9, 9*90, seqPayload(9), at(12)); r != pushDuplicate {
		t.Errorf("push 9 after the start: %d, want duplicate", r)
	}
}

// TestJitterBufferDelayFollowsJitter feeds the buffer a paced stream, then
// the same stream with its arrivals delayed at random by up to 50 ms, then
// paced again: the playout delay is zero on the quiet network, covers most
// of the jitter under it without holding packets much longer than the
// jitter delays them, and shrinks slowly after.
func TestJitterBufferDelayFollowsJitter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	jb := newJitterBuffer(1024, 100*time.Millisecond)
	jb.adaptive(DefaultMaxDelay, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	const interval = 4 * time.Millisecond // 250 packets/s
	seq := uint16(0)
	send := func(n int, jitter time.Duration) {
		for range n {
			sent := time.Duration(seq) * interval
			var extra time.Duration
			if jitter > 0 {
				extra = time.Duration(rng.Int64N(int64(jitter)))
			}
			jb.push(seq, uint32(sent/time.Millisecond)*90, seqPayload(seq), t0.Add(sent+extra))
			seq++
		}
	}
	send(500, 0)
	if d := jb.dm.delay; d > time.Millisecond {
		t.Errorf("delay %v on a quiet network, want none", d)
	}
	send(1000, 50*time.Millisecond)
	if d := jb.dm.delay; d < 40*time.Millisecond || d > 75*time.Millisecond {
		t.Errorf("delay %v under 50 ms of jitter, want between 40 and 75 ms", d)
	}
	under := jb.dm.delay
	send(250, 0) // a second of quiet
	if d := jb.dm.delay; d < under/2 || d >= under {
		t.Errorf("delay %v a second after the jitter stopped (was %v), want it shrinking slowly", d, under)
	}
	send(20000, 0)
	if d := jb.dm.delay; d > 2*time.Millisecond {
		t.Errorf("delay %v long after the jitter stopped, want about none", d)
	}
}

// TestJitterBufferDelayTransit feeds the delay model arrivals whose
// transit times change without jitter: a sender clock running apart from
// the box's, a faster-than-real-time burst (fast channel change) and a
// lasting step (a longer route). None of them is jitter: the delay must
// stay small, and come back down after the step.
func TestJitterBufferDelayTransit(t *testing.T) {
	const interval = 4 * time.Millisecond // 250 packets/s
	tests := []struct {
		name string
		// arrival of packet i sent (by its RTP timestamp) at i*interval
		arrive  func(i int) time.Duration
		n       int
		maxPeak time.Duration // largest delay allowed on the way
		maxEnd  time.Duration // delay allowed at the end
	}{
		{"sender clock 0.1% slow", func(i int) time.Duration { return time.Duration(i) * interval * 1001 / 1000 }, 20000, 5 * time.Millisecond, 5 * time.Millisecond},
		{"sender clock 0.1% fast", func(i int) time.Duration { return time.Duration(i) * interval * 999 / 1000 }, 20000, time.Millisecond, time.Millisecond},
		{"burst at twice real time, then paced", func(i int) time.Duration {
			if i < 500 {
				return time.Duration(i) * interval / 2
			}
			return 250*interval + time.Duration(i-500)*interval
		}, 2000, time.Millisecond, time.Millisecond},
		{"30 ms longer route", func(i int) time.Duration {
			d := time.Duration(i) * interval
			if i >= 1000 {
				d += 30 * time.Millisecond
			}
			return d
		}, 20000, 31 * time.Millisecond, 2 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t0 := time.Unix(1000, 0)
			var m delayModel
			m.max = DefaultMaxDelay
			peak := time.Duration(0)
			for i := range tt.n {
				m.arrival(uint32(i)*uint32(interval/time.Millisecond)*90+0xFFFF0000, t0.Add(tt.arrive(i))) // timestamps wrap early on
				peak = max(peak, m.delay)
			}
			if peak > tt.maxPeak {
				t.Errorf("delay reached %v, want at most %v", peak, tt.maxPeak)
			}
			if m.delay > tt.maxEnd {
				t.Errorf("delay %v at the end, want at most %v", m.delay, tt.maxEnd)
			}
		})
	}
}
