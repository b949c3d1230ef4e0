package operator

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Channels returns the live channels, by number, and their groups.
func (c *Client) Channels(ctx context.Context) (ChannelList, error) {
	var l ChannelList
	if err := c.do(ctx, "GET", "/api/v1/channels", nil, nil, &l); err != nil {
		return ChannelList{}, err
	}
	if l.Channels == nil {
		l.Channels = []Channel{}
	}
	return l, nil
}

// Guide returns the programmes of the given channels (all if none) that
// overlap [from, to). The head-end refuses spans over 7 days.
func (c *Client) Guide(ctx context.Context, channelIDs []string, from, to time.Time) (Guide, error) {
	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}
	if len(channelIDs) > 0 {
		q.Set("channel", strings.Join(channelIDs, ","))
	}
	var g Guide
	if err := c.do(ctx, "GET", "/api/v1/epg", q, nil, &g); err != nil {
		return Guide{}, err
	}
	if g.Programmes == nil {
		g.Programmes = []Programme{}
	}
	return g, nil
}

// StartSession asks the head-end for the stream of a title or channel.
// Like every request it is retried after a 5xx or network error, so the
// head-end may be left with a session the box never heard of; it forgets
// such sessions after a while.
func (c *Client) StartSession(ctx context.Context, req PlayRequest) (Session, error) {
	var s Session
	if err := c.do(ctx, "POST", "/api/v1/sessions", nil, req, &s); err != nil {
		return Session{}, err
	}
	if err := s.check(); err != nil {
		return Session{}, c.malformed("POST", "/api/v1/sessions", err)
	}
	return s, nil
}

// check reports what makes s unusable.
func (s Session) check() error {
	switch s.Kind {
	case StreamHLS, StreamRTP, StreamUDP, StreamHTTP:
	default:
		return fmt.Errorf("session of unknown kind %q", s.Kind)
	}
	if s.ID == "" {
		return errors.New("session without session_id")
	}
	if u, err := url.Parse(s.URL); err != nil || !u.IsAbs() {
		return fmt.Errorf("session url %q is not absolute", s.URL)
	}
	if s.KeepaliveSec < 0 {
		return fmt.Errorf("negative keepalive_sec %d", s.KeepaliveSec)
	}
	return nil
}

// Keepalive tells the head-end that the box still plays a session; boxes
// send it every Session.KeepaliveSec seconds when that is not 0.
func (c *Client) Keepalive(ctx context.Context, id string) error {
	return c.do(ctx, "POST", "/api/v1/sessions/"+url.PathEscape(id)+"/keepalive", nil, nil, nil)
}

// EndSession tells the head-end that the box stopped playing a session.
func (c *Client) EndSession(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/sessions/"+url.PathEscape(id), nil, nil, nil)
}
