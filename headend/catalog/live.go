package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/manbang/manbang/operator"
)

// Channel is a live channel as the head-end keeps it: what the box sees,
// and where the stream comes from.
type Channel struct {
	operator.Channel
	// Source is what the live streamer plays: a file of the media
	// directory (a looping MPEG-TS, "live/<id>/loop.ts") or a URL.
	Source string
	// Multicast is the channel's multicast group and port, such as
	// "239.255.42.1:5000", or "" for a channel only streamed by unicast.
	Multicast string
	// Protocol is how the multicast stream is carried: operator.StreamRTP
	// (the default) or operator.StreamUDP (bare MPEG-TS in UDP).
	Protocol string
}

// Kind returns how the channel's multicast is carried: operator.StreamRTP
// or operator.StreamUDP.
func (c Channel) Kind() string {
	if c.Protocol == "" {
		return operator.StreamRTP
	}
	return c.Protocol
}

// Locator is the URL a box opens to play the channel's multicast, such as
// "rtp://@239.255.42.1:5000", or "" if the channel has none.
func (c Channel) Locator() string {
	if c.Multicast == "" {
		return ""
	}
	return c.Kind() + "://@" + c.Multicast
}

const channelColumns = `id, number, name, logo, coalesce(grp, ''), source, multicast, protocol, rating`

func scanChannel(row interface{ Scan(...any) error }) (Channel, error) {
	var c Channel
	var name string
	err := row.Scan(&c.ID, &c.Number, &name, &c.LogoURL, &c.Group, &c.Source, &c.Multicast, &c.Protocol, &c.Rating)
	c.Name = parseText(name)
	return c, err
}

// Channels returns every channel in order of number.
func (s *Store) Channels(ctx context.Context) ([]Channel, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+channelColumns+` FROM channels ORDER BY number`)
	if err != nil {
		return nil, fmt.Errorf("catalog: channels: %w", err)
	}
	defer rows.Close()
	out := []Channel{}
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, fmt.Errorf("catalog: channels: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: channels: %w", err)
	}
	return out, nil
}

// Channel returns the channel with the given ID, or an error wrapping
// ErrNotFound.
func (s *Store) Channel(ctx context.Context, id string) (Channel, error) {
	c, err := scanChannel(s.db.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM channels WHERE id = ?`, id))
	if err != nil {
		return Channel{}, notFound(err, "channel", id)
	}
	return c, nil
}

// Groups returns the channel groups in order.
func (s *Store) Groups(ctx context.Context) ([]operator.Category, error) {
	return s.named(ctx, "groups")
}

// MaxGuideRows bounds the programmes one call of Programmes returns.
const MaxGuideRows = 50000

// Programmes calls f with each programme of the given channels (all
// channels if none is given) that overlaps [from, to), by channel number
// then start, until f returns false or MaxGuideRows programmes were
// given. Unknown channels have no programmes.
func (s *Store) Programmes(ctx context.Context, channelIDs []string, from, to time.Time, f func(operator.Programme) bool) error {
	args := []any{to.Unix(), from.Unix(), from.Add(-MaxProgramme).Unix()}
	q := `SELECT p.channel_id, p.start, p.stop, p.title, p.description FROM programmes p JOIN channels c ON c.id = p.channel_id
		WHERE p.start < ? AND p.stop > ? AND p.start > ?`
	if len(channelIDs) > 0 {
		q += ` AND p.channel_id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(channelIDs)), ",") + `)`
		for _, id := range channelIDs {
			args = append(args, id)
		}
	}
	q += fmt.Sprintf(` ORDER BY c.number, p.start LIMIT %d`, MaxGuideRows)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("catalog: programmes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p operator.Programme
		var start, stop int64
		var title, desc string
		if err := rows.Scan(&p.ChannelID, &start, &stop, &title, &desc); err != nil {
			return fmt.Errorf("catalog: programmes: %w", err)
		}
		p.Start, p.Stop = time.Unix(start, 0).UTC(), time.Unix(stop, 0).UTC()
		p.Title, p.Description = parseText(title), parseText(desc)
		if !f(p) {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("catalog: programmes: %w", err)
	}
	return nil
}
