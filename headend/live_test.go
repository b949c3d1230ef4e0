package headend

import (
	"errors"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

func TestChannels(t *testing.T) {
	h := startServer(t, Config{})
	var list operator.ChannelList
	h.do(t, "GET", "/api/v1/channels", "").decode(t, 200, &list)
	if len(list.Channels) != 2 || list.Channels[0].ID != "mb-news" || list.Channels[0].Number != 1 ||
		list.Channels[0].Name["ru"] == "" || list.Channels[0].LogoURL != h.url+"/media/live/mb-news/logo.png" ||
		list.Channels[1].Group != "entertainment" || list.Channels[0].URL != "" || list.Channels[0].Rating != "ALL" {
		t.Errorf("channels %+v", list.Channels)
	}
	if len(list.Groups) != 2 || list.Groups[0].ID != "news" {
		t.Errorf("groups %+v", list.Groups)
	}
	logo := h.doToken(t, "", "GET", list.Channels[0].LogoURL, "")
	if logo.status != 200 || logo.header.Get("Content-Type") != "image/png" {
		t.Errorf("logo: %d %q", logo.status, logo.header.Get("Content-Type"))
	}
}

func TestEPG(t *testing.T) {
	h := startServer(t, Config{})
	now := time.Now().Truncate(time.Second)
	q := func(v url.Values) string { return "/api/v1/epg?" + v.Encode() }
	var g operator.Guide
	h.do(t, "GET", q(url.Values{"channel": {"mb-news"}, "from": {now.Format(time.RFC3339)}, "to": {now.Add(3 * time.Hour).Format(time.RFC3339)}}), "").decode(t, 200, &g)
	if len(g.Programmes) < 2 || !g.From.Equal(now) || !g.To.Equal(now.Add(3*time.Hour)) {
		t.Fatalf("guide %+v", g)
	}
	for i, p := range g.Programmes {
		if p.ChannelID != "mb-news" || !p.Stop.After(now) || !p.Start.Before(now.Add(3*time.Hour)) || p.Title["ko"] == "" ||
			(i > 0 && !p.Start.Equal(g.Programmes[i-1].Stop)) {
			t.Errorf("programme %d %+v", i, p)
		}
	}
	// Every channel by default, by number then start; 24 hours from now.
	var all operator.Guide
	h.do(t, "GET", "/api/v1/epg", "").decode(t, 200, &all)
	chans := map[string]bool{}
	for i, p := range all.Programmes {
		chans[p.ChannelID] = true
		if i > 0 && p.ChannelID == all.Programmes[i-1].ChannelID && !p.Start.After(all.Programmes[i-1].Start) {
			t.Errorf("programmes out of order at %d", i)
		}
	}
	if len(chans) != 2 || all.Programmes[0].ChannelID != "mb-news" || all.To.Sub(all.From) != DefaultGuideSpan {
		t.Errorf("whole guide: %d programmes of %v, %v to %v", len(all.Programmes), chans, all.From, all.To)
	}
	var both operator.Guide
	h.do(t, "GET", "/api/v1/epg?channel=mb-news,mb-drama", "").decode(t, 200, &both)
	if len(both.Programmes) != len(all.Programmes) {
		t.Errorf("two channels: %d programmes, all: %d", len(both.Programmes), len(all.Programmes))
	}
	for _, tt := range []struct {
		query  string
		status int
		want   string
	}{
		{"from=yesterday", 400, "RFC 3339"},
		{"to=2026-13-01T00:00:00Z", 400, "RFC 3339"},
		{"from=2026-11-23T00:00:00Z&to=2026-11-22T00:00:00Z", 400, "to must be after from"},
		{"from=2026-11-01T00:00:00Z&to=2026-11-22T00:00:00Z", 400, "apart"},
		{"channel=nope", 404, `unknown channel "nope"`},
	} {
		h.do(t, "GET", "/api/v1/epg?"+tt.query, "").wantError(t, tt.status, tt.want)
	}
}

// fakeLive is a LiveStreamer that sends one datagram to each subscriber,
// so that tests see where the stream would go.
type fakeLive struct {
	mu     sync.Mutex
	subs   []*fakeSub
	fail   error
	conn   *net.UDPConn
	closed chan *fakeSub
}

type fakeSub struct {
	live    *fakeLive
	channel string
	dst     *net.UDPAddr
	fcc     bool
	refresh int  // guarded by live.mu
	closed  bool // guarded by live.mu
}

func (f *fakeLive) Subscribe(channelID string, dst *net.UDPAddr, fcc bool) (LiveSubscription, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s := &fakeSub{live: f, channel: channelID, dst: dst, fcc: fcc}
	f.subs = append(f.subs, s)
	if f.conn != nil {
		f.conn.WriteToUDP([]byte(channelID), dst)
	}
	return s, nil
}

func (s *fakeSub) RTCPAddr() string { return "127.0.0.1:5005" }

func (s *fakeSub) Refresh() {
	s.live.mu.Lock()
	s.refresh++
	s.live.mu.Unlock()
}

func (s *fakeSub) Close() error {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	if s.closed {
		return errors.New("closed twice")
	}
	s.closed = true
	s.live.closed <- s
	return nil
}

// sub returns the i-th subscription.
func (f *fakeLive) sub(i int) *fakeSub {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.subs[i]
}

func TestMulticastSession(t *testing.T) {
	// A head-end that does not send multicast tells boxes to ask for unicast.
	startServer(t, Config{}).do(t, "POST", "/api/v1/sessions", `{"channel_id":"mb-drama"}`).wantError(t, 409, "ask for unicast")
	h := startServer(t, Config{Multicast: true})
	var sess operator.Session
	h.do(t, "POST", "/api/v1/sessions", `{"channel_id":"mb-drama"}`).decode(t, 201, &sess)
	if sess.URL != "rtp://@239.255.42.2:5000" || sess.Kind != operator.StreamRTP || sess.KeepaliveSec != 0 {
		t.Errorf("session %+v", sess)
	}
	if a := h.do(t, "DELETE", "/api/v1/sessions/"+sess.ID, ""); a.status != 204 {
		t.Errorf("DELETE: %d", a.status)
	}
	// Without a live streamer, unicast is not available.
	h.do(t, "POST", "/api/v1/sessions", `{"channel_id":"mb-news","rtp_port":5004}`).wantError(t, 503, "not available")
}

func TestUnicastSession(t *testing.T) {
	box, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	sender, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close()
	live := &fakeLive{conn: sender, closed: make(chan *fakeSub, 16)}
	h := startServer(t, Config{Live: live})
	port := box.LocalAddr().(*net.UDPAddr).Port

	var sess operator.Session
	h.do(t, "POST", "/api/v1/sessions", `{"channel_id":"mb-news","rtp_port":`+strconv.Itoa(port)+`,"fcc":true}`).decode(t, 201, &sess)
	if sess.URL != "rtp://@:"+strconv.Itoa(port) || sess.Kind != operator.StreamRTP || sess.RTCP != "127.0.0.1:5005" ||
		sess.KeepaliveSec != int(KeepaliveEvery.Seconds()) {
		t.Errorf("session %+v", sess)
	}
	// The stream goes to the address the request came from.
	box.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 100)
	n, err := box.Read(buf)
	if err != nil || string(buf[:n]) != "mb-news" {
		t.Fatalf("box got %q, %v", buf[:n], err)
	}
	sub := live.sub(0)
	if !sub.fcc || !sub.dst.IP.IsLoopback() || sub.dst.Port != port {
		t.Errorf("subscription %+v", sub)
	}
	h.do(t, "POST", "/api/v1/sessions/"+sess.ID+"/keepalive", "")
	h.do(t, "POST", "/api/v1/sessions/"+sess.ID+"/keepalive", "")
	live.mu.Lock()
	refreshes := sub.refresh
	live.mu.Unlock()
	if refreshes != 2 {
		t.Errorf("%d refreshes, want 2", refreshes)
	}
	h.do(t, "DELETE", "/api/v1/sessions/"+sess.ID, "")
	if got := <-live.closed; got != sub {
		t.Errorf("closed %+v", got)
	}

	// A box may hold only so many unicast streams.
	for i := range maxLivePerDevice {
		h.do(t, "POST", "/api/v1/sessions", `{"channel_id":"mb-news","rtp_port":`+strconv.Itoa(port+i)+`}`).decode(t, 201, &sess)
	}
	h.do(t, "POST", "/api/v1/sessions", `{"channel_id":"mb-news","rtp_port":`+strconv.Itoa(port)+`}`).wantError(t, 429, "already has")

	// Sessions not kept alive end, and their streams stop.
	h.sessions.mu.Lock()
	for _, ss := range h.sessions.byID {
		ss.seen = ss.seen.Add(-2 * liveSessionTTL)
	}
	h.sessions.mu.Unlock()
	h.expireSessions()
	for range maxLivePerDevice {
		<-live.closed
	}
	if h.sessions.len() != 0 {
		t.Errorf("%d sessions left", h.sessions.len())
	}

	// Close ends the streams still running.
	h.do(t, "POST", "/api/v1/sessions", `{"channel_id":"mb-drama","rtp_port":`+strconv.Itoa(port)+`}`).decode(t, 201, &sess)
	h.Close()
	if got := <-live.closed; got.channel != "mb-drama" {
		t.Errorf("closed %+v", got)
	}
	live.mu.Lock()
	defer live.mu.Unlock()
	for _, s := range live.subs {
		if !s.closed {
			t.Errorf("subscription to %s left open", s.channel)
		}
	}

	live2 := &fakeLive{fail: errors.New("no free slot"), closed: make(chan *fakeSub, 1)}
	h2 := startServer(t, Config{Live: live2})
	h2.do(t, "POST", "/api/v1/sessions", `{"channel_id":"mb-news","rtp_port":5004}`).wantError(t, 503, "no free slot")
}

func TestChannelRating(t *testing.T) {
	store := bigStore(t, 0)
	film := catalogChannel("film", 7)
	film.Rating = "19"
	for _, c := range []catalog.Channel{catalogChannel("open", 1), film} {
		if err := store.PutChannel(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	h := startServer(t, Config{Store: store, MediaDir: t.TempDir()})
	var list operator.ChannelList
	h.do(t, "GET", "/api/v1/channels", "").decode(t, 200, &list)
	if len(list.Channels) != 2 || list.Channels[0].Rating != "" || list.Channels[1].Rating != "19" {
		t.Errorf("channels %+v", list.Channels)
	}
	// The raw answer leaves an unrated channel's rating out.
	raw := h.do(t, "GET", "/api/v1/channels", "")
	if n := strings.Count(string(raw.body), `"rating"`); n != 1 {
		t.Errorf("%d ratings in %s", n, raw.body)
	}
}

func TestChannelWithoutMulticast(t *testing.T) {
	store := bigStore(t, 0)
	store.PutChannel(t.Context(), catalogChannel("solo", 7))
	h := startServer(t, Config{Store: store, MediaDir: t.TempDir(), Multicast: true})
	h.do(t, "POST", "/api/v1/sessions", `{"channel_id":"solo"}`).wantError(t, 409, "not sent to a multicast group")
}

// TestChannelDelivery checks that the channel list names the ways this
// head-end sends each channel, so a box asks for a session it can have.
func TestChannelDelivery(t *testing.T) {
	live := &fakeLive{closed: make(chan *fakeSub, 1)}
	cases := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"neither", Config{}, nil},
		{"unicast only, as make run starts it", Config{Live: live}, []string{operator.DeliveryUnicast}},
		{"multicast only", Config{Multicast: true}, []string{operator.DeliveryMulticast}},
		{"both", Config{Multicast: true, Live: live}, []string{operator.DeliveryMulticast, operator.DeliveryUnicast}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := startServer(t, c.cfg)
			var l operator.ChannelList
			h.do(t, "GET", "/api/v1/channels", "").decode(t, 200, &l)
			if len(l.Channels) == 0 {
				t.Fatal("no channels")
			}
			for _, ch := range l.Channels {
				if !slices.Equal(ch.Delivery, c.want) {
					t.Errorf("channel %s: delivery %q, want %q", ch.ID, ch.Delivery, c.want)
				}
			}
		})
	}
}
