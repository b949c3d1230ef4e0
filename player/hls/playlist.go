package hls

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/grafov/m3u8"
)

// ErrNotPlaylist is returned for a body that is not an M3U8 playlist.
var ErrNotPlaylist = errors.New("not an HLS playlist")

// defaultTarget stands in for a missing or nonsensical target duration.
const defaultTarget = 10 * time.Second

// mediaPlaylist is a media playlist reduced to what the reader needs.
type mediaPlaylist struct {
	firstSeq uint64 // media sequence number of segments[0]
	target   time.Duration
	ended    bool // EXT-X-ENDLIST: no more segments will be added
	segments []segment
}

// lastSeq returns the sequence number after the last segment.
func (p *mediaPlaylist) endSeq() uint64 { return p.firstSeq + uint64(len(p.segments)) }

// segment is one media segment of a playlist.
type segment struct {
	seq           uint64
	uri           string // absolute
	byteRange     byteRange
	discontinuity bool // preceded by EXT-X-DISCONTINUITY
}

// variant is one entry of a master playlist.
type variant struct {
	uri       string // absolute
	bandwidth int    // bits per second
}

// parsePlaylist parses an M3U8 body fetched from base. It returns either a
// media playlist or the variants of a master playlist. Streams this client
// cannot play (encrypted, fMP4) are reported as errors here, so that they
// fail when opened.
func parsePlaylist(body []byte, base *url.URL) (*mediaPlaylist, []variant, error) {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")), " \t\r\n")
	if !bytes.HasPrefix(trimmed, []byte("#EXTM3U")) {
		return nil, nil, ErrNotPlaylist
	}
	pl, kind, err := decode(trimmed)
	if err != nil {
		return nil, nil, fmt.Errorf("parse playlist: %w", err)
	}
	switch kind {
	case m3u8.MASTER:
		vs, err := variants(pl.(*m3u8.MasterPlaylist), base)
		return nil, vs, err
	case m3u8.MEDIA:
		mp, err := media(pl.(*m3u8.MediaPlaylist), base)
		return mp, nil, err
	}
	return nil, nil, errors.New("parse playlist: neither a master nor a media playlist")
}

// decode runs grafov/m3u8, whose decoder is not written for hostile input:
// a panic in it is reported as a parse error rather than crashing the
// player.
func decode(b []byte) (pl m3u8.Playlist, kind m3u8.ListType, err error) {
	defer func() {
		if r := recover(); r != nil {
			pl, err = nil, fmt.Errorf("m3u8 decoder panic: %v", r)
		}
	}()
	return m3u8.Decode(*bytes.NewBuffer(b), false)
}

func variants(m *m3u8.MasterPlaylist, base *url.URL) ([]variant, error) {
	var out []variant
	for _, v := range m.Variants {
		if v == nil || v.Iframe || v.URI == "" {
			continue
		}
		u, err := resolve(base, v.URI)
		if err != nil {
			return nil, err
		}
		out = append(out, variant{uri: u, bandwidth: int(v.Bandwidth)})
	}
	if len(out) == 0 {
		return nil, errors.New("master playlist lists no variants")
	}
	return out, nil
}

func media(p *m3u8.MediaPlaylist, base *url.URL) (*mediaPlaylist, error) {
	if p.Map != nil {
		return nil, errors.New("fragmented MP4 segments (EXT-X-MAP) not supported")
	}
	if encrypted(p.Key) {
		return nil, fmt.Errorf("encrypted segments (%s) not supported", p.Key.Method)
	}
	out := &mediaPlaylist{
		firstSeq: p.SeqNo,
		target:   time.Duration(p.TargetDuration * float64(time.Second)),
		ended:    p.Closed,
	}
	if out.target <= 0 || out.target > time.Hour {
		out.target = defaultTarget
	}
	n := int(p.Count())
	if n > len(p.Segments) {
		n = len(p.Segments)
	}
	for i, s := range p.Segments[:n] {
		if s == nil {
			break
		}
		if s.Map != nil {
			return nil, errors.New("fragmented MP4 segments (EXT-X-MAP) not supported")
		}
		if encrypted(s.Key) {
			return nil, fmt.Errorf("encrypted segments (%s) not supported", s.Key.Method)
		}
		u, err := resolve(base, s.URI)
		if err != nil {
			return nil, err
		}
		seg := segment{seq: p.SeqNo + uint64(i), uri: u, discontinuity: s.Discontinuity}
		if s.Limit > 0 && s.Offset >= 0 {
			seg.byteRange = byteRange{offset: s.Offset, length: s.Limit}
		}
		out.segments = append(out.segments, seg)
	}
	return out, nil
}

func encrypted(k *m3u8.Key) bool {
	return k != nil && k.Method != "" && !strings.EqualFold(k.Method, "NONE")
}

// resolve makes ref absolute against base and checks it is HTTP(S).
func resolve(base *url.URL, ref string) (string, error) {
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", fmt.Errorf("bad URI %q in playlist", ref)
	}
	u := base.ResolveReference(r)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("unsupported URI %q in playlist", ref)
	}
	return u.String(), nil
}

// chooseVariant picks the variant to play: the highest bandwidth not above
// maxBandwidth, or the lowest if none fits; with maxBandwidth 0, simply the
// highest. It is the one place to grow adaptive switching from.
func chooseVariant(vs []variant, maxBandwidth int) variant {
	best, lowest := -1, 0
	for i, v := range vs {
		if v.bandwidth < vs[lowest].bandwidth {
			lowest = i
		}
		if maxBandwidth > 0 && v.bandwidth > maxBandwidth {
			continue
		}
		if best < 0 || v.bandwidth > vs[best].bandwidth {
			best = i
		}
	}
	if best < 0 {
		best = lowest
	}
	return vs[best]
}
