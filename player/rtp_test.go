package player

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/media"
)

// rtpClip is 2 s of 320x180 H.264 and AAC at 30 fps, 1 s GOP, in MPEG-TS.
func rtpClip(t *testing.T) (path string, frames int) {
	return makeTS(t, "rtp.ts", join(
		[]string{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=2"},
		[]string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2"},
		[]string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:v", "600k"},
	)...), 60
}

// sendRTP sends the TS file to addr as RTP (seven TS packets a datagram,
// payload type 33, a 90 kHz timestamp of the send time) at twice real
// time, as a fast channel change burst is sent, each datagram delayed by
// a random part of jitter (the first by most of it). It returns once every datagram is sent.
func sendRTP(t *testing.T, file string, addr *net.UDPAddr, dur time.Duration, jitter time.Duration, seed uint64) {
	t.Helper()
	ts, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialUDP("udp4", nil, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const per = 7 * 188
	n := (len(ts) + per - 1) / per
	interval := dur / 2 / time.Duration(n)
	rng := rand.New(rand.NewPCG(seed, 1))
	var wg sync.WaitGroup
	tick := time.NewTicker(max(interval, time.Millisecond))
	defer tick.Stop()
	start := time.Now()
	for i := range n {
		payload := ts[i*per : min(len(ts), (i+1)*per)]
		pkt := make([]byte, 12, 12+len(payload))
		pkt[0], pkt[1] = 0x80, 33
		binary.BigEndian.PutUint16(pkt[2:], uint16(1000+i))
		binary.BigEndian.PutUint32(pkt[4:], uint32(time.Since(start)*90000/time.Second))
		binary.BigEndian.PutUint32(pkt[8:], 0x5eed)
		pkt = append(pkt, payload...)
		var d time.Duration
		switch {
		case jitter > 0 && i == 0:
			d = jitter * 4 / 5 // the first sent comes late: the worst start
		case jitter > 0:
			d = time.Duration(rng.Int64N(int64(jitter)))
		}
		wg.Add(1)
		time.AfterFunc(d, func() {
			defer wg.Done()
			conn.Write(pkt)
		})
		if time.Duration(i+1)*interval > time.Since(start) {
			<-tick.C
		}
	}
	wg.Wait()
}

// TestRTPJitter plays a live RTP stream sent over loopback through
// network jitter: the jitter buffer must put every packet back in order
// in time, so that every frame decodes, and must start with the first
// packet sent even when a later one arrives first.
func TestRTPJitter(t *testing.T) {
	file, frames := rtpClip(t)
	for i, jitter := range []time.Duration{0, 50 * time.Millisecond} {
		t.Run(fmt.Sprint(jitter), func(t *testing.T) {
			addr := freeUDPAddr(t)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			p, err := Open(ctx, fmt.Sprintf("rtp://%s?rtcp=none&timeout=2s", addr), Options{Audio: audio.NewSilent(nil)})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			sendRTP(t, file, addr, 2*time.Second, jitter, uint64(i+1))
			st := waitStats(t, p, 30*time.Second, func(s Stats) bool { return s.VideoFrames >= frames-1 }) // the last frame stays in the decoder until the stream ends
			if st.DecodeErrors != 0 || st.ContinuityErrors != 0 || st.PacketsLost != 0 {
				t.Errorf("jitter %v: %d decode errors, %d continuity errors, %d packets lost; want none", jitter, st.DecodeErrors, st.ContinuityErrors, st.PacketsLost)
			}
		})
	}
}

// waitStats polls the player's statistics until ok says so, failing the
// test at the deadline or when playback ends first.
func waitStats(t *testing.T, p *Player, deadline time.Duration, ok func(Stats) bool) Stats {
	t.Helper()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		st := p.Stats()
		if ok(st) {
			return st
		}
		select {
		case <-tick.C:
		case <-p.Done():
			if st := p.Stats(); ok(st) {
				return st
			}
			t.Fatalf("playback ended (%v) before the condition: %+v", p.Err(), p.Stats())
		case <-timer.C:
			t.Fatalf("condition not met within %v: %+v", deadline, p.Stats())
		}
	}
}

// joinClip is 4 s of 320x180 H.264 and AAC at 30 fps with a 3 s GOP, in
// MPEG-TS: joined after its first keyframe, the next is seconds away, as
// on a live channel changed to without fast channel change.
func joinClip(t *testing.T) string {
	return makeTS(t, "join.ts", join(
		[]string{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=4"},
		[]string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4"},
		[]string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "90", "-keyint_min", "90", "-sc_threshold", "0",
			"-pix_fmt", "yuv420p", "-c:a", "aac", "-b:v", "400k"},
	)...)
}

// firstPTS records the presentation time of the first video frame
// presented and of the first audio frame written.
type firstPTS struct {
	*audio.Silent
	mu           sync.Mutex
	video, audio time.Duration
	hasV, hasA   bool
}

func (f *firstPTS) Present(v *media.VideoFrame) {
	f.mu.Lock()
	if !f.hasV {
		f.video, f.hasV = v.PTS, true
	}
	f.mu.Unlock()
	v.Release()
}

func (f *firstPTS) Write(ctx context.Context, a *media.AudioFrame) error {
	f.mu.Lock()
	if !f.hasA {
		f.audio, f.hasA = a.PTS, true
	}
	f.mu.Unlock()
	return f.Silent.Write(ctx, a)
}

// TestRTPJoinMidGOP joins a live RTP stream in the middle of a GOP,
// longer than audio waits for a picture: the player must wait for the
// keyframe without feeding the decoder the pictures before it (no decode
// errors), and sound must start with the first picture rather than with
// the audio received before it, which would hold every picture back by
// the wait.
func TestRTPJoinMidGOP(t *testing.T) {
	file := joinClip(t)
	ts, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// Join a quarter in: after the first keyframe, well before the
	// second, at a datagram boundary.
	const per = 7 * 188
	cut := len(ts) / 4 / per * per
	joined := filepath.Join(t.TempDir(), "joined.ts")
	if err := os.WriteFile(joined, ts[cut:], 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeUDPAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rec := &firstPTS{Silent: audio.NewSilent(nil)}
	p, err := Open(ctx, fmt.Sprintf("rtp://%s?rtcp=none&timeout=2s", addr), Options{Audio: rec, Video: rec})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// In real time (sendRTP sends at twice the rate it is given).
	sendRTP(t, joined, addr, 6*time.Second, 0, 1)
	st := waitStats(t, p, 30*time.Second, func(s Stats) bool { return s.PresentedFrames > 0 && s.AudioMS > 0 })
	if st.DecodeErrors != 0 {
		t.Errorf("%d decode errors joining mid-GOP; want none (pictures before the keyframe are not decoded)", st.DecodeErrors)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	// An AAC frame lasts 21 ms: the first heard is the one that covers
	// the first picture, or the next.
	if d := rec.audio - rec.video; d < -30*time.Millisecond || d > 100*time.Millisecond {
		t.Errorf("first audio at %v, first picture at %v: sound starts %v from the picture; want with it", rec.audio, rec.video, d)
	}
}

// freeUDPAddr returns a loopback UDP address that was free a moment ago,
// for the player to listen on.
func freeUDPAddr(t *testing.T) *net.UDPAddr {
	t.Helper()
	l, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.LocalAddr().(*net.UDPAddr)
}
