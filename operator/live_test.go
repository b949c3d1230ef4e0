package operator_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
)

func TestClientLive(t *testing.T) {
	c := newClient(t, operator.ClientConfig{})
	ctx := context.Background()
	l, err := c.Channels(ctx)
	if err != nil || len(l.Channels) != 2 || l.Channels[0].ID != "mb-news" || len(l.Groups) != 2 {
		t.Fatalf("Channels = %+v, %v", l, err)
	}
	now := time.Now()
	g, err := c.Guide(ctx, []string{"mb-news"}, now, now.Add(2*time.Hour))
	if err != nil || len(g.Programmes) < 2 || g.Programmes[0].ChannelID != "mb-news" || g.Programmes[0].Title.In("ru") == "" {
		t.Errorf("Guide = %+v, %v", g, err)
	}
	all, err := c.Guide(ctx, nil, now, now.Add(2*time.Hour))
	if err != nil || len(all.Programmes) <= len(g.Programmes) {
		t.Errorf("whole guide: %d programmes, %v", len(all.Programmes), err)
	}
	if _, err := c.Guide(ctx, nil, now, now.Add(30*24*time.Hour)); !errors.As(err, new(*operator.APIError)) {
		t.Errorf("a month of guide: %v", err)
	}
	s, err := c.StartSession(ctx, operator.PlayRequest{ChannelID: "mb-news"})
	if err != nil || s.Kind != operator.StreamRTP || s.URL != "rtp://@239.255.42.1:5000" {
		t.Fatalf("StartSession = %+v, %v", s, err)
	}
	if err := c.Keepalive(ctx, s.ID); err != nil {
		t.Errorf("Keepalive: %v", err)
	}
	if err := c.EndSession(ctx, s.ID); err != nil {
		t.Errorf("EndSession: %v", err)
	}
	if err := c.Keepalive(ctx, s.ID); !operator.IsNotFound(err) {
		t.Errorf("Keepalive of an ended session: %v", err)
	}
	// This head-end has no unicast streamer.
	_, err = c.StartSession(ctx, operator.PlayRequest{ChannelID: "mb-news", RTPPort: 5004})
	var apiErr *operator.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 503 {
		t.Errorf("unicast: %v", err)
	}
}

func TestClientViewer(t *testing.T) {
	// A new box for each run: the head-end is shared by the test binary.
	c := newClient(t, operator.ClientConfig{Device: operator.DeviceRegistration{Serial: "VIEWER-" + rand.Text(), Model: "m", Firmware: "f"}})
	ctx := context.Background()
	if _, err := c.Resume(ctx, "doc-kimchi"); !operator.IsNotFound(err) {
		t.Errorf("Resume before: %v", err)
	}
	r, err := c.SetResume(ctx, "doc-kimchi", 12.5)
	if err != nil || r.PositionSec != 12.5 || r.UpdatedAt.IsZero() {
		t.Errorf("SetResume = %+v, %v", r, err)
	}
	if r, err := c.Resume(ctx, "doc-kimchi"); err != nil || r.PositionSec != 12.5 {
		t.Errorf("Resume = %+v, %v", r, err)
	}
	for _, id := range []string{"doc-kimchi", "news-evening"} {
		if err := c.AddFavourite(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	p, err := c.Favourites(ctx, 0, 0)
	if err != nil || titleIDs(p) != "news-evening,doc-kimchi" || p.Total != 2 {
		t.Errorf("Favourites = %s (%d), %v", titleIDs(p), p.Total, err)
	}
	if err := c.RemoveFavourite(ctx, "news-evening"); err != nil {
		t.Error(err)
	}
	if err := c.RemoveFavourite(ctx, "news-evening"); !operator.IsNotFound(err) {
		t.Errorf("second RemoveFavourite: %v", err)
	}
	if err := c.AddFavourite(ctx, "nope"); !operator.IsNotFound(err) {
		t.Errorf("AddFavourite(nope): %v", err)
	}
	if _, err := c.Series(ctx, "nope"); !operator.IsNotFound(err) {
		t.Errorf("Series(nope): %v", err)
	}
	found, err := c.SearchPage(ctx, "e", "en", 0, 1)
	if err != nil || len(found.Titles) != 1 || found.Total < 1 {
		t.Errorf("SearchPage = %+v, %v", found, err)
	}
}
