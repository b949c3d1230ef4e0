package headend

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/headend/epg"
	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/m3u"
	"github.com/manbang/manbang/operator/xmltv"
)

func TestPlaylistExport(t *testing.T) {
	h := startServer(t, Config{})
	a := h.doToken(t, "", "GET", "/playlist.m3u", "")
	if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "audio/x-mpegurl") {
		t.Fatalf("%d %q", a.status, a.header.Get("Content-Type"))
	}
	r := m3u.NewReader(bytes.NewReader(a.body))
	var entries []m3u.Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	if r.Skipped() != 0 || r.Header()["url-tvg"] != h.url+"/epg.xml" || len(entries) != 2 {
		t.Fatalf("playlist (%d skipped, header %v):\n%s", r.Skipped(), r.Header(), a.body)
	}
	e := entries[0]
	want := map[string]string{
		"tvg-id": "mb-news", "tvg-name": "만방 뉴스 24", "tvg-chno": "1", "group-title": "뉴스",
		"tvg-logo": h.url + "/media/live/mb-news/logo.png", "tvg-rating": "ALL",
	}
	for k, v := range want {
		if e.Attrs[k] != v {
			t.Errorf("%s = %q, want %q", k, e.Attrs[k], v)
		}
	}
	if e.Name != "만방 뉴스 24" || e.URL != "rtp://@239.255.42.1:5000" || e.Duration != -1 {
		t.Errorf("entry %+v", e)
	}
	en := h.doToken(t, "", "GET", "/playlist.m3u?lang=en", "")
	if !bytes.Contains(en.body, []byte(",Manbang News 24\n")) {
		t.Errorf("English playlist:\n%s", en.body)
	}
}

func TestXMLTVExport(t *testing.T) {
	h := startServer(t, Config{})
	a := h.doToken(t, "", "GET", "/epg.xml", "")
	if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "application/xml") {
		t.Fatalf("%d %q", a.status, a.header.Get("Content-Type"))
	}
	r := xmltv.NewReader(bytes.NewReader(a.body))
	chans := map[string]xmltv.Channel{}
	progs := map[string]int{}
	now := time.Now()
	var first, last time.Time
	for {
		el, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if el.Channel != nil {
			chans[el.Channel.ID] = *el.Channel
			continue
		}
		p := el.Programme
		if _, ok := chans[p.Channel]; !ok {
			t.Fatalf("programme of %q before its channel", p.Channel)
		}
		progs[p.Channel]++
		if len(p.Titles) != 3 || p.Stop.IsZero() {
			t.Errorf("programme %+v", p)
		}
		if first.IsZero() || p.Start.Before(first) {
			first = p.Start
		}
		if p.Stop.After(last) {
			last = p.Stop
		}
	}
	if r.Skipped() != 0 || len(chans) != 2 || progs["mb-news"] < 20 || progs["mb-drama"] < 20 {
		t.Fatalf("%d channels, programmes %v, problems %q", len(chans), progs, r.Problems())
	}
	if c := chans["mb-news"]; len(c.Names) != 3 || c.Icon != h.url+"/media/live/mb-news/logo.png" {
		t.Errorf("channel %+v", c)
	}
	if first.After(now.Add(-20*time.Hour)) || last.Before(now.Add(20*time.Hour)) {
		t.Errorf("guide spans %v to %v", first, last)
	}
	// A range of an hour.
	from := now.Truncate(time.Hour)
	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {from.Add(time.Hour).Format(time.RFC3339)}}
	one := h.doToken(t, "", "GET", "/epg.xml?"+q.Encode(), "")
	if n := bytes.Count(one.body, []byte("<programme ")); n < 2 || n > 6 {
		t.Errorf("an hour of 2 channels: %d programmes", n)
	}
	h.doToken(t, "", "GET", "/epg.xml?from=x", "").wantError(t, 400, "RFC 3339")
}

// TestXMLTVRoundTrip imports the guide the head-end exports into another
// catalogue with the same channels: every programme comes back.
func TestXMLTVRoundTrip(t *testing.T) {
	h := startServer(t, Config{})
	from := time.Now().Truncate(time.Hour)
	to := from.Add(12 * time.Hour)
	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}
	a := h.doToken(t, "", "GET", "/epg.xml?"+q.Encode(), "")
	other, err := catalog.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	chans, _ := h.store.Channels(t.Context())
	for _, c := range chans {
		c.Group = ""
		if err := other.PutChannel(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	st, err := epg.Import(t.Context(), other, bytes.NewReader(a.body), epg.Options{})
	if err != nil || st.Skipped != 0 || st.Channels != 2 {
		t.Fatalf("import: %+v, %v", st, err)
	}
	list := func(s *catalog.Store) []string {
		var out []string
		s.Programmes(t.Context(), nil, from, to, func(p operator.Programme) bool {
			out = append(out, fmt.Sprint(p.ChannelID, p.Start.Unix(), p.Stop.Unix(), p.Title, p.Description))
			return true
		})
		return out
	}
	want, got := list(h.store), list(other)
	if len(want) < 10 || !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n%q\nwant\n%q", got, want)
	}
}
