package operator

import (
	"context"
	"slices"
)

// ResumeList is the body of GET /api/v1/resume: every title the viewer
// left unfinished on this box.
type ResumeList struct {
	Positions []Resume `json:"positions"`
}

// ResumePositions returns where the viewer left every unfinished title on
// this box, newest first, so that a box reset or replaced gets its
// "Continue watching" back. A head-end without the list answers a 404
// APIError (IsNotFound).
func (c *Client) ResumePositions(ctx context.Context) ([]Resume, error) {
	var l ResumeList
	if err := c.do(ctx, "GET", "/api/v1/resume", nil, nil, &l); err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(l.Positions, func(r Resume) bool { return r.TitleID == "" || r.PositionSec <= 0 })
	slices.SortStableFunc(out, func(a, b Resume) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	return out, nil
}
