// Package operator is the box's client of the operator API and the wire
// types that the box and the head-end share.
package operator

import (
	"slices"
	"time"
)

// Text is a string in several languages, keyed by ISO 639-1 code
// ("ko", "en", "ru").
type Text map[string]string

// In returns the text in lang, falling back to English, then Korean, then
// any language the text has.
func (t Text) In(lang string) string {
	for _, l := range []string{lang, "en", "ko", "ru"} {
		if s, ok := t[l]; ok && s != "" {
			return s
		}
	}
	for _, s := range t {
		if s != "" {
			return s
		}
	}
	return ""
}

// Category is a shelf of the video archive (documentaries, news, films...),
// or a group of live channels.
type Category struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
}

// Title is one programme of the video archive: a film, a documentary, or
// one episode of a series.
type Title struct {
	ID          string `json:"id"`
	CategoryID  string `json:"category_id"`
	Name        Text   `json:"name"`
	Description Text   `json:"description,omitempty"`
	Year        int    `json:"year,omitempty"`
	DurationSec int    `json:"duration_sec,omitempty"`
	Language    string `json:"language,omitempty"` // ISO 639-1 of the spoken language
	Rating      string `json:"rating,omitempty"`   // e.g. "ALL", "12", "15", "19"
	PosterURL   string `json:"poster_url,omitempty"`
	// SeriesID names the series of an episode; Season and Episode number
	// it within the series (from 1).
	SeriesID string `json:"series_id,omitempty"`
	Season   int    `json:"season,omitempty"`
	Episode  int    `json:"episode,omitempty"`
}

// Series is a set of titles watched in order. In answers of
// GET /api/v1/series/{id} it lists its episodes by season and number.
type Series struct {
	ID          string  `json:"id"`
	CategoryID  string  `json:"category_id"`
	Name        Text    `json:"name"`
	Description Text    `json:"description,omitempty"`
	PosterURL   string  `json:"poster_url,omitempty"`
	Episodes    []Title `json:"episodes,omitempty"`
}

// CategoryList is the body of GET /api/v1/categories.
type CategoryList struct {
	Categories []Category `json:"categories"`
	Cached
}

// TitlePage is the body of GET /api/v1/titles, /api/v1/search and
// /api/v1/favourites.
type TitlePage struct {
	Titles []Title `json:"titles"`
	Total  int     `json:"total"`
	Offset int     `json:"offset"`
	Cached
}

// Cached says whether an answer comes from the box's catalogue cache
// rather than from the operator just now. It is not part of the JSON.
type Cached struct {
	// Stale is true when the operator could not be asked and the answer
	// is the one the cache kept from FetchedAt.
	Stale bool `json:"-"`
	// FetchedAt is when the operator gave the answer; zero for answers
	// that did not go through a cache.
	FetchedAt time.Time `json:"-"`
}

// Channel is a live TV channel.
type Channel struct {
	ID      string `json:"id"`
	Number  int    `json:"number"` // the number the viewer dials; unique, from 1
	Name    Text   `json:"name"`
	LogoURL string `json:"logo_url,omitempty"`
	// Group is the ID of the channel's group in ChannelList.Groups, if any.
	Group string `json:"group,omitempty"`
	// Rating is the channel's age rating, like a title's ("ALL", "12",
	// "15", "19"); the box asks for the parental PIN above the viewer's
	// limit. Empty is unrated: open to all.
	Rating string `json:"rating,omitempty"`
	// URL is the stream itself, for sources without sessions (third-party
	// playlists); the head-end leaves it out: ask it for a session.
	URL string `json:"url,omitempty"`
	// Catchup, if set, says how past programmes of the channel are played.
	Catchup *Catchup `json:"catchup,omitempty"`
	// Delivery lists how a head-end can send the channel to a box, best
	// first: DeliveryMulticast (a session without rtp_port, joining the
	// channel's group) and DeliveryUnicast (a session with rtp_port). A box
	// asks for a session in a form listed here; an empty list (an older
	// head-end) means multicast, with unicast tried if that is refused.
	Delivery []string `json:"delivery,omitempty"`
}

// Ways a head-end sends a live channel to a box (Channel.Delivery).
const (
	DeliveryMulticast = "multicast"
	DeliveryUnicast   = "unicast"
)

// Offers reports whether the channel lists delivery d.
func (c Channel) Offers(d string) bool { return slices.Contains(c.Delivery, d) }

// Catchup modes of a channel (the M3U catchup attribute).
const (
	CatchupDefault   = "default"   // Source is the whole URL of a past programme, with placeholders
	CatchupAppend    = "append"    // Source, with placeholders, is appended to the channel's URL
	CatchupShift     = "shift"     // the channel's URL gets ?utc=START&lutc=NOW
	CatchupFlussonic = "flussonic" // Flussonic's index-START-DURATION.m3u8 URLs
)

// Catchup describes how to play the past programmes of a channel.
type Catchup struct {
	Mode   string `json:"mode"`             // one of the Catchup* modes
	Source string `json:"source,omitempty"` // URL template of Modes default and append
	Days   int    `json:"days,omitempty"`   // how far back programmes can be played
}

// ChannelList is the body of GET /api/v1/channels: every channel, by
// number, and the groups they belong to.
type ChannelList struct {
	Channels []Channel  `json:"channels"`
	Groups   []Category `json:"groups,omitempty"`
	Cached
}

// Programme is one entry of the electronic programme guide.
type Programme struct {
	ChannelID   string    `json:"channel_id"`
	Start       time.Time `json:"start"`
	Stop        time.Time `json:"stop"`
	Title       Text      `json:"title"`
	Description Text      `json:"description,omitempty"`
}

// Guide is the body of GET /api/v1/epg: the programmes of some channels
// that overlap [From, To), by channel then start.
type Guide struct {
	From       time.Time   `json:"from"`
	To         time.Time   `json:"to"`
	Programmes []Programme `json:"programmes"`
	Cached
}

// PlayRequest is the body of POST /api/v1/sessions: what the viewer wants
// to watch. Exactly one of TitleID and ChannelID is set.
type PlayRequest struct {
	TitleID   string `json:"title_id,omitempty"`
	ChannelID string `json:"channel_id,omitempty"`
	// RTPPort, for a channel, asks for a unicast RTP stream to this UDP
	// port of the box instead of the channel's multicast group.
	RTPPort int `json:"rtp_port,omitempty"`
	// FCC, with RTPPort, asks the head-end to start the unicast stream at
	// the last key frame (fast channel change).
	FCC bool `json:"fcc,omitempty"`
	// Start and Stop, for a channel, ask for a past programme (catch-up).
	Start time.Time `json:"start,omitzero"`
	Stop  time.Time `json:"stop,omitzero"`
}

// Stream kinds of a Session.
const (
	StreamHLS  = "hls"
	StreamRTP  = "rtp"
	StreamUDP  = "udp"
	StreamHTTP = "http" // MPEG-TS over HTTP, as third-party playlists give it
)

// Session is the head-end's answer to a PlayRequest: where the stream is.
type Session struct {
	ID   string `json:"session_id"`
	URL  string `json:"url"`  // absolute: http(s)://... for HLS, rtp://@group:port for live
	Kind string `json:"kind"` // StreamHLS, StreamRTP, StreamUDP or StreamHTTP
	// RTCP is the head-end's RTCP address (host:port) of a unicast RTP
	// session, for receiver reports and retransmission requests.
	RTCP string `json:"rtcp,omitempty"`
	// KeepaliveSec, if not 0, is how often the box must send
	// POST /api/v1/sessions/{id}/keepalive while it plays; the head-end
	// ends the session after three periods without one.
	KeepaliveSec int `json:"keepalive_sec,omitempty"`
}

// DeviceRegistration is the body of POST /api/v1/devices: who the box is.
type DeviceRegistration struct {
	Serial   string `json:"serial"`
	Model    string `json:"model"`
	Firmware string `json:"firmware"`
	// EnrolmentSecret is the operator's secret, if its head-end asks for one.
	EnrolmentSecret string `json:"enrolment_secret,omitempty"`
	// DeviceKey is a random secret the box made on its first boot and
	// keeps in its state directory: registering again with it keeps the
	// box's device (docs/API.md). The head-end keeps only its hash.
	DeviceKey string `json:"device_key,omitempty"`
}

// Device is the head-end's answer to a DeviceRegistration: the token to
// send as "Authorization: Bearer TOKEN" with every other request.
type Device struct {
	ID    string `json:"device_id"`
	Token string `json:"token"`
}

// Resume is where the viewer stopped watching a title, per device: the
// body of GET and PUT /api/v1/resume/{title}.
type Resume struct {
	TitleID     string    `json:"title_id"`
	PositionSec float64   `json:"position_sec"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"` // set by the head-end
}

// Health is the body of GET /healthz.
type Health struct {
	Status   string `json:"status"`
	Titles   int    `json:"titles"`
	Channels int    `json:"channels"`
}

// Error is the JSON body of every 4xx and 5xx answer of the API.
type Error struct {
	Error string `json:"error"`
}
