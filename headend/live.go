package headend

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

// LiveStreamer starts unicast RTP streams of live channels, for boxes that
// cannot join the channels' multicast groups (the live engine of the
// head-end implements it).
type LiveStreamer interface {
	// Subscribe starts sending the channel as RTP (MPEG-TS payload) to
	// dst. With fcc (fast channel change) the stream starts at the last
	// key frame rather than the next one. The stream goes on until the
	// subscription is closed.
	Subscribe(channelID string, dst *net.UDPAddr, fcc bool) (LiveSubscription, error)
}

// LiveSubscription is one unicast stream started by a LiveStreamer.
type LiveSubscription interface {
	// RTCPAddr is the host:port at which the streamer takes the box's
	// RTCP (receiver reports, retransmission requests), or "".
	RTCPAddr() string
	// Refresh tells the streamer that the box still watches: the head-end
	// calls it on each keep-alive of the session.
	Refresh()
	// Close stops the stream.
	Close() error
}

func (s *Server) getChannels(w http.ResponseWriter, r *http.Request) {
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
	list := operator.ChannelList{Channels: make([]operator.Channel, len(chans)), Groups: groups}
	for i, c := range chans {
		list.Channels[i] = s.publicChannel(r, c)
	}
	writeCached(w, r, list)
}

// publicChannel is a channel as the box sees it.
func (s *Server) publicChannel(r *http.Request, c catalog.Channel) operator.Channel {
	oc := c.Channel
	oc.LogoURL = s.mediaURL(r, oc.LogoURL)
	if c.Multicast != "" && s.mcast {
		oc.Delivery = append(oc.Delivery, operator.DeliveryMulticast)
	}
	if s.live != nil {
		oc.Delivery = append(oc.Delivery, operator.DeliveryUnicast)
	}
	return oc
}

// Limits of GET /api/v1/epg.
const (
	DefaultGuideSpan = 24 * time.Hour     // from from to to when the request gives no to
	MaxGuideSpan     = 7 * 24 * time.Hour // longer spans are refused
)

func (s *Server) getEPG(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := time.Now()
	from, to := now, time.Time{}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeError(w, http.StatusBadRequest, "%s must be an RFC 3339 time such as 2026-11-23T20:00:00+09:00, not %q", p.name, v)
				return
			}
			*p.t = t
		}
	}
	if to.IsZero() {
		to = from.Add(DefaultGuideSpan)
	}
	switch {
	case !to.After(from):
		writeError(w, http.StatusBadRequest, "to must be after from")
		return
	case to.Sub(from) > MaxGuideSpan:
		writeError(w, http.StatusBadRequest, "from and to are more than %v apart", MaxGuideSpan)
		return
	}
	var ids []string
	for _, v := range q["channel"] {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) > 1000 {
		writeError(w, http.StatusBadRequest, "more than 1000 channels")
		return
	}
	for _, id := range ids {
		if _, err := s.store.Channel(r.Context(), id); err != nil {
			s.storeError(w, err, "unknown channel %q", id)
			return
		}
	}
	g := operator.Guide{From: from.UTC(), To: to.UTC(), Programmes: []operator.Programme{}}
	err := s.store.Programmes(r.Context(), ids, from, to, func(p operator.Programme) bool {
		g.Programmes = append(g.Programmes, p)
		return true
	})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "guide: %v", err)
		return
	}
	writeCached(w, r, g)
}
