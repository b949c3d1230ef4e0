//go:build faults

package faults

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// TestNACKReflection asks the real head-end for a unicast live session,
// then sends NACKs of that channel to the head-end's RTCP address from a
// socket that never subscribed (issue 21, finding 1: one such NACK got 99
// packets, 130 KB back): the stranger must get nothing, while the
// subscriber's own NACK is still answered.
func TestNACKReflection(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	h := startHeadend(t, addr, t.TempDir(), 4, "--demo-channels", "1")

	token := reflectRegister(t, h.URL)
	var chans struct {
		Channels []struct {
			ID string `json:"id"`
		} `json:"channels"`
	}
	reflectAPI(t, h.URL, "GET", "/api/v1/channels", token, nil, &chans)
	if len(chans.Channels) == 0 {
		t.Fatal("the demo head-end has no channel")
	}
	sub, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var sess struct {
		RTCP string `json:"rtcp"`
	}
	reflectAPI(t, h.URL, "POST", "/api/v1/sessions", token,
		map[string]any{"channel_id": chans.Channels[0].ID, "rtp_port": sub.LocalAddr().(*net.UDPAddr).Port}, &sess)
	time.Sleep(2 * time.Second) // some history to ask for
	ssrc, seq, engine := reflectLatest(t, sub)
	if sess.RTCP != "" { // else RTCP goes where the stream comes from
		if engine, err = net.ResolveUDPAddr("udp4", sess.RTCP); err != nil {
			t.Fatal(err)
		}
	}

	stranger, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		if stranger, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
			t.Fatal(err)
		}
	}
	defer stranger.Close()
	nacks := 50
	if testing.Short() {
		nacks = 20
	}
	sentBytes := 0
	for range nacks {
		b := reflectNACK(t, ssrc, seq-100, 100)
		if _, err := stranger.WriteToUDP(b, engine); err != nil {
			t.Fatal(err)
		}
		sentBytes += len(b)
	}
	back, backBytes := reflectCount(stranger, 2*time.Second, 0)

	// The subscriber's own NACK of 20 packets is answered.
	if _, err := sub.WriteToUDP(reflectNACK(t, ssrc, seq-20, 20), engine); err != nil {
		t.Fatal(err)
	}
	rtx, _ := reflectCount(sub, 2*time.Second, ssrc)
	ok := back == 0 && rtx > 0
	detail := fmt.Sprintf("%d NACKs (%d bytes) of 100 packets each from %s, which never subscribed: %d datagrams, %d bytes back (%d bytes per NACK from a stranger); the subscriber's NACK of 20: %d retransmissions",
		nacks, sentBytes, stranger.LocalAddr(), back, backBytes, backBytes/nacks, rtx)
	report.add("security", "NACK from a stranger (reflection)", verdict(ok), detail)
	t.Log(detail)
	if !ok {
		t.Error(detail)
	}
}

// reflectRegister registers a box and returns its token.
func reflectRegister(t *testing.T, base string) string {
	t.Helper()
	var dev struct {
		Token string `json:"token"`
	}
	reflectAPI(t, base, "POST", "/api/v1/devices", "", map[string]string{"serial": "faults-reflect", "model": "manbang-faults", "firmware": "0.0.0"}, &dev)
	return dev.Token
}

// reflectAPI makes one API request and decodes its 2xx answer into out.
func reflectAPI(t *testing.T, base, method, path, token string, body, out any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s %s", method, path, resp.Status, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
}

// reflectLatest reads the stream's RTP at conn until its queue is empty
// and returns the SSRC, the last sequence number and the sender.
func reflectLatest(t *testing.T, conn *net.UDPConn) (ssrc uint32, seq uint16, from *net.UDPAddr) {
	t.Helper()
	buf := make([]byte, 64<<10)
	got := false
	for {
		wait := 5 * time.Second
		if got {
			wait = 2 * time.Millisecond
		}
		conn.SetReadDeadline(time.Now().Add(wait))
		n, a, err := conn.ReadFromUDP(buf)
		if err != nil {
			if !got {
				t.Fatalf("no stream at the subscriber: %v", err)
			}
			return ssrc, seq, from
		}
		if n >= 12 && buf[0]>>6 == 2 && buf[1]&0x7f == 33 {
			ssrc, seq, from, got = binary.BigEndian.Uint32(buf[8:]), binary.BigEndian.Uint16(buf[2:]), a, true
		}
	}
}

// reflectCount counts the datagrams reaching conn for d, and their
// bytes: all of them with media 0, else only RTP whose SSRC is not media
// (the retransmissions).
func reflectCount(conn *net.UDPConn, d time.Duration, media uint32) (n, bytes int) {
	buf := make([]byte, 64<<10)
	conn.SetReadDeadline(time.Now().Add(d))
	for {
		k, err := conn.Read(buf)
		if err != nil {
			return n, bytes
		}
		if media != 0 && (k < 12 || buf[0]>>6 != 2 || buf[1] >= 192 && buf[1] <= 223 || binary.BigEndian.Uint32(buf[8:]) == media) {
			continue
		}
		n++
		bytes += k
	}
}

// reflectNACK is a NACK of the channel ssrc for n sequence numbers from
// first.
func reflectNACK(t *testing.T, ssrc uint32, first uint16, n int) []byte {
	t.Helper()
	var pairs []rtcp.NackPair
	for i := 0; i < n; i += 17 {
		p := rtcp.NackPair{PacketID: first + uint16(i)}
		for b := 1; b <= 16 && i+b < n; b++ {
			p.LostPackets |= 1 << (b - 1)
		}
		pairs = append(pairs, p)
	}
	b, err := rtcp.Marshal([]rtcp.Packet{&rtcp.TransportLayerNack{SenderSSRC: 7, MediaSSRC: ssrc, Nacks: pairs}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
