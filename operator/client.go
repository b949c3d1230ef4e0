package operator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults of ClientConfig.
const (
	DefaultTimeout = 10 * time.Second
	DefaultRetries = 2
	DefaultBackoff = 250 * time.Millisecond
)

// maxBackoff bounds the delay between two attempts.
const maxBackoff = 5 * time.Second

// ClientConfig configures a Client.
type ClientConfig struct {
	// BaseURL is the head-end's address, such as "http://10.0.0.1:8080".
	// Required.
	BaseURL string
	// HTTP sends the requests. Default: a client of http.DefaultTransport,
	// or of a transport trusting only CAFile and PinnedCAs if set.
	HTTP *http.Client
	// Timeout bounds each attempt of a request, reading the answer
	// included. Default DefaultTimeout.
	Timeout time.Duration
	// Retries is how many times a request is tried again after a network
	// error, a timeout or a 5xx answer; never after a 4xx. Default
	// DefaultRetries; negative means no retries.
	Retries int
	// Backoff is the delay before the first retry; it doubles for each
	// further retry, and each delay is picked at random between half of it
	// and all of it. Default DefaultBackoff.
	Backoff time.Duration

	// Device is who the box says it is when it registers with the
	// head-end, which it does when the head-end first answers 401.
	// Default DefaultDevice(). If its DeviceKey is empty, the client makes
	// one that lasts as long as the client: give one kept by LoadDeviceKey
	// for the box to keep its device across restarts.
	Device DeviceRegistration
	// Tokens keeps the device token between runs. Default: memory only,
	// so that the box registers again after each start.
	Tokens TokenStore

	// CacheDir, if set, is a directory where the answers of catalogue
	// requests (categories, titles, channels, guide...) are kept: they
	// are revalidated with their ETag, and given, marked Stale, when the
	// head-end cannot be reached or answers nonsense. Answers are kept
	// by their path and query, not by BaseURL: like the device token, the
	// cache is the box's operator's, and a new address of the same
	// operator (a host name for an address, a proxy) still finds it.
	CacheDir string

	// CAFile is a PEM file of the operator's certificate authorities, and
	// PinnedCAs more of them in PEM. If either is set, https connections
	// trust these CAs only, not the system's. They cannot be combined
	// with HTTP.
	CAFile    string
	PinnedCAs [][]byte
}

// Client is the box's client of the operator API (docs/API.md). It is
// safe for concurrent use.
type Client struct {
	base    string // BaseURL without a trailing slash
	http    *http.Client
	timeout time.Duration
	retries int
	backoff time.Duration
	device  DeviceRegistration
	tokens  TokenStore
	cache   *cache

	regMu    sync.Mutex // serialises registrations
	mu       sync.Mutex
	token    string
	loaded   bool // token was loaded from tokens
	loadErrs int
}

// ErrInsecure is the error of an operator's address the box will not send
// its device token to: plain http:// to another machine. Only a head-end
// on the box itself (a loopback address, as `make run` starts it) is
// spoken to without TLS.
var ErrInsecure = errors.New("the operator's address must start with https://: the box sends its device token only over TLS")

// loopbackHost reports whether host names this machine.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// Host returns the host of the head-end's API address, without its port:
// where a unicast stream comes from when the session does not say.
func (c *Client) Host() string {
	u, err := url.Parse(c.base)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// NewClient returns a client of the head-end at cfg.BaseURL, which must be
// https:// unless it is on this machine (ErrInsecure).
func NewClient(cfg ClientConfig) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("operator: base URL %q is not an http(s)://host[:port][/path] URL", cfg.BaseURL)
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("operator: %s: %w", cfg.BaseURL, ErrInsecure)
	}
	c := &Client{
		base:    strings.TrimSuffix(cfg.BaseURL, "/"),
		http:    cfg.HTTP,
		timeout: cfg.Timeout,
		retries: cfg.Retries,
		backoff: cfg.Backoff,
		device:  cfg.Device,
		tokens:  cfg.Tokens,
	}
	if cfg.CAFile != "" || len(cfg.PinnedCAs) > 0 {
		if c.http != nil {
			return nil, errors.New("operator: give either HTTP or CAFile and PinnedCAs, not both")
		}
		if c.http, err = pinnedClient(cfg.CAFile, cfg.PinnedCAs); err != nil {
			return nil, err
		}
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	switch {
	case c.retries == 0:
		c.retries = DefaultRetries
	case c.retries < 0:
		c.retries = 0
	}
	if c.backoff <= 0 {
		c.backoff = DefaultBackoff
	}
	if c.device.Serial == "" {
		key := c.device.DeviceKey
		c.device = DefaultDevice()
		c.device.DeviceKey = key
	}
	if c.device.DeviceKey == "" {
		// Kept for this client's life only: see DeviceRegistration.
		c.device.DeviceKey = NewDeviceKey()
	}
	if c.tokens == nil {
		c.tokens = &MemoryTokenStore{}
	}
	if cfg.CacheDir != "" {
		if c.cache, err = openCache(cfg.CacheDir, c.base); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Categories returns the shelves of the archive.
func (c *Client) Categories(ctx context.Context) (CategoryList, error) {
	var list CategoryList
	if err := c.do(ctx, "GET", "/api/v1/categories", nil, nil, &list); err != nil {
		return CategoryList{}, err
	}
	if list.Categories == nil {
		list.Categories = []Category{}
	}
	return list, nil
}

// Titles returns a page of up to limit titles of a category, starting at
// offset. An empty categoryID means all titles; a limit of 0 means the
// server's default (50). The server lowers limits above 200.
func (c *Client) Titles(ctx context.Context, categoryID string, offset, limit int) (TitlePage, error) {
	return c.page(ctx, "/api/v1/titles", titlesQuery(categoryID, offset, limit))
}

func titlesQuery(categoryID string, offset, limit int) url.Values {
	q := url.Values{}
	if categoryID != "" {
		q.Set("category", categoryID)
	}
	if offset != 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}

// Title returns one title.
func (c *Client) Title(ctx context.Context, id string) (Title, error) {
	var t Title
	path := "/api/v1/titles/" + url.PathEscape(id)
	if err := c.do(ctx, "GET", path, nil, nil, &t); err != nil {
		return Title{}, err
	}
	if t.ID == "" {
		return Title{}, c.malformed("GET", path, errors.New("title without id"))
	}
	return t, nil
}

// Series returns a series and its episodes.
func (c *Client) Series(ctx context.Context, id string) (Series, error) {
	var s Series
	path := "/api/v1/series/" + url.PathEscape(id)
	if err := c.do(ctx, "GET", path, nil, nil, &s); err != nil {
		return Series{}, err
	}
	if s.ID == "" {
		return Series{}, c.malformed("GET", path, errors.New("series without id"))
	}
	return s, nil
}

// Search returns the first page of titles whose name contains q; lang,
// the viewer's language, puts titles that match in it first.
func (c *Client) Search(ctx context.Context, q, lang string) (TitlePage, error) {
	return c.SearchPage(ctx, q, lang, 0, 0)
}

// SearchPage returns a page of up to limit titles whose name contains
// q, starting at offset; see Search.
func (c *Client) SearchPage(ctx context.Context, q, lang string, offset, limit int) (TitlePage, error) {
	v := titlesQuery("", offset, limit)
	v.Set("q", q)
	if lang != "" {
		v.Set("lang", lang)
	}
	return c.page(ctx, "/api/v1/search", v)
}

func (c *Client) page(ctx context.Context, path string, q url.Values) (TitlePage, error) {
	var p TitlePage
	if err := c.do(ctx, "GET", path, q, nil, &p); err != nil {
		return TitlePage{}, err
	}
	if p.Titles == nil {
		p.Titles = []Title{}
	}
	return p, nil
}

// CachedCategories returns the categories kept in the cache, marked
// Stale, without asking the head-end: what Home shows at once at boot,
// before Categories answers. It reports false if there are none.
func (c *Client) CachedCategories() (CategoryList, bool) {
	var list CategoryList
	if !c.peek("/api/v1/categories", nil, &list) {
		return CategoryList{}, false
	}
	return list, true
}

// CachedTitles is Titles from the cache only; see CachedCategories.
func (c *Client) CachedTitles(categoryID string, offset, limit int) (TitlePage, bool) {
	var p TitlePage
	if !c.peek("/api/v1/titles", titlesQuery(categoryID, offset, limit), &p) {
		return TitlePage{}, false
	}
	return p, true
}

// CachedChannels is Channels from the cache only; see CachedCategories.
func (c *Client) CachedChannels() (ChannelList, bool) {
	var l ChannelList
	if !c.peek("/api/v1/channels", nil, &l) {
		return ChannelList{}, false
	}
	return l, true
}
