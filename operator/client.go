package operator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	// HTTP sends the requests. Default: a client of http.DefaultTransport.
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
}

// Client is the box's client of the operator API (docs/API.md). It is
// safe for concurrent use.
type Client struct {
	base    string // BaseURL without a trailing slash
	http    *http.Client
	timeout time.Duration
	retries int
	backoff time.Duration
}

// NewClient returns a client of the head-end at cfg.BaseURL.
func NewClient(cfg ClientConfig) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("operator: base URL %q is not an http(s)://host[:port][/path] URL", cfg.BaseURL)
	}
	c := &Client{
		base:    strings.TrimSuffix(cfg.BaseURL, "/"),
		http:    cfg.HTTP,
		timeout: cfg.Timeout,
		retries: cfg.Retries,
		backoff: cfg.Backoff,
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
	return c.page(ctx, "/api/v1/titles", q)
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

// Search returns the first page of titles whose name contains q; lang,
// the viewer's language, puts titles that match in it first.
func (c *Client) Search(ctx context.Context, q, lang string) (TitlePage, error) {
	v := url.Values{"q": {q}}
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
	case StreamHLS, StreamRTP, StreamUDP:
	default:
		return fmt.Errorf("session of unknown kind %q", s.Kind)
	}
	if s.ID == "" {
		return errors.New("session without session_id")
	}
	if u, err := url.Parse(s.URL); err != nil || !u.IsAbs() {
		return fmt.Errorf("session url %q is not absolute", s.URL)
	}
	return nil
}

// EndSession tells the head-end that the box stopped playing a session.
func (c *Client) EndSession(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/sessions/"+url.PathEscape(id), nil, nil, nil)
}
