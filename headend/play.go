package headend

import (
	"errors"
	"io/fs"
	"net"
	"net/http"
	"path"
	"strconv"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

func (s *Server) postSession(w http.ResponseWriter, r *http.Request) {
	var req operator.PlayRequest
	if !readBody(w, r, "play request", &req) {
		return
	}
	switch {
	case req.TitleID == "" && req.ChannelID == "":
		writeError(w, http.StatusBadRequest, "bad play request: neither title_id nor channel_id")
	case req.TitleID != "" && req.ChannelID != "":
		writeError(w, http.StatusBadRequest, "bad play request: both title_id and channel_id")
	case req.RTPPort < 0 || req.RTPPort > 65535:
		writeError(w, http.StatusBadRequest, "bad play request: rtp_port %d is not a UDP port", req.RTPPort)
	case req.TitleID != "" && (req.RTPPort != 0 || !req.Start.IsZero() || !req.Stop.IsZero()):
		writeError(w, http.StatusBadRequest, "bad play request: rtp_port, start and stop are for channels")
	case req.TitleID != "":
		s.playTitle(w, r, req)
	default:
		s.playChannel(w, r, req)
	}
}

// playTitle starts a VOD session.
func (s *Server) playTitle(w http.ResponseWriter, r *http.Request, req operator.PlayRequest) {
	t, err := s.store.Title(r.Context(), req.TitleID)
	if err != nil {
		s.storeError(w, err, "unknown title %q", req.TitleID)
		return
	}
	playlist := path.Join(t.ID, catalog.PlaylistName)
	if _, err := s.media.Stat(playlist); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			writeError(w, http.StatusNotFound, "stream missing for title %q", t.ID)
		} else {
			writeError(w, http.StatusInternalServerError, "stream of title %q: %v", t.ID, err)
		}
		return
	}
	ss := &session{device: deviceOf(r), kind: operator.StreamHLS, titleID: t.ID, ttl: vodSessionTTL}
	sess := operator.Session{ID: s.sessions.add(ss), URL: s.mediaURL(r, playlist), Kind: operator.StreamHLS}
	w.Header().Set("Location", "/api/v1/sessions/"+sess.ID)
	writeJSON(w, http.StatusCreated, sess)
}

// playChannel starts a live session: on the channel's multicast group,
// or as a unicast stream to the box when it gives an RTP port.
func (s *Server) playChannel(w http.ResponseWriter, r *http.Request, req operator.PlayRequest) {
	c, err := s.store.Channel(r.Context(), req.ChannelID)
	if err != nil {
		s.storeError(w, err, "unknown channel %q", req.ChannelID)
		return
	}
	if !req.Start.IsZero() || !req.Stop.IsZero() {
		writeError(w, http.StatusNotFound, "channel %q has no catch-up on this head-end", c.ID)
		return
	}
	device := deviceOf(r)
	if req.RTPPort == 0 {
		if c.Multicast == "" || !s.mcast {
			writeError(w, http.StatusConflict, "channel %q is not sent to a multicast group here: ask for unicast with rtp_port", c.ID)
			return
		}
		ss := &session{device: device, kind: c.Kind(), channelID: c.ID, ttl: vodSessionTTL}
		sess := operator.Session{ID: s.sessions.add(ss), URL: c.Locator(), Kind: ss.kind}
		w.Header().Set("Location", "/api/v1/sessions/"+sess.ID)
		writeJSON(w, http.StatusCreated, sess)
		return
	}
	if s.live == nil {
		writeError(w, http.StatusServiceUnavailable, "unicast live streaming is not available on this head-end")
		return
	}
	if s.sessions.unicastOf(device) >= maxLivePerDevice {
		writeError(w, http.StatusTooManyRequests, "this box already has %d unicast live sessions: end one first", maxLivePerDevice)
		return
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	if err != nil || ip == nil {
		writeError(w, http.StatusBadRequest, "cannot stream to remote address %q", r.RemoteAddr)
		return
	}
	dst := &net.UDPAddr{IP: ip, Port: req.RTPPort}
	sub, err := s.live.Subscribe(c.ID, dst, req.FCC)
	if err != nil {
		s.log.Warn("live subscribe", "channel", c.ID, "dst", dst.String(), "err", err)
		writeError(w, http.StatusServiceUnavailable, "live stream of channel %q: %v", c.ID, err)
		return
	}
	ss := &session{device: device, kind: operator.StreamRTP, channelID: c.ID, ttl: liveSessionTTL, sub: sub}
	sess := operator.Session{
		ID:           s.sessions.add(ss),
		URL:          "rtp://@:" + strconv.Itoa(req.RTPPort),
		Kind:         operator.StreamRTP,
		RTCP:         sub.RTCPAddr(),
		KeepaliveSec: int(KeepaliveEvery.Seconds()),
	}
	s.log.Info("unicast live session", "session", sess.ID, "device", device, "channel", c.ID, "dst", dst.String(), "fcc", req.FCC)
	w.Header().Set("Location", "/api/v1/sessions/"+sess.ID)
	writeJSON(w, http.StatusCreated, sess)
}

func (s *Server) postKeepalive(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.sessions.keepalive(id, deviceOf(r)) {
		writeError(w, http.StatusNotFound, "unknown session %q", id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ss := s.sessions.remove(id, deviceOf(r))
	if ss == nil {
		writeError(w, http.StatusNotFound, "unknown session %q", id)
		return
	}
	if ss.sub != nil {
		if err := ss.sub.Close(); err != nil {
			s.log.Warn("close live stream", "session", id, "err", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
