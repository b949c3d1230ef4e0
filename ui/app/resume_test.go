package app

import (
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/screen"
	"github.com/manbang/manbang/ui/state"
)

// The resume positions the operator keeps for the device come back into
// Continue watching, merged with the box's own: for a title both have,
// the newer wins; titles the operator no longer has are left out.
func TestAppResumeFromTheOperator(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	op.Positions = []operator.Resume{
		{TitleID: "t3", PositionSec: 300, UpdatedAt: apptest.T0.Add(-time.Hour)},     // newer than the box's
		{TitleID: "t5", PositionSec: 120, UpdatedAt: apptest.T0.Add(-2 * time.Hour)}, // the box has none
		{TitleID: "t1", PositionSec: 50, UpdatedAt: apptest.T0.Add(-48 * time.Hour)}, // older than the box's
		{TitleID: "gone", PositionSec: 70, UpdatedAt: apptest.T0.Add(-time.Minute)},  // not in the catalogue
	}
	dir := t.TempDir()
	local := state.Default()
	local.Settings.ResumeShared = true
	local.SetResume(op.Titles[1], 200*time.Second, apptest.T0.Add(-24*time.Hour))
	local.SetResume(op.Titles[3], 95*time.Second, apptest.T0.Add(-3*time.Hour))
	if err := state.Save(dir, local); err != nil {
		t.Fatal(err)
	}
	ta := startApp(t, op, func(c *Config) { c.StateDir = dir })
	homeReady(ta)
	want := []struct {
		id  string
		pos time.Duration
	}{{"t3", 300 * time.Second}, {"t5", 120 * time.Second}, {"t1", 200 * time.Second}}
	var rows []screen.Row
	rows = ta.rows()
	if len(rows) == 0 || rows[0].Kind != screen.RowContinue || len(rows[0].Items) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for i, w := range want {
		it := rows[0].Items[i]
		if it.Title.ID != w.id || it.Resume != w.pos || it.Title.Name.In("en") == "" {
			t.Errorf("continue watching %d: %s at %v (%q), want %s at %v", i, it.Title.ID, it.Resume, it.Title.Name.In("en"), w.id, w.pos)
		}
	}
	// The merge is saved, as the box's own positions are.
	ta.saver.Close()
	ta.saver = nil
	st, err := state.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if pos, ok := st.ResumeAt("t5"); !ok || pos != 120*time.Second {
		t.Errorf("saved position of t5: %v %v", pos, ok)
	}
}

// An operator without the list leaves the box's positions as they are.
func TestAppResumeWithoutTheList(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	ta := startApp(t, op, nil)
	ta.st.SetResume(op.Titles[2], 90*time.Second, apptest.T0)
	homeReady(ta)
	if len(ta.st.Resume) != 1 || ta.st.Resume[0].Title.ID != "t2" {
		t.Errorf("resume positions %+v", ta.st.Resume)
	}
}
