// Package source turns a stream locator (a URL or a file path) into the
// MPEG-TS bytes of the stream, choosing the transport by the locator's
// scheme: HLS or a plain HTTP body, a local file, or a live channel over
// UDP or RTP, multicast or unicast (packages udp and rtp).
package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/manbang/manbang/player/hls"
)

// ErrNotSupported is returned for locators the player will support but
// does not yet (IPv6 multicast).
var ErrNotSupported = errors.New("not supported yet")

// DefaultRequestTimeout is the RequestTimeout of the zero Config.
const DefaultRequestTimeout = 10 * time.Second

// Config holds the network settings of a source.
type Config struct {
	// Client makes HTTP requests; nil means http.DefaultClient.
	Client *http.Client
	// RequestTimeout bounds the wait for response headers and, after
	// that, for each further piece of a body: a stalled server ends the
	// stream with an error within it. Default 10s.
	RequestTimeout time.Duration
	// RetryTimeout is how long HLS requests and a plain HTTP stream are
	// retried after a network failure (refused, reset, cut, timeout,
	// 5xx), from the first failure in a row, while what is buffered
	// plays; a plain HTTP stream resumes where it was cut with a Range
	// request. The reader's SourceStats().Reconnecting names the failure
	// meanwhile. Default hls.DefaultRetryTimeout (30s); negative means no
	// retries.
	RetryTimeout time.Duration
	// Retries and MaxBandwidth apply to HLS; see hls.Config. Negative
	// Retries turn retries off for plain HTTP too.
	Retries      int
	MaxBandwidth int
	// Interface is the network interface on which udp:// and rtp://
	// locators join their multicast group, unless the locator says
	// (iface=); empty lets the kernel choose by its routes.
	Interface string
}

func (c Config) withDefaults() Config {
	if c.Client == nil {
		c.Client = http.DefaultClient
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	switch {
	case c.Retries < 0:
		c.RetryTimeout = -1
	case c.RetryTimeout == 0:
		c.RetryTimeout = hls.DefaultRetryTimeout
	}
	return c
}

// hlsTypes are the media types of M3U8 playlists (RFC 8216 and common
// variants).
var hlsTypes = map[string]bool{
	"application/vnd.apple.mpegurl": true,
	"application/x-mpegurl":         true,
	"audio/mpegurl":                 true,
	"audio/x-mpegurl":               true,
}

// Open returns the MPEG-TS byte stream at locator:
//
//   - http(s)://…m3u8, or any HTTP URL answering with an HLS media type or
//     a body starting with #EXTM3U: the HLS stream (package hls);
//   - any other http(s) URL: the response body;
//   - file:///path, or a plain path: the file;
//   - udp://@group:port or udp://@:port (udp://127.0.0.1:port): raw
//     MPEG-TS datagrams, from a multicast group joined on the box's
//     interface or sent to a local port (package udp);
//   - rtp://@group:port or rtp://@:port: MPEG-TS over RTP, reordered,
//     with receiver reports and retransmission requests (package rtp).
//
// Live locators take query parameters: iface=eth0 (multicast
// interface), timeout=5s (the stream fails after this long without
// packets), buffer=BYTES (socket receive buffer), and for rtp://
// rtcp=HOST:PORT (the sender's RTCP address; by default the address the
// packets come from) or rtcp=none, latency=150ms (how long a missing
// packet is waited for), nack=0 (never ask for retransmissions) and
// source=HOST or source=HOST:PORT (the sender: datagrams from anywhere
// else are dropped, and a multicast group is joined for that source
// only; by default the host of the first packet).
// The reader of an rtp:// locator reports transport statistics
// (media.StatsSource) and the discontinuities where the sender restarted
// (DiscontinuityBetween, as the HLS reader).
//
// ctx bounds Open and the life of the returned stream.
func Open(ctx context.Context, locator string, cfg Config) (io.ReadCloser, error) {
	cfg = cfg.withDefaults()
	locator = strings.TrimSpace(locator)
	if locator == "" {
		return nil, errors.New("source: empty locator")
	}
	if !strings.Contains(locator, "://") {
		return openFile(locator)
	}
	u, err := url.Parse(locator)
	if err != nil {
		return nil, fmt.Errorf("source: bad locator %q: %w", locator, err)
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "http", "https":
		if isPlaylistPath(u.Path) {
			return openHLS(ctx, locator, cfg)
		}
		return openHTTP(ctx, locator, cfg)
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("source: %s: file URL on another host", locator)
		}
		return openFile(u.Path)
	case "udp", "rtp":
		return openLive(ctx, locator, u, scheme, cfg)
	default:
		return nil, fmt.Errorf("source: unknown scheme %q in %s", u.Scheme, locator)
	}
}

func isPlaylistPath(p string) bool {
	p = strings.ToLower(p)
	return strings.HasSuffix(p, ".m3u8") || strings.HasSuffix(p, ".m3u")
}

func openFile(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	if st, err := f.Stat(); err != nil || st.IsDir() {
		f.Close()
		if err == nil {
			err = errors.New("is a directory")
		}
		return nil, fmt.Errorf("source: %s: %w", path, err)
	}
	return f, nil
}

func openHLS(ctx context.Context, locator string, cfg Config) (io.ReadCloser, error) {
	r, err := hls.Open(ctx, locator, hls.Config{
		Client:         cfg.Client,
		RequestTimeout: cfg.RequestTimeout,
		RetryTimeout:   cfg.RetryTimeout,
		Retries:        cfg.Retries,
		MaxBandwidth:   cfg.MaxBandwidth,
	})
	if err != nil {
		return nil, err // already one line, prefixed "hls:"
	}
	return r, nil
}

// openHTTP requests locator and returns its body, unless the response
// turns out to be an HLS playlist, which is then opened as such (at the
// cost of fetching it twice).
func openHTTP(ctx context.Context, locator string, cfg Config) (io.ReadCloser, error) {
	s, err := get(ctx, locator, cfg)
	if err != nil {
		return nil, err
	}
	mt, _, _ := mime.ParseMediaType(s.contentType)
	head, err := s.br.Peek(len("#EXTM3U"))
	if err != nil && err != io.EOF {
		s.Close()
		return nil, fmt.Errorf("source: read %s: %w", locator, err)
	}
	if hlsTypes[strings.ToLower(mt)] || string(head) == "#EXTM3U" {
		s.Close()
		return openHLS(ctx, locator, cfg)
	}
	return s, nil
}
