// Package thirdparty makes a third-party IPTV source, an extended M3U
// playlist and an XMLTV guide on the web, work as the box's operator
// (operator.Service): the playlist's channels become the channels, its
// groups the categories, the guide is indexed on disk (package guide)
// on a goroutine, and channels with catch-up play their past programmes
// (package catchup).
package thirdparty

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/guide"
	"github.com/manbang/manbang/operator/unpack"
)

// Defaults and limits of Config.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxPlaylist  = 32 << 20 // bytes of a playlist, decompressed
	DefaultGuideTimeout = 10 * time.Minute
	MaxChannels         = 20000
)

// Config configures a Source.
type Config struct {
	// PlaylistURL is the extended M3U playlist (it may be gzip or xz
	// compressed). Required.
	PlaylistURL string
	// GuideURL is the XMLTV guide (it may be gzip or xz compressed).
	// Default: the playlist's url-tvg or x-tvg-url attribute, if any.
	GuideURL string
	// GuideDB is the file of the guide index, kept between runs. Default:
	// a temporary file, deleted by Close.
	GuideDB string
	// HTTP fetches the playlist and the guide. Default http.DefaultClient.
	HTTP *http.Client
	// Timeout bounds the download of the playlist; default DefaultTimeout.
	Timeout time.Duration
	// GuideTimeout bounds the download and import of the guide; default
	// DefaultGuideTimeout.
	GuideTimeout time.Duration
	// MaxPlaylist bounds the playlist's size; default DefaultMaxPlaylist.
	MaxPlaylist int64
	// Lang is the language of names (playlists do not say); default "ko".
	Lang string
	// Logger gets what was skipped. Default slog.Default().
	Logger *slog.Logger
	// GuideProgress, if set, is called as the guide import goes.
	GuideProgress func(guide.Stats)
}

// Source is a third-party playlist and guide as an operator.Service. It is
// safe for concurrent use; Close releases it.
type Source struct {
	cfg   Config
	http  *http.Client
	log   *slog.Logger
	index *guide.Index
	now   func() time.Time

	mu       sync.Mutex
	list     *playlist // the last playlist loaded
	guideURL string

	guideMu    sync.Mutex
	importing  bool
	importDone chan struct{} // closed when the last import started ends
	guideErr   error
	guideDone  time.Time
	cancel     context.CancelFunc
	wg         sync.WaitGroup
}

var _ operator.Service = (*Source)(nil)

// New returns a source of cfg. It fetches nothing yet.
func New(cfg Config) (*Source, error) {
	if !strings.HasPrefix(cfg.PlaylistURL, "http://") && !strings.HasPrefix(cfg.PlaylistURL, "https://") {
		return nil, fmt.Errorf("thirdparty: playlist URL %q is not an http(s) URL", cfg.PlaylistURL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.GuideTimeout <= 0 {
		cfg.GuideTimeout = DefaultGuideTimeout
	}
	if cfg.MaxPlaylist <= 0 {
		cfg.MaxPlaylist = DefaultMaxPlaylist
	}
	if cfg.Lang == "" {
		cfg.Lang = "ko"
	}
	s := &Source{cfg: cfg, http: cfg.HTTP, log: cfg.Logger, now: time.Now, guideURL: cfg.GuideURL}
	if s.http == nil {
		s.http = http.DefaultClient
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	index, err := guide.Open(cfg.GuideDB)
	if err != nil {
		return nil, fmt.Errorf("thirdparty: %w", err)
	}
	s.index = index
	return s, nil
}

// Close stops a guide import under way and closes the guide index.
func (s *Source) Close() error {
	s.guideMu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	s.guideMu.Unlock()
	s.wg.Wait()
	return s.index.Close()
}

// fetch GETs u and returns its body, decompressed; the caller closes it.
func (s *Source) fetch(ctx context.Context, u string) (io.Reader, func(), error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("thirdparty: %w", err)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("thirdparty: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, nil, fmt.Errorf("thirdparty: GET %s: %s", u, resp.Status)
	}
	r, err := unpack.Reader(resp.Body)
	if err != nil {
		resp.Body.Close()
		return nil, nil, fmt.Errorf("thirdparty: GET %s: %w", u, err)
	}
	return r, func() { resp.Body.Close() }, nil
}

// Refresh downloads the playlist again.
func (s *Source) Refresh(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	r, done, err := s.fetch(ctx, s.cfg.PlaylistURL)
	if err != nil {
		return err
	}
	defer done()
	p, err := parsePlaylist(unpack.LimitReader(r, s.cfg.MaxPlaylist), s.cfg.Lang)
	if err != nil {
		return fmt.Errorf("thirdparty: %s: %w", s.cfg.PlaylistURL, err)
	}
	for _, prob := range p.problems {
		s.log.Warn("playlist: skipped", "problem", prob)
	}
	s.mu.Lock()
	s.list = p
	if s.cfg.GuideURL == "" {
		s.guideURL = p.guideURL
	}
	s.mu.Unlock()
	return nil
}

// playlist returns the playlist, downloading it the first time.
func (s *Source) playlist(ctx context.Context) (*playlist, error) {
	s.mu.Lock()
	p := s.list
	s.mu.Unlock()
	if p != nil {
		return p, nil
	}
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.list, nil
}

// Categories returns the playlist's groups.
func (s *Source) Categories(ctx context.Context) (operator.CategoryList, error) {
	p, err := s.playlist(ctx)
	if err != nil {
		return operator.CategoryList{}, err
	}
	return operator.CategoryList{Categories: append([]operator.Category{}, p.groups...)}, nil
}

// Titles returns the channels of a group (all for "") as titles, their
// logos as posters, so that a catalogue screen can show them; a session
// of such a title plays the channel.
func (s *Source) Titles(ctx context.Context, categoryID string, offset, limit int) (operator.TitlePage, error) {
	p, err := s.playlist(ctx)
	if err != nil {
		return operator.TitlePage{}, err
	}
	if limit <= 0 {
		limit = 50
	}
	page := operator.TitlePage{Titles: []operator.Title{}, Offset: offset}
	for _, c := range p.channels {
		if categoryID != "" && c.Group != categoryID {
			continue
		}
		if page.Total >= offset && len(page.Titles) < limit {
			page.Titles = append(page.Titles, operator.Title{ID: c.ID, CategoryID: c.Group, Name: c.Name, PosterURL: c.LogoURL})
		}
		page.Total++
	}
	return page, nil
}

// Channels returns the playlist's channels, by number, and its groups.
func (s *Source) Channels(ctx context.Context) (operator.ChannelList, error) {
	p, err := s.playlist(ctx)
	if err != nil {
		return operator.ChannelList{}, err
	}
	return operator.ChannelList{
		Channels: append([]operator.Channel{}, p.channels...),
		Groups:   append([]operator.Category{}, p.groups...),
	}, nil
}

// StartSession returns the stream of a channel (ChannelID, or TitleID as
// Titles gives them): its URL, or with Start and Stop set, the catch-up
// URL of that past programme.
func (s *Source) StartSession(ctx context.Context, req operator.PlayRequest) (operator.Session, error) {
	id := req.ChannelID
	if id == "" {
		id = req.TitleID
	}
	p, err := s.playlist(ctx)
	if err != nil {
		return operator.Session{}, err
	}
	c, ok := p.byID[id]
	if !ok {
		return operator.Session{}, fmt.Errorf("thirdparty: unknown channel %q", id)
	}
	u := c.URL
	if !req.Start.IsZero() {
		if u, err = catchupURL(c, req.Start, req.Stop, s.now()); err != nil {
			return operator.Session{}, fmt.Errorf("thirdparty: channel %q: %w", id, err)
		}
	}
	return operator.Session{ID: "thirdparty-" + id, URL: u, Kind: kindOf(u)}, nil
}

// EndSession does nothing: a third-party source has no sessions.
func (s *Source) EndSession(ctx context.Context, id string) error { return nil }

// kindOf is the stream kind of a URL.
func kindOf(u string) string {
	l := strings.ToLower(u)
	switch {
	case strings.HasPrefix(l, "rtp://"):
		return operator.StreamRTP
	case strings.HasPrefix(l, "udp://"):
		return operator.StreamUDP
	case strings.Contains(l, ".m3u8"):
		return operator.StreamHLS
	}
	return operator.StreamHTTP
}

// ErrNoGuide is returned by Guide for a source without a guide URL.
var ErrNoGuide = errors.New("thirdparty: no programme guide (no guide URL, and the playlist names none)")
