package thirdparty

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/m3u"
)

// channel is a channel of the playlist with what the source needs of it.
type channel struct {
	operator.Channel
	guideID string // its channel in the guide: tvg-id, else tvg-name, else its name
}

// playlist is a playlist mapped to the catalogue model.
type playlist struct {
	channels []operator.Channel // by number
	byID     map[string]channel
	groups   []operator.Category
	guideURL string
	problems []string
}

// parsePlaylist reads an extended M3U playlist.
func parsePlaylist(r io.Reader, lang string) (*playlist, error) {
	mr := m3u.NewReader(r)
	var entries []m3u.Entry
	for {
		e, err := mr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(entries) >= MaxChannels {
			return nil, fmt.Errorf("more than %d channels", MaxChannels)
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, errors.New("no channels in the playlist")
	}
	h := mr.Header()
	p := &playlist{byID: map[string]channel{}, problems: mr.Problems()}
	p.guideURL = firstURL(h["url-tvg"], h["x-tvg-url"])

	numbers := make([]int, len(entries))
	taken := map[int]bool{}
	for i, e := range entries {
		if n, err := strconv.Atoi(e.Attr("tvg-chno")); err == nil && n >= 1 && n < 1e6 && !taken[n] {
			numbers[i], taken[n] = n, true
		}
	}
	next := 1
	groupIDs := map[string]string{}
	for i, e := range entries {
		if numbers[i] == 0 {
			for taken[next] {
				next++
			}
			numbers[i], taken[next] = next, true
		}
		name := e.Name
		if name == "" {
			name = e.Attr("tvg-name")
		}
		if name == "" {
			name = e.URL
		}
		id := e.Attr("tvg-id")
		if id == "" || len(id) > 128 {
			id = "ch" + strconv.Itoa(numbers[i])
		}
		if _, dup := p.byID[id]; dup {
			id = id + "#" + strconv.Itoa(numbers[i])
		}
		c := channel{Channel: operator.Channel{
			ID: id, Number: numbers[i], Name: operator.Text{lang: name},
			LogoURL: e.Attr("tvg-logo"), URL: e.URL, Catchup: catchupOf(e, h), Rating: e.Attr("tvg-rating"),
		}}
		c.guideID = firstNonEmpty(e.Attr("tvg-id"), e.Attr("tvg-name"), name)
		group := firstNonEmpty(e.Attr("group-title"), e.Group)
		if g, _, _ := strings.Cut(group, ";"); strings.TrimSpace(g) != "" {
			g = strings.TrimSpace(g)
			gid, ok := groupIDs[g]
			if !ok {
				gid = "g" + strconv.Itoa(len(groupIDs)+1)
				groupIDs[g] = gid
				p.groups = append(p.groups, operator.Category{ID: gid, Name: operator.Text{lang: g}})
			}
			c.Group = gid
		}
		p.byID[id] = c
		p.channels = append(p.channels, c.Channel)
	}
	sortByNumber(p.channels)
	return p, nil
}

// catchupOf reads an entry's catch-up attributes, with the playlist's as
// defaults.
func catchupOf(e m3u.Entry, h map[string]string) *operator.Catchup {
	get := func(keys ...string) string {
		for _, k := range keys {
			if v := e.Attr(k); v != "" {
				return v
			}
		}
		for _, k := range keys {
			if v := h[k]; v != "" {
				return v
			}
		}
		return ""
	}
	mode := strings.ToLower(get("catchup", "catchup-type"))
	switch mode {
	case "default", "append", "shift", "flussonic":
	case "timeshift":
		mode = operator.CatchupShift
	case "fs", "flussonic-hls", "flussonic-ts":
		mode = operator.CatchupFlussonic
	default:
		return nil
	}
	c := &operator.Catchup{Mode: mode, Source: get("catchup-source")}
	if d, err := strconv.Atoi(get("catchup-days", "timeshift", "tvg-rec")); err == nil && d > 0 && d < 1000 {
		c.Days = d
	}
	return c
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// firstURL returns the first http(s) URL of the comma-separated lists.
func firstURL(lists ...string) string {
	for _, l := range lists {
		for _, u := range strings.Split(l, ",") {
			if u = strings.TrimSpace(u); strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
				return u
			}
		}
	}
	return ""
}

// sortByNumber sorts channels by number.
func sortByNumber(cs []operator.Channel) {
	slices.SortStableFunc(cs, func(a, b operator.Channel) int { return a.Number - b.Number })
}
