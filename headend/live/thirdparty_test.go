package live

import (
	"context"
	"encoding/json"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"testing"
)

// freePorts returns a free even loopback port whose successor is free
// too (ffmpeg's RTP input binds both, for RTP and RTCP).
func freePorts(t *testing.T) int {
	t.Helper()
	for range 100 {
		a, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		port := a.LocalAddr().(*net.UDPAddr).Port
		a.Close()
		if port%2 != 0 {
			continue
		}
		b, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port + 1})
		if err != nil {
			continue
		}
		b.Close()
		return port
	}
	t.Fatal("no free port pair")
	return 0
}

// TestThirdPartyReaders plays the engine's RTP and UDP output to ffprobe,
// which must find the channel's video and audio in it.
func TestThirdPartyReaders(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("ffprobe not installed")
	}
	for _, transport := range []string{TransportRTP, TransportUDP} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			e := startEngine(t, Config{}, Channel{Transport: transport})
			port := freePorts(t)
			ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
			defer cancel()
			url := transport + "://127.0.0.1:" + strconv.Itoa(port)
			if transport == TransportUDP {
				url += "?timeout=10000000" // µs
			}
			cmd := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_streams", "-of", "json",
				"-analyzeduration", "1000000", url)
			out := make(chan []byte, 1)
			errc := make(chan error, 1)
			go func() {
				b, err := cmd.Output()
				out <- b
				errc <- err
			}()
			sub, err := e.Subscribe("ch1", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, SubscribeOptions{FastChannelChange: true})
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			b := <-out
			if err := <-errc; err != nil {
				t.Fatalf("ffprobe %s: %v\n%s", url, err, b)
			}
			var probe struct {
				Streams []struct {
					CodecName string `json:"codec_name"`
				} `json:"streams"`
			}
			if err := json.Unmarshal(b, &probe); err != nil {
				t.Fatalf("ffprobe output: %v\n%s", err, b)
			}
			var codecs []string
			for _, s := range probe.Streams {
				codecs = append(codecs, s.CodecName)
			}
			slices.Sort(codecs)
			if !slices.Equal(codecs, []string{"h264", "mp2"}) {
				t.Errorf("ffprobe found %v, want h264 and mp2", codecs)
			}
		})
	}
}
