package live

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkSubscribers feeds one channel to N unicast subscribers on
// loopback, each a socket drained by its own goroutine, and reports how
// late datagrams leave against the time their PCR says (over every
// destination: the last subscriber of a fan-out waits for all before it).
// One iteration is one datagram of the stream, to all N.
func BenchmarkSubscribers(b *testing.B) {
	stream := testStream(b)
	for _, n := range []int{1, 100, 500} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			e := New(Config{Addr: "127.0.0.1:0", SubscriberTimeout: time.Hour, Logger: quiet})
			if err := e.AddChannel(Channel{ID: "ch1", Source: stream}); err != nil {
				b.Fatal(err)
			}
			var wg sync.WaitGroup
			var conns []*net.UDPConn
			defer func() {
				e.Close()
				for _, c := range conns {
					c.Close()
				}
				wg.Wait()
			}()
			for range n {
				c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
				if err != nil {
					b.Fatal(err)
				}
				conns = append(conns, c)
				wg.Add(1)
				go func() {
					defer wg.Done()
					buf := make([]byte, 2048)
					for {
						if _, _, err := c.ReadFromUDP(buf); err != nil {
							return
						}
					}
				}()
				if _, err := e.Subscribe("ch1", c.LocalAddr().(*net.UDPAddr), SubscribeOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			if err := e.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for e.Stats().Channels[0].Packets < uint64(b.N) {
				<-tick.C
			}
			el := time.Since(start)
			b.StopTimer()
			st := e.Stats().Channels[0]
			b.ReportMetric(float64(st.Pacing.P50)/float64(time.Millisecond), "pacing-p50-ms")
			b.ReportMetric(float64(st.Pacing.P99)/float64(time.Millisecond), "pacing-p99-ms")
			b.ReportMetric(float64(st.Pacing.Max)/float64(time.Millisecond), "pacing-max-ms")
			b.ReportMetric(float64(st.Sends)/el.Seconds(), "sends/s")
			if st.Dropped > 0 {
				b.ReportMetric(float64(st.Dropped), "dropped")
			}
		})
	}
}
