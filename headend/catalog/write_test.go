package catalog

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
)

func TestPutKeepsPlaceAndIndex(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	// Replacing d1 keeps its place and re-indexes its name.
	if err := s.PutTitle(ctx, operator.Title{ID: "d1", CategoryID: "docs", Name: operator.Text{"en": "Amber Coast"}, Year: 2001}); err != nil {
		t.Fatal(err)
	}
	page, total, _ := s.Titles(ctx, "docs", 0, 10)
	if got := ids(page); !reflect.DeepEqual(got, []string{"d1", "d2", "d3"}) || total != 3 || page[0].Year != 2001 {
		t.Errorf("after replace: %v (%d), %+v", got, total, page[0])
	}
	if found, _ := s.Search(ctx, "silk", "en"); len(found) != 0 {
		t.Errorf("old name still found: %v", ids(found))
	}
	if found, _ := s.Search(ctx, "amber", "en"); !reflect.DeepEqual(ids(found), []string{"d1"}) {
		t.Errorf("new name: %v", ids(found))
	}
	// Moving a title to another category moves the counts.
	if err := s.PutTitle(ctx, operator.Title{ID: "d3", CategoryID: "news", Name: operator.Text{"en": "Jeju Winds"}}); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := s.Titles(ctx, "news", 0, 0); n != 2 {
		t.Errorf("news has %d titles, want 2", n)
	}
	if err := s.Write(ctx, func(w *Writer) error { return w.DeleteTitle("d2") }); err != nil {
		t.Fatal(err)
	}
	if found, _ := s.Search(ctx, "baikal", "en"); len(found) != 0 || s.Len() != 3 {
		t.Errorf("deleted title: found %v, %d titles", ids(found), s.Len())
	}
	err := s.Write(ctx, func(w *Writer) error { return w.DeleteTitle("d2") })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestWriteRollsBack(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	err := s.Write(ctx, func(w *Writer) error {
		if err := w.AddTitle(operator.Title{ID: "x1", CategoryID: "docs", Name: operator.Text{"en": "Xylophone"}}); err != nil {
			return err
		}
		return w.AddTitle(operator.Title{ID: "x2", CategoryID: "nope"})
	})
	if err == nil || !strings.Contains(err.Error(), `unknown category "nope"`) {
		t.Fatalf("error %v", err)
	}
	if _, err := s.Title(ctx, "x1"); !errors.Is(err, ErrNotFound) || s.Len() != 4 {
		t.Errorf("x1 kept after rollback: %v, %d titles", err, s.Len())
	}
	if found, _ := s.Search(ctx, "xylo", ""); len(found) != 0 {
		t.Errorf("index kept x1")
	}
}

func TestSearchPage(t *testing.T) {
	cats := []operator.Category{{ID: "c"}}
	var titles []operator.Title
	for i := range 30 {
		titles = append(titles, operator.Title{ID: "t" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), CategoryID: "c",
			Name: operator.Text{"en": "Night Train " + strings.Repeat("I", i%5+1)}})
	}
	s, err := New(cats, titles)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, tt := range []struct {
		q             string
		offset, limit int
		n, total      int
	}{
		{"train", 0, 10, 10, 30},
		{"train", 25, 10, 5, 30},
		{"train", 40, 10, 0, 30},
		{"train iii", 0, 50, 18, 18}, // "iii", "iiii", "iiiii"
		{"ii", 0, 50, 24, 24},
		{"train", 0, 0, 0, 30},
	} {
		page, total, err := s.SearchPage(ctx, tt.q, "en", tt.offset, tt.limit)
		if err != nil || len(page) != tt.n || total != tt.total {
			t.Errorf("SearchPage(%q, %d, %d) = %d titles of %d, %v; want %d of %d", tt.q, tt.offset, tt.limit, len(page), total, err, tt.n, tt.total)
		}
	}
	if _, _, err := s.SearchPage(ctx, "x", "", -1, 1); err == nil {
		t.Error("negative offset: no error")
	}
}

func TestSeries(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	se := operator.Series{ID: "s1", CategoryID: "docs", Name: operator.Text{"en": "Rivers", "ko": "강"}, PosterURL: "s1/poster.jpg"}
	if err := s.PutSeries(ctx, se); err != nil {
		t.Fatal(err)
	}
	for _, ep := range []operator.Title{
		{ID: "s1e2", CategoryID: "docs", SeriesID: "s1", Season: 1, Episode: 2, Name: operator.Text{"en": "Rivers 2"}},
		{ID: "s2e1", CategoryID: "docs", SeriesID: "s1", Season: 2, Episode: 1, Name: operator.Text{"en": "Rivers 3"}},
		{ID: "s1e1", CategoryID: "docs", SeriesID: "s1", Season: 1, Episode: 1, Name: operator.Text{"en": "Rivers 1"}},
	} {
		if err := s.PutTitle(ctx, ep); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Series(ctx, "s1")
	if err != nil || got.Name["ko"] != "강" || got.PosterURL != "s1/poster.jpg" || !reflect.DeepEqual(ids(got.Episodes), []string{"s1e1", "s1e2", "s2e1"}) {
		t.Errorf("Series = %+v, %v", got, err)
	}
	if _, err := s.Series(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown series: %v", err)
	}
	err = s.PutTitle(ctx, operator.Title{ID: "e9", CategoryID: "docs", SeriesID: "nope"})
	if err == nil || !strings.Contains(err.Error(), "unknown series") {
		t.Errorf("episode of unknown series: %v", err)
	}
	if err := s.PutSeries(ctx, operator.Series{ID: "s/2", CategoryID: "docs"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad series id: %v", err)
	}
}

func TestOpenPersistsAndMigrates(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	src := testStore(t)
	jsonPath := filepath.Join(dir, JSONFileName)
	if err := src.Save(jsonPath); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, FileName)
	s, err := Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadJSON(ctx, jsonPath); err != nil {
		t.Fatal(err)
	}
	if err := s.PutChannel(ctx, Channel{Channel: operator.Channel{ID: "ch1", Number: 1, Name: operator.Text{"en": "One"}}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Len() != 4 || s.ChannelCount() != 1 {
		t.Errorf("reopened: %d titles, %d channels", s.Len(), s.ChannelCount())
	}
	if found, _ := s.Search(ctx, "байкал", "ru"); !reflect.DeepEqual(ids(found), []string{"d2"}) {
		t.Errorf("search after reopen: %v", ids(found))
	}
	// Loading the same file again replaces titles in place.
	if err := s.LoadJSON(ctx, jsonPath); err != nil || s.Len() != 4 {
		t.Errorf("second load: %v, %d titles", err, s.Len())
	}
}

func TestChannelsAndGuide(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	if err := s.PutGroup(ctx, operator.Category{ID: "news", Name: operator.Text{"en": "News"}}); err != nil {
		t.Fatal(err)
	}
	chans := []Channel{
		{Channel: operator.Channel{ID: "two", Number: 2, Name: operator.Text{"en": "Two"}, Group: "news", Rating: "15"}, Multicast: "239.255.42.2:5000", Source: "live/two/loop.ts"},
		{Channel: operator.Channel{ID: "one", Number: 1, Name: operator.Text{"en": "One"}}, Multicast: "239.255.42.1:5000", Protocol: "udp"},
		{Channel: operator.Channel{ID: "three", Number: 3, Name: operator.Text{"en": "Three"}}},
	}
	for _, c := range chans {
		if err := s.PutChannel(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Channels(ctx)
	if err != nil || len(got) != 3 || got[0].ID != "one" || got[1].Group != "news" || got[1].Source != "live/two/loop.ts" ||
		got[1].Rating != "15" || got[0].Rating != "" {
		t.Fatalf("Channels = %+v, %v", got, err)
	}
	for _, tt := range []struct{ id, want string }{{"one", "udp://@239.255.42.1:5000"}, {"two", "rtp://@239.255.42.2:5000"}, {"three", ""}} {
		if c, err := s.Channel(ctx, tt.id); err != nil || c.Locator() != tt.want {
			t.Errorf("Channel(%s).Locator() = %q, %v; want %q", tt.id, c.Locator(), err, tt.want)
		}
	}
	for _, bad := range []Channel{
		{Channel: operator.Channel{ID: "x", Number: 0}},
		{Channel: operator.Channel{ID: "x", Number: 9}, Multicast: "10.0.0.1:5000"},
		{Channel: operator.Channel{ID: "x", Number: 9}, Multicast: "239.1.1.1"},
		{Channel: operator.Channel{ID: "x", Number: 9}, Protocol: "http"},
		{Channel: operator.Channel{ID: "x", Number: 9, Group: "nope"}},
		{Channel: operator.Channel{ID: "x", Number: 1}}, // number taken
	} {
		if err := s.PutChannel(ctx, bad); err == nil {
			t.Errorf("PutChannel(%+v): no error", bad)
		}
	}

	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	prog := func(ch string, from, to int, title string) operator.Programme {
		return operator.Programme{ChannelID: ch, Start: at(from), Stop: at(to), Title: operator.Text{"en": title}}
	}
	if err := s.PutProgrammes(ctx, []operator.Programme{
		prog("two", 0, 2, "Morning"), prog("two", 2, 3, "Noon"), prog("two", 3, 5, "Evening"),
		prog("one", 1, 4, "Film"),
	}); err != nil {
		t.Fatal(err)
	}
	// A newer guide replaces the programmes it overlaps.
	if err := s.PutProgrammes(ctx, []operator.Programme{prog("two", 2, 4, "Special")}); err != nil {
		t.Fatal(err)
	}
	list := func(chans []string, from, to int) string {
		var out []string
		if err := s.Programmes(ctx, chans, at(from), at(to), func(p operator.Programme) bool {
			out = append(out, p.ChannelID+":"+p.Title["en"])
			return true
		}); err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, ",")
	}
	for _, tt := range []struct {
		chans    []string
		from, to int
		want     string
	}{
		{nil, 0, 24, "one:Film,two:Morning,two:Special"},
		{[]string{"two"}, 1, 3, "two:Morning,two:Special"},
		{[]string{"two"}, 4, 5, ""}, // Evening was replaced
		{[]string{"one", "nope"}, 3, 4, "one:Film"},
		{nil, 4, 24, ""},
	} {
		if got := list(tt.chans, tt.from, tt.to); got != tt.want {
			t.Errorf("Programmes(%v, %d-%d) = %s, want %s", tt.chans, tt.from, tt.to, got, tt.want)
		}
	}
	for _, bad := range []operator.Programme{
		prog("two", 3, 3, "empty"),
		prog("two", 0, 30, "too long"),
		prog("nope", 0, 1, "unknown channel"),
	} {
		if err := s.PutProgrammes(ctx, []operator.Programme{bad}); err == nil {
			t.Errorf("PutProgrammes(%s): no error", bad.Title["en"])
		}
	}
	if err := s.Write(ctx, func(w *Writer) error { return w.DeleteProgrammesBefore(at(3)) }); err != nil {
		t.Fatal(err)
	}
	if got := list(nil, 0, 24); got != "one:Film,two:Special" {
		t.Errorf("after pruning: %s", got)
	}
	if err := s.Write(ctx, func(w *Writer) error { return w.DeleteChannel("one") }); err != nil || s.ChannelCount() != 2 {
		t.Errorf("DeleteChannel: %v, %d channels", err, s.ChannelCount())
	}
	if got := list(nil, 0, 24); got != "two:Special" {
		t.Errorf("programmes of a deleted channel: %s", got)
	}
	groups, _ := s.Groups(ctx)
	if len(groups) != 1 || groups[0].Name["en"] != "News" {
		t.Errorf("Groups = %+v", groups)
	}
}
