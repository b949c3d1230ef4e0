package live

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/manbang/manbang/player/demux"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/player/rtp"
	"github.com/manbang/manbang/player/source"
)

// The multicast test runs the engine and a box in two network namespaces
// of its own, joined by a veth pair with link-local addresses: multicast
// never leaves them. The test binary re-executes itself inside each
// namespace (ip netns exec) as a helper process, told what to do by
// environment variables.

const (
	helperEnv    = "MANBANG_LIVE_HELPER" // "sender" or "receiver"
	helperStream = "MANBANG_LIVE_STREAM"
	senderIP     = "169.254.77.1"
	receiverIP   = "169.254.77.2"
	rtpGroup     = "239.255.77.1:5000"
	udpGroup     = "239.255.77.2:5002"
)

// helperMain runs a helper process's job when the test binary was
// re-executed as one, and reports whether it was.
func helperMain() bool {
	var err error
	switch os.Getenv(helperEnv) {
	case "sender":
		err = runSender(os.Getenv(helperStream), os.Getenv("MANBANG_LIVE_IFACE"))
	case "receiver":
		err = runReceiver(os.Getenv("MANBANG_LIVE_IFACE"))
	default:
		return false
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
	return true
}

// runSender plays an RTP and a UDP multicast channel until its standard
// input closes, then prints the engine's statistics as JSON.
func runSender(stream, iface string) error {
	e := New(Config{Addr: senderIP + ":0", MulticastInterface: iface, TTL: 1, Logger: quiet})
	for _, ch := range []Channel{
		{ID: "rtp", Source: stream, Group: mustUDPAddr(rtpGroup), Retransmit: true},
		{ID: "udp", Source: stream, Group: mustUDPAddr(udpGroup), Transport: TransportUDP},
	} {
		if err := e.AddChannel(ch); err != nil {
			return err
		}
	}
	if err := e.Start(context.Background()); err != nil {
		return err
	}
	defer e.Close()
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	// The box's last report may still be on its way.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if st := e.Stats(); len(st.Channels) > 0 && len(st.Channels[0].Receivers) > 0 {
			break
		}
		<-time.After(10 * time.Millisecond) // polling
	}
	return json.NewEncoder(os.Stdout).Encode(e.Stats())
}

// receiverResult is what the receiving helper reports.
type receiverResult struct {
	Video            map[string]time.Duration // seconds of video demuxed, by locator scheme
	ContinuityErrors map[string]int
	TTL              int
	Reports          int
	Lost             int
}

// runReceiver plays both multicast channels as a box would, through the
// player's source locators, and prints what it saw as JSON.
func runReceiver(iface string) error {
	res := receiverResult{Video: map[string]time.Duration{}, ContinuityErrors: map[string]int{}}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	// A second socket on the RTP group, to see the datagrams' TTL.
	ttl := make(chan int, 1)
	ifi, err := net.InterfaceByName(iface)
	if err != nil {
		return err
	}
	mc, err := net.ListenMulticastUDP("udp4", ifi, mustUDPAddr(rtpGroup))
	if err != nil {
		return err
	}
	defer mc.Close()
	go func() {
		pc := ipv4.NewPacketConn(mc)
		pc.SetControlMessage(ipv4.FlagTTL, true)
		buf := make([]byte, 2048)
		_, cm, _, err := pc.ReadFrom(buf)
		if err == nil && cm != nil {
			ttl <- cm.TTL
		}
	}()
	for scheme, group := range map[string]string{"rtp": rtpGroup, "udp": udpGroup} {
		loc := fmt.Sprintf("%s://@%s?iface=%s&timeout=10s", scheme, group, iface)
		rc, err := source.Open(ctx, loc, source.Config{})
		if err != nil {
			return err
		}
		d := demux.NewTS(ctx, rc)
		var first, last time.Duration = -1, 0
		for last-first < time.Second || first < 0 {
			p, err := d.Next()
			if err != nil {
				rc.Close()
				return fmt.Errorf("%s: %w", loc, err)
			}
			if p.Stream.Kind == media.KindVideo {
				if first < 0 {
					first = p.PTS
				}
				last = p.PTS
			}
		}
		res.Video[scheme] = last - first
		res.ContinuityErrors[scheme] = d.Stats().ContinuityErrors
		if r, ok := rc.(*rtp.Receiver); ok {
			// Stay until the engine has had a receiver report.
			for r.Stats().ReceiverReports == 0 && ctx.Err() == nil {
				<-time.After(10 * time.Millisecond) // polling
			}
			res.Reports, res.Lost = r.Stats().ReceiverReports, r.Stats().Lost
		}
		rc.Close()
	}
	select {
	case res.TTL = <-ttl:
	case <-ctx.Done():
		return ctx.Err()
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

func mustUDPAddr(s string) *net.UDPAddr {
	a, err := net.ResolveUDPAddr("udp4", s)
	if err != nil {
		panic(err)
	}
	return a
}

// ipCmd runs ip with args, failing the test on error.
func ipCmd(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestMulticastNetns plays multicast RTP and UDP from an engine in one
// network namespace to a box in another.
func TestMulticastNetns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("multicast test needs root to create network namespaces")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("multicast test needs ip (iproute2) to create network namespaces")
	}
	stream := testStream(t)
	id := os.Getpid() % 100000
	nsA, nsB := fmt.Sprintf("mblive-s%d", id), fmt.Sprintf("mblive-r%d", id)
	vA, vB := fmt.Sprintf("mbs%d", id), fmt.Sprintf("mbr%d", id)
	if out, err := exec.Command("ip", "netns", "add", nsA).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", nsA).Run() })
	ipCmd(t, "netns", "add", nsB)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", nsB).Run() })
	// The veth pair is created inside the namespaces: it never exists
	// in the host's.
	ipCmd(t, "link", "add", vA, "netns", nsA, "type", "veth", "peer", "name", vB, "netns", nsB)
	for _, side := range []struct{ ns, dev, ip string }{{nsA, vA, senderIP}, {nsB, vB, receiverIP}} {
		ipCmd(t, "-n", side.ns, "link", "set", "lo", "up")
		ipCmd(t, "-n", side.ns, "addr", "add", side.ip+"/30", "dev", side.dev)
		ipCmd(t, "-n", side.ns, "link", "set", side.dev, "up")
		ipCmd(t, "-n", side.ns, "route", "add", "224.0.0.0/4", "dev", side.dev)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 2*waitLimit)
	defer cancel()
	helper := func(ns, role, iface string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"="+role, helperStream+"="+stream, "MANBANG_LIVE_IFACE="+iface)
		cmd.Stderr = os.Stderr
		return cmd
	}
	sender := helper(nsA, "sender", vA)
	stdin, err := sender.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := sender.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.Start(); err != nil {
		t.Fatal(err)
	}
	defer sender.Wait()
	defer stdin.Close()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("sender did not start: %q %v", lines.Text(), lines.Err())
	}

	out, err := helper(nsB, "receiver", vB).Output()
	if err != nil {
		t.Fatalf("receiver: %v\n%s", err, out)
	}
	var res receiverResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("receiver output: %v\n%s", err, out)
	}
	t.Logf("receiver: %+v", res)
	for _, scheme := range []string{"rtp", "udp"} {
		if res.Video[scheme] < time.Second || res.ContinuityErrors[scheme] != 0 {
			t.Errorf("%s: %v of video, %d continuity errors", scheme, res.Video[scheme], res.ContinuityErrors[scheme])
		}
	}
	if res.TTL != 1 || res.Reports == 0 || res.Lost != 0 {
		t.Errorf("multicast TTL %d, %d reports sent, %d lost; want TTL 1, reports, no loss", res.TTL, res.Reports, res.Lost)
	}

	stdin.Close()
	if !lines.Scan() {
		t.Fatalf("sender statistics: %v", lines.Err())
	}
	var st Stats
	if err := json.Unmarshal(lines.Bytes(), &st); err != nil {
		t.Fatalf("sender statistics: %v\n%s", err, lines.Bytes())
	}
	for _, ch := range st.Channels {
		if ch.Packets == 0 || ch.Dropped != 0 {
			t.Errorf("channel %s: %+v", ch.ID, ch)
		}
		if ch.ID == "rtp" && (len(ch.Receivers) != 1 || !strings.HasPrefix(ch.Receivers[0].Addr, receiverIP+":")) {
			t.Errorf("RTP channel receivers %+v, want the box's reports", ch.Receivers)
		}
	}
}
