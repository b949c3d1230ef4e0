package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"

	"github.com/manbang/manbang/headend"
	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/headend/live"
)

// startLive plays the catalogue's channels with the live engine. Every
// channel is offered by unicast; a channel is also sent to its multicast
// group only when an interface is named (--multicast-iface), so that the
// demo and the tests never send beyond the machine unless asked to.
func startLive(ctx context.Context, store *catalog.Store, mediaDir, iface, addr string, log *slog.Logger) (*live.Engine, error) {
	channels, err := store.Channels(ctx)
	if err != nil {
		return nil, err
	}
	e := live.New(live.Config{Logger: log, MulticastInterface: iface, Addr: addr})
	for _, c := range channels {
		if c.Source == "" {
			continue // a guide-only channel (imported XMLTV): nothing to stream
		}
		if strings.Contains(c.Source, "://") {
			log.Warn("live: channel source is not a file; the engine loops files only", "channel", c.ID, "source", c.Source)
			continue
		}
		ch := live.Channel{ID: c.ID, Source: filepath.Join(mediaDir, filepath.FromSlash(c.Source)), Transport: c.Kind(), Retransmit: c.Kind() == live.TransportRTP}
		if iface != "" && c.Multicast != "" {
			if ch.Group, err = net.ResolveUDPAddr("udp4", c.Multicast); err != nil {
				e.Close()
				return nil, fmt.Errorf("live: channel %s: multicast %q: %w", c.ID, c.Multicast, err)
			}
		}
		if err := e.AddChannel(ch); err != nil {
			e.Close()
			return nil, fmt.Errorf("live: channel %s: %w", c.ID, err)
		}
	}
	if err := e.Start(ctx); err != nil {
		e.Close()
		return nil, fmt.Errorf("live: %w", err)
	}
	return e, nil
}

// liveStreamer adapts the live engine to what the API server needs.
type liveStreamer struct{ e *live.Engine }

func (l liveStreamer) Subscribe(channelID string, dst *net.UDPAddr, fcc bool) (headend.LiveSubscription, error) {
	s, err := l.e.Subscribe(channelID, dst, live.SubscribeOptions{FastChannelChange: fcc})
	if err != nil {
		return nil, err
	}
	return liveSubscription{s}, nil
}

type liveSubscription struct{ s *live.Subscription }

func (l liveSubscription) RTCPAddr() string {
	a := l.s.RTCPAddr()
	if a == nil || a.IP.IsUnspecified() {
		// The engine listens on every address: the box then sends its RTCP
		// back to where the stream comes from, which is right.
		return ""
	}
	return a.String()
}

func (l liveSubscription) Refresh()     { l.s.Refresh() }
func (l liveSubscription) Close() error { return l.s.Close() }
