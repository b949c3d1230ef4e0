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

// maxSegmentDuration bounds an EXTINF value; longer ones are taken as the
// target duration, so that a hostile playlist cannot overflow sums.
const maxSegmentDuration = time.Hour

// mediaPlaylist is a media playlist reduced to what the reader needs.
type mediaPlaylist struct {
	firstSeq uint64 // media sequence number of segments[0]
	target   time.Duration
	ended    bool // EXT-X-ENDLIST: no more segments will be added
	segments []segment
}

// endSeq returns the sequence number after the last segment.
func (p *mediaPlaylist) endSeq() uint64 { return p.firstSeq + uint64(len(p.segments)) }

// index returns the position in segments of the first segment numbered
// seq or later, and false when there is none.
func (p *mediaPlaylist) index(seq uint64) (int, bool) {
	if seq < p.firstSeq {
		return 0, len(p.segments) > 0
	}
	if i := seq - p.firstSeq; i < uint64(len(p.segments)) {
		return int(i), true
	}
	return 0, false
}

// duration returns the sum of the segment durations.
func (p *mediaPlaylist) duration() time.Duration {
	var d time.Duration
	for _, s := range p.segments {
		d += s.duration
	}
	return d
}

// segmentAt returns the index of the segment playing at t from the start
// of the playlist, and the time that segment starts at. t past the end
// gives the last segment.
func (p *mediaPlaylist) segmentAt(t time.Duration) (int, time.Duration) {
	var start time.Duration
	for i, s := range p.segments {
		if t < start+s.duration || i == len(p.segments)-1 {
			return i, start
		}
		start += s.duration
	}
	return 0, 0
}

// segment is one media segment of a playlist.
type segment struct {
	seq           uint64
	uri           string // absolute
	duration      time.Duration
	byteRange     byteRange
	discontinuity bool // preceded by EXT-X-DISCONTINUITY
	key           *key // nil when the segment is in the clear
}

// variant is one entry of a master playlist.
type variant struct {
	uri        string // absolute
	bandwidth  int    // bits per second
	resolution string // "WxH" as announced, if any
	audio      string // GROUP-ID of its audio renditions, if any
	audioOnly  bool   // CODECS lists audio codecs only, and no RESOLUTION
}

// videoCodecs are the CODECS prefixes (RFC 6381) of video formats.
var videoCodecs = []string{"avc1", "avc3", "hvc1", "hev1", "mp4v", "vp09", "av01", "dvh1", "dvhe"}

// isAudioOnly reports whether a variant with these CODECS and RESOLUTION
// attributes carries no video. Without CODECS nothing is known, and the
// variant is taken to have video.
func isAudioOnly(codecs, resolution string) bool {
	if codecs == "" || resolution != "" {
		return false
	}
	for _, c := range strings.Split(codecs, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		for _, v := range videoCodecs {
			if strings.HasPrefix(c, v) {
				return false
			}
		}
	}
	return true
}

// master is a master playlist reduced to what the reader needs.
type master struct {
	variants   []variant
	renditions []Rendition // of TYPE=AUDIO
}

// Rendition is an alternative audio rendition (EXT-X-MEDIA TYPE=AUDIO) of
// the variants of a master playlist: a dubbed language, a commentary.
type Rendition struct {
	GroupID  string
	Name     string
	Language string // as in the playlist: RFC 5646, such as "ko", "kor" or "en-US"
	Default  bool
	// URI is the rendition's media playlist (absolute); empty when the
	// rendition is carried in the variant's own stream.
	URI string
}

// parsePlaylist parses an M3U8 body fetched from base. It returns either a
// media playlist or a master playlist. Streams this client cannot play
// (SAMPLE-AES, fMP4) are reported as errors here, so that they fail when
// opened.
func parsePlaylist(body []byte, base *url.URL) (*mediaPlaylist, *master, error) {
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
		m, err := parseMaster(pl.(*m3u8.MasterPlaylist), base)
		return nil, m, err
	case m3u8.MEDIA:
		mp, err := parseMedia(pl.(*m3u8.MediaPlaylist), base)
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

func parseMaster(m *m3u8.MasterPlaylist, base *url.URL) (*master, error) {
	out := &master{}
	seen := map[*m3u8.Alternative]bool{}
	for _, v := range m.Variants {
		if v == nil || v.Iframe || v.URI == "" {
			continue
		}
		u, err := resolve(base, v.URI)
		if err != nil {
			return nil, err
		}
		out.variants = append(out.variants, variant{uri: u, bandwidth: int(v.Bandwidth),
			resolution: v.Resolution, audio: v.Audio, audioOnly: isAudioOnly(v.Codecs, v.Resolution)})
		for _, a := range v.Alternatives {
			if a == nil || seen[a] || !strings.EqualFold(a.Type, "AUDIO") {
				continue
			}
			seen[a] = true
			r := Rendition{GroupID: a.GroupId, Name: a.Name, Language: a.Language, Default: a.Default}
			if a.URI != "" {
				if r.URI, err = resolve(base, a.URI); err != nil {
					return nil, err
				}
			}
			out.renditions = append(out.renditions, r)
		}
	}
	if len(out.variants) == 0 {
		return nil, errors.New("master playlist lists no variants")
	}
	return out, nil
}

func parseMedia(p *m3u8.MediaPlaylist, base *url.URL) (*mediaPlaylist, error) {
	if p.Map != nil {
		return nil, errors.New("fragmented MP4 segments (EXT-X-MAP) not supported")
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
	var k *key // EXT-X-KEY applies to every segment after it
	for i, s := range p.Segments[:n] {
		if s == nil {
			break
		}
		if s.Map != nil {
			return nil, errors.New("fragmented MP4 segments (EXT-X-MAP) not supported")
		}
		if s.Key != nil {
			var err error
			if k, err = parseKey(s.Key, base); err != nil {
				return nil, err
			}
		}
		u, err := resolve(base, s.URI)
		if err != nil {
			return nil, err
		}
		seg := segment{seq: p.SeqNo + uint64(i), uri: u, discontinuity: s.Discontinuity, key: k}
		seg.duration = time.Duration(s.Duration * float64(time.Second))
		if seg.duration <= 0 || seg.duration > maxSegmentDuration {
			seg.duration = out.target
		}
		if s.Limit > 0 && s.Offset >= 0 {
			seg.byteRange = byteRange{offset: s.Offset, length: s.Limit}
		}
		out.segments = append(out.segments, seg)
	}
	return out, nil
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

// chooseVariant picks the variant to start with: the highest bandwidth not
// above maxBandwidth, or the lowest if none fits; with maxBandwidth 0,
// simply the highest. Variants with video are preferred to audio-only
// ones. It returns an index into vs.
func chooseVariant(vs []variant, maxBandwidth int) int {
	video := false
	for _, v := range vs {
		video = video || !v.audioOnly
	}
	best, lowest := -1, -1
	for i, v := range vs {
		if video && v.audioOnly {
			continue
		}
		if lowest < 0 || v.bandwidth < vs[lowest].bandwidth {
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
	return best
}
