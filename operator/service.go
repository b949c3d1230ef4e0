package operator

import (
	"context"
	"time"
)

// Service is what the box asks of whoever gives it channels and titles:
// an operator's head-end (Client) or a third-party playlist and guide
// (package operator/thirdparty).
type Service interface {
	Categories(ctx context.Context) (CategoryList, error)
	Titles(ctx context.Context, categoryID string, offset, limit int) (TitlePage, error)
	Channels(ctx context.Context) (ChannelList, error)
	Guide(ctx context.Context, channelIDs []string, from, to time.Time) (Guide, error)
	StartSession(ctx context.Context, req PlayRequest) (Session, error)
	EndSession(ctx context.Context, id string) error
}

var _ Service = (*Client)(nil)
