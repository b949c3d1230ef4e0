package operator

import (
	"context"
	"net/url"
)

// Resume returns where the viewer left a title on this box; a 404
// APIError (IsNotFound) means nowhere.
func (c *Client) Resume(ctx context.Context, titleID string) (Resume, error) {
	var r Resume
	if err := c.do(ctx, "GET", "/api/v1/resume/"+url.PathEscape(titleID), nil, nil, &r); err != nil {
		return Resume{}, err
	}
	return r, nil
}

// SetResume records where the viewer left a title; 0 forgets it.
func (c *Client) SetResume(ctx context.Context, titleID string, positionSec float64) (Resume, error) {
	var r Resume
	err := c.do(ctx, "PUT", "/api/v1/resume/"+url.PathEscape(titleID), nil, Resume{TitleID: titleID, PositionSec: positionSec}, &r)
	if err != nil {
		return Resume{}, err
	}
	return r, nil
}

// ForgetResume has the operator forget every resume position of this box
// (DELETE /api/v1/resume).
func (c *Client) ForgetResume(ctx context.Context) error {
	return c.do(ctx, "DELETE", "/api/v1/resume", nil, nil, nil)
}

// Favourites returns a page of the viewer's favourite titles on this box,
// the latest added first.
func (c *Client) Favourites(ctx context.Context, offset, limit int) (TitlePage, error) {
	return c.page(ctx, "/api/v1/favourites", titlesQuery("", offset, limit))
}

// AddFavourite makes a title a favourite.
func (c *Client) AddFavourite(ctx context.Context, titleID string) error {
	return c.do(ctx, "PUT", "/api/v1/favourites/"+url.PathEscape(titleID), nil, nil, nil)
}

// RemoveFavourite makes a title a favourite no more.
func (c *Client) RemoveFavourite(ctx context.Context, titleID string) error {
	return c.do(ctx, "DELETE", "/api/v1/favourites/"+url.PathEscape(titleID), nil, nil, nil)
}
