package catalog

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/manbang/manbang/operator"
)

// TestMigrateAddsChannelRating opens a database whose channels table
// predates the rating column: the column is added, existing channels are
// unrated, and ratings are kept from then on.
func TestMigrateAddsChannelRating(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutChannel(ctx, Channel{Channel: operator.Channel{ID: "old", Number: 1, Name: operator.Text{"en": "Old"}}}); err != nil {
		t.Fatal(err)
	}
	// Make the database as an earlier version left it.
	if _, err := s.db.ExecContext(ctx, `ALTER TABLE channels DROP COLUMN rating`); err != nil {
		t.Fatal(err)
	}
	if ok, err := hasColumn(ctx, s.db, "channels", "rating"); ok || err != nil {
		t.Fatalf("rating column still there (%v)", err)
	}
	s.Close()

	for range 2 { // the second open finds the column and adds nothing
		s, err = Open(path)
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Channel(ctx, "old")
		if err != nil || c.Rating != "" || c.Name.In("en") != "Old" {
			t.Errorf("migrated channel %+v, %v", c, err)
		}
		if err := s.PutChannel(ctx, Channel{Channel: operator.Channel{ID: "film", Number: 2, Name: operator.Text{"en": "Film"}, Rating: "19"}}); err != nil {
			t.Fatal(err)
		}
		if c, err := s.Channel(ctx, "film"); err != nil || c.Rating != "19" {
			t.Errorf("rated channel %+v, %v", c, err)
		}
		s.Close()
	}
}
