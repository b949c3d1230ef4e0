package headend

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/m3u"
	"github.com/manbang/manbang/operator/xmltv"
)

// Span of GET /epg.xml without from and to: yesterday to the day after
// tomorrow.
const (
	xmltvBefore = 24 * time.Hour
	xmltvAfter  = 48 * time.Hour
)

// getPlaylist exports the channels that have a multicast group as an
// extended M3U playlist, for Kodi's IPTV Simple Client, VLC or mpv.
func (s *Server) getPlaylist(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = "ko"
	}
	chans, err := s.store.Channels(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "channels: %v", err)
		return
	}
	groups, err := s.store.Groups(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "channels: %v", err)
		return
	}
	groupName := map[string]string{}
	for _, g := range groups {
		groupName[g.ID] = g.Name.In(lang)
	}
	w.Header().Set("Content-Type", "audio/x-mpegurl; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	pw := m3u.NewWriter(w)
	pw.WriteHeader(map[string]string{"url-tvg": s.baseURL(r) + "/epg.xml"})
	for _, c := range chans {
		if c.Multicast == "" {
			continue // only playable through a session of the API
		}
		attrs := map[string]string{
			"tvg-id":   c.ID,
			"tvg-name": c.Name.In(lang),
			"tvg-chno": strconv.Itoa(c.Number),
		}
		if logo := s.mediaURL(r, c.LogoURL); logo != "" {
			attrs["tvg-logo"] = logo
		}
		if c.Rating != "" {
			attrs["tvg-rating"] = c.Rating
		}
		if g := groupName[c.Group]; g != "" {
			attrs["group-title"] = g
		}
		if err := pw.Write(m3u.Entry{Name: c.Name.In(lang), Duration: -1, Attrs: attrs, URL: c.Locator()}); err != nil {
			s.log.Warn("playlist export", "channel", c.ID, "err", err)
		}
	}
	pw.Flush()
}

// getXMLTV exports the channels and their programmes as an XMLTV guide.
func (s *Server) getXMLTV(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := time.Now()
	from, to := now.Add(-xmltvBefore), now.Add(xmltvAfter)
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeError(w, http.StatusBadRequest, "%s must be an RFC 3339 time, not %q", p.name, v)
				return
			}
			*p.t = t
		}
	}
	if !to.After(from) || to.Sub(from) > 2*MaxGuideSpan {
		writeError(w, http.StatusBadRequest, "from and to must be in order and at most %v apart", 2*MaxGuideSpan)
		return
	}
	chans, err := s.store.Channels(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "channels: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	xw := xmltv.NewWriter(w, "manbang-headend")
	for _, c := range chans {
		xc := xmltv.Channel{ID: c.ID, Names: texts(c.Name), Icon: s.mediaURL(r, c.LogoURL)}
		if err := xw.WriteChannel(xc); err != nil {
			return // the box went away
		}
	}
	// One channel at a time, so that no query stays open while a slow
	// reader takes the guide.
	for _, c := range chans {
		var progs []operator.Programme
		err := s.store.Programmes(r.Context(), []string{c.ID}, from, to, func(p operator.Programme) bool {
			progs = append(progs, p)
			return true
		})
		if err != nil {
			s.log.Warn("guide export", "channel", c.ID, "err", err)
			break
		}
		for _, p := range progs {
			xp := xmltv.Programme{
				Channel: p.ChannelID,
				Start:   p.Start.In(time.Local),
				Stop:    p.Stop.In(time.Local),
				Titles:  texts(p.Title),
				Descs:   texts(p.Description),
			}
			if err := xw.WriteProgramme(xp); err != nil {
				return
			}
		}
	}
	xw.Close()
}

// texts is t as XMLTV texts, in a stable order of languages.
func texts(t operator.Text) []xmltv.Text {
	var out []xmltv.Text
	for _, lang := range slices.Sorted(maps.Keys(t)) {
		if t[lang] != "" {
			out = append(out, xmltv.Text{Lang: lang, Value: t[lang]})
		}
	}
	return out
}
