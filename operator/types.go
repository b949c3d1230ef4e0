// Package operator is the box's client of the operator API and the wire
// types that the box and the head-end share.
package operator

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

// Category is a shelf of the video archive (documentaries, news, films...).
type Category struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
}

// Title is one programme of the video archive.
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
}

// CategoryList is the body of GET /api/v1/categories.
type CategoryList struct {
	Categories []Category `json:"categories"`
}

// TitlePage is the body of GET /api/v1/titles.
type TitlePage struct {
	Titles []Title `json:"titles"`
	Total  int     `json:"total"`
	Offset int     `json:"offset"`
}

// PlayRequest is the body of POST /api/v1/sessions: what the viewer wants
// to watch. Exactly one of TitleID and ChannelID is set.
type PlayRequest struct {
	TitleID   string `json:"title_id,omitempty"`
	ChannelID string `json:"channel_id,omitempty"`
}

// Stream kinds of a Session.
const (
	StreamHLS = "hls"
	StreamRTP = "rtp"
	StreamUDP = "udp"
)

// Session is the head-end's answer to a PlayRequest: where the stream is.
type Session struct {
	ID   string `json:"session_id"`
	URL  string `json:"url"`  // absolute: http(s)://... for HLS, rtp://@group:port for live
	Kind string `json:"kind"` // StreamHLS, StreamRTP or StreamUDP
}

// Error is the JSON body of every 4xx and 5xx answer of the API.
type Error struct {
	Error string `json:"error"`
}
