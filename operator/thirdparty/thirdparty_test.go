package thirdparty

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ulikunitz/xz"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/guide"
	"github.com/manbang/manbang/operator/m3u"
)

const playlistText = `#EXTM3U url-tvg="%[1]s/guide.xml.xz" catchup="shift" catchup-days="3"
#EXTINF:-1 tvg-id="kbs1.kr" tvg-name="KBS 1TV" tvg-logo="%[1]s/kbs.png" group-title="News" tvg-chno="9",KBS 1TV
http://127.0.0.1:9/kbs1/index.m3u8
#EXTINF:-1 tvg-id="mbc.kr" tvg-rating="15" group-title="Drama;Extra" catchup="append" catchup-source="?utc={utc}&lutc={lutc}" catchup-days="7",MBC
http://127.0.0.1:9/mbc.ts
#EXTINF:-1 tvg-chno="9" group-title="News" catchup="none",Local multicast
rtp://@239.255.42.7:5000
#EXTINF:-1,Broken entry
this is not a url
#EXTINF:-1 tvg-id="kbs1.kr",Duplicate id
udp://@239.255.42.8:1234
`

// source serves a playlist (gzip) and a guide (xz) on 127.0.0.1. The guide
// has n programmes per channel from an hour ago; its second half is
// written once gate is closed, if gate is not nil.
type source struct {
	ts      *httptest.Server
	guide   []byte // xz
	guideGz []byte // the same, gzip: it streams at a finer grain than xz
	gate    chan struct{}
}

func newSource(t *testing.T, n int, gate chan struct{}) *source {
	t.Helper()
	s := &source{gate: gate}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.ts.Close)
	var g strings.Builder
	g.WriteString("<tv>\n")
	start := time.Now().Add(-time.Hour).Truncate(time.Minute)
	for _, ch := range []string{"kbs1.kr", "mbc.kr", "Local multicast"} {
		for i := range n {
			from := start.Add(time.Duration(i) * 30 * time.Minute)
			fmt.Fprintf(&g, `<programme start="%s" stop="%s" channel="%s"><title lang="ko">%s %d</title></programme>`+"\n",
				from.Format("20060102150405 -0700"), from.Add(30*time.Minute).Format("20060102150405 -0700"), ch, ch, i)
		}
	}
	g.WriteString("</tv>\n")
	var b, gz bytes.Buffer
	zw, _ := xz.NewWriter(&b)
	io.WriteString(zw, g.String())
	zw.Close()
	s.guide = b.Bytes()
	gw := gzip.NewWriter(&gz)
	io.WriteString(gw, g.String())
	gw.Close()
	s.guideGz = gz.Bytes()
	return s
}

func (s *source) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/playlist.m3u.gz":
		zw := gzip.NewWriter(w)
		fmt.Fprintf(zw, playlistText, s.ts.URL)
		zw.Close()
	case "/guide.xml.xz":
		w.Write(s.guide)
	case "/guide.xml.gz":
		if s.gate == nil {
			w.Write(s.guideGz)
			return
		}
		half := len(s.guideGz) / 2
		w.Write(s.guideGz[:half])
		w.(http.Flusher).Flush()
		select {
		case <-s.gate:
		case <-r.Context().Done():
			return
		}
		w.Write(s.guideGz[half:])
	case "/html":
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><html>login</html>")
	default:
		http.NotFound(w, r)
	}
}

func newTestSource(t *testing.T, cfg Config) *Source {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestChannels(t *testing.T) {
	src := newSource(t, 4, nil)
	s := newTestSource(t, Config{PlaylistURL: src.ts.URL + "/playlist.m3u.gz", Lang: "en"})
	ctx := context.Background()
	l, err := s.Channels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range l.Channels {
		got = append(got, fmt.Sprintf("%d %s %s %s", c.Number, c.ID, c.Name["en"], c.Group))
	}
	want := []string{"1 mbc.kr MBC g2", "2 ch2 Local multicast g1", "3 kbs1.kr#3 Duplicate id ", "9 kbs1.kr KBS 1TV g1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("channels\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(l.Groups) != 2 || l.Groups[0].Name["en"] != "News" || l.Groups[1].Name["en"] != "Drama" {
		t.Errorf("groups %+v", l.Groups)
	}
	kbs := l.Channels[3]
	if kbs.LogoURL != src.ts.URL+"/kbs.png" || kbs.URL != "http://127.0.0.1:9/kbs1/index.m3u8" ||
		kbs.Catchup == nil || *kbs.Catchup != (operator.Catchup{Mode: "shift", Days: 3}) {
		t.Errorf("KBS %+v %+v", kbs, kbs.Catchup)
	}
	if l.Channels[0].Rating != "15" || kbs.Rating != "" {
		t.Errorf("ratings %q %q, want 15 and none", l.Channels[0].Rating, kbs.Rating)
	}
	if c := l.Channels[0].Catchup; c == nil || c.Mode != "append" || c.Days != 7 {
		t.Errorf("MBC catch-up %+v", c)
	}
	if l.Channels[1].Catchup != nil {
		t.Errorf("catchup=none: %+v", l.Channels[1].Catchup)
	}
	cats, _ := s.Categories(ctx)
	page, err := s.Titles(ctx, "g1", 0, 0)
	if err != nil || len(cats.Categories) != 2 || page.Total != 2 || page.Titles[1].ID != "kbs1.kr" || page.Titles[1].PosterURL != kbs.LogoURL {
		t.Errorf("categories %+v, titles %+v, %v", cats, page, err)
	}
	if all, _ := s.Titles(ctx, "", 1, 2); all.Total != 4 || len(all.Titles) != 2 {
		t.Errorf("all titles %+v", all)
	}

	for _, tt := range []struct {
		req  operator.PlayRequest
		url  string
		kind string
	}{
		{operator.PlayRequest{ChannelID: "kbs1.kr"}, "http://127.0.0.1:9/kbs1/index.m3u8", operator.StreamHLS},
		{operator.PlayRequest{TitleID: "mbc.kr"}, "http://127.0.0.1:9/mbc.ts", operator.StreamHTTP},
		{operator.PlayRequest{ChannelID: "ch2"}, "rtp://@239.255.42.7:5000", operator.StreamRTP},
		{operator.PlayRequest{ChannelID: "kbs1.kr#3"}, "udp://@239.255.42.8:1234", operator.StreamUDP},
	} {
		sess, err := s.StartSession(ctx, tt.req)
		if err != nil || sess.URL != tt.url || sess.Kind != tt.kind || sess.ID == "" {
			t.Errorf("StartSession(%+v) = %+v, %v", tt.req, sess, err)
		}
	}
	// Catch-up of a programme two hours ago.
	start := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	sess, err := s.StartSession(ctx, operator.PlayRequest{ChannelID: "mbc.kr", Start: start, Stop: start.Add(time.Hour)})
	if want := fmt.Sprintf("http://127.0.0.1:9/mbc.ts?utc=%d&lutc=", start.Unix()); err != nil || !strings.HasPrefix(sess.URL, want) {
		t.Errorf("catch-up session %+v, %v; want %s...", sess, err, want)
	}
	if _, err := s.StartSession(ctx, operator.PlayRequest{ChannelID: "ch2", Start: start}); err == nil {
		t.Error("catch-up of a channel without: no error")
	}
	if _, err := s.StartSession(ctx, operator.PlayRequest{ChannelID: "nope"}); err == nil {
		t.Error("unknown channel: no error")
	}
	if err := s.EndSession(ctx, sess.ID); err != nil {
		t.Error(err)
	}
}

func TestGuideWhileLoading(t *testing.T) {
	gate := make(chan struct{})
	src := newSource(t, 5000, gate)
	progress := make(chan guide.Stats, 100)
	s := newTestSource(t, Config{PlaylistURL: src.ts.URL + "/playlist.m3u.gz", GuideURL: src.ts.URL + "/guide.xml.gz", GuideProgress: func(st guide.Stats) {
		select {
		case progress <- st:
		default:
		}
	}})
	ctx := context.Background()
	if err := s.LoadGuide(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.LoadGuide(ctx); err != nil {
		t.Errorf("second LoadGuide while loading: %v", err)
	}
	// Half the guide is in: a batch is indexed, and the rest waits.
	select {
	case <-progress:
	case <-time.After(time.Minute):
		t.Fatal("no guide batch within a minute")
	}
	if st := s.GuideStatus(); !st.Loading {
		t.Errorf("status %+v while loading", st)
	}
	// Live TV works meanwhile.
	if sess, err := s.StartSession(ctx, operator.PlayRequest{ChannelID: "kbs1.kr"}); err != nil || sess.URL == "" {
		t.Errorf("StartSession while loading: %+v, %v", sess, err)
	}
	now := time.Now()
	g, err := s.Guide(ctx, []string{"kbs1.kr"}, now.Add(-30*time.Minute), now.Add(time.Hour))
	if err != nil || len(g.Programmes) == 0 || g.Programmes[0].ChannelID != "kbs1.kr" {
		t.Errorf("Guide while loading: %d programmes, %v", len(g.Programmes), err)
	}
	close(gate)
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := s.WaitGuide(wctx); err != nil {
		t.Fatal(err)
	}
	if st := s.GuideStatus(); st.Loading || st.Done.IsZero() || st.Err != nil {
		t.Errorf("status %+v after loading", st)
	}
	// Every channel of the playlist gets its programmes, by guide id or name.
	g, err = s.Guide(ctx, nil, now, now.Add(time.Hour))
	per := map[string]int{}
	for _, p := range g.Programmes {
		per[p.ChannelID]++
	}
	if err != nil || per["kbs1.kr"] < 2 || per["mbc.kr"] < 2 || per["ch2"] < 2 || per["kbs1.kr#3"] < 2 {
		t.Errorf("whole guide: %v, %v", per, err)
	}
	if g, _ := s.Guide(ctx, []string{"nope"}, now, now.Add(time.Hour)); len(g.Programmes) != 0 {
		t.Errorf("unknown channel: %+v", g)
	}
}

// TestGuideFromPlaylist loads the xz guide the playlist names.
func TestGuideFromPlaylist(t *testing.T) {
	src := newSource(t, 10, nil)
	s := newTestSource(t, Config{PlaylistURL: src.ts.URL + "/playlist.m3u.gz"})
	ctx := context.Background()
	if err := s.LoadGuide(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitGuide(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	g, err := s.Guide(ctx, []string{"mbc.kr"}, now, now.Add(time.Hour))
	if err != nil || len(g.Programmes) < 2 || g.Programmes[0].Title["ko"] == "" {
		t.Errorf("guide %+v, %v", g, err)
	}
}

func TestCloseStopsImport(t *testing.T) {
	gate := make(chan struct{}) // never closed: the guide never ends
	src := newSource(t, 3000, gate)
	s, err := New(Config{PlaylistURL: src.ts.URL + "/playlist.m3u.gz", GuideURL: src.ts.URL + "/guide.xml.gz", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadGuide(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if st := s.GuideStatus(); st.Loading || st.Err == nil {
		t.Errorf("status after Close: %+v", st)
	}
}

func TestBadSources(t *testing.T) {
	src := newSource(t, 1, nil)
	ctx := context.Background()
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{PlaylistURL: src.ts.URL + "/html"}, m3u.ErrNotM3U.Error()},
		{Config{PlaylistURL: src.ts.URL + "/nope"}, "404"},
		{Config{PlaylistURL: src.ts.URL + "/playlist.m3u.gz", MaxPlaylist: 100}, "more than"},
		{Config{PlaylistURL: "http://127.0.0.1:1/playlist.m3u"}, "connection refused"},
	} {
		s := newTestSource(t, tt.cfg)
		if _, err := s.Channels(ctx); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.cfg.PlaylistURL, err, tt.want)
		}
	}
	if _, err := New(Config{PlaylistURL: "file:///etc/passwd"}); err == nil {
		t.Error("file URL: no error")
	}
	// A guide that is not one: the import fails, live TV still works.
	s := newTestSource(t, Config{PlaylistURL: src.ts.URL + "/playlist.m3u.gz", GuideURL: src.ts.URL + "/html"})
	if err := s.LoadGuide(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitGuide(ctx); err == nil || !strings.Contains(err.Error(), "xmltv") {
		t.Errorf("HTML guide: %v", err)
	}
	if _, err := s.Channels(ctx); err != nil {
		t.Errorf("channels after a bad guide: %v", err)
	}
	// No guide at all.
	var b bytes.Buffer
	b.WriteString("#EXTM3U\n#EXTINF:-1,A\nhttp://127.0.0.1:9/a.ts\n")
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(b.Bytes()) }))
	defer ts.Close()
	s = newTestSource(t, Config{PlaylistURL: ts.URL})
	if err := s.LoadGuide(ctx); !errors.Is(err, ErrNoGuide) {
		t.Errorf("no guide: %v", err)
	}
}
