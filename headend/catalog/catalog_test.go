package catalog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/manbang/manbang/operator"
)

func testStore(t *testing.T) *Store {
	t.Helper()
	cats := []operator.Category{
		{ID: "docs", Name: operator.Text{"en": "Documentaries", "ko": "다큐멘터리"}},
		{ID: "news", Name: operator.Text{"en": "News", "ko": "뉴스"}},
		{ID: "empty", Name: operator.Text{"en": "Empty"}},
	}
	titles := []operator.Title{
		{ID: "d1", CategoryID: "docs", Name: operator.Text{"en": "The Silk Road", "ko": "실크로드", "ru": "Шёлковый путь"}},
		{ID: "n1", CategoryID: "news", Name: operator.Text{"en": "Evening News", "ko": "저녁 뉴스", "ru": "Вечерние новости"}},
		{ID: "d2", CategoryID: "docs", Name: operator.Text{"en": "Road to Baikal", "ko": "바이칼 가는 길", "ru": "Дорога на Байкал"}},
		{ID: "d3", CategoryID: "docs", Name: operator.Text{"en": "Jeju Winds", "ko": "제주의 바람"}},
	}
	s, err := New(cats, titles)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ids(ts []operator.Title) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func TestTitles(t *testing.T) {
	s := testStore(t)
	tests := []struct {
		cat           string
		offset, limit int
		want          []string
		total         int
	}{
		{"", 0, 10, []string{"d1", "n1", "d2", "d3"}, 4},
		{"docs", 0, 10, []string{"d1", "d2", "d3"}, 3},
		{"docs", 1, 1, []string{"d2"}, 3},
		{"docs", 2, 5, []string{"d3"}, 3},
		{"docs", 3, 5, []string{}, 3},
		{"docs", 0, 0, []string{}, 3},
		{"news", 0, 10, []string{"n1"}, 1},
		{"empty", 0, 10, []string{}, 0},
		{"nope", 0, 10, []string{}, 0},
	}
	for _, tt := range tests {
		page, total, err := s.Titles(context.Background(), tt.cat, tt.offset, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(page); !reflect.DeepEqual(got, tt.want) || total != tt.total {
			t.Errorf("Titles(%q, %d, %d) = %v, %d; want %v, %d", tt.cat, tt.offset, tt.limit, got, total, tt.want, tt.total)
		}
	}
	if _, _, err := s.Titles(context.Background(), "", -1, 5); err == nil {
		t.Error("negative offset: no error")
	}
}

func TestSearch(t *testing.T) {
	s := testStore(t)
	tests := []struct {
		q, lang string
		want    []string
	}{
		// Names that start with the query first, then names with a
		// word that does.
		{"road", "en", []string{"d2", "d1"}},
		{"ROAD", "en", []string{"d2", "d1"}},
		{"  road ", "en", []string{"d2", "d1"}},
		{"silk road", "en", []string{"d1"}},
		{"road silk", "en", []string{"d1"}},
		{"oad", "en", []string{"d1", "d2"}},
		{"шелк", "ru", []string{"d1"}},       // ё is е
		{"ＲＯＡＤ", "en", []string{"d2", "d1"}}, // full width
		{"저녁 뉴", "ko", []string{"n1"}},
		{"저", "ko", []string{"n1"}},
		{"ba", "en", []string{"d2"}},
		{`"`, "en", []string{}},
		{"ro baikal", "en", []string{"d2"}},
		{"ad to", "en", []string{}}, // "ad" starts no word
		{"oad to", "en", []string{"d2"}},
		{"r b", "en", []string{}},      // "r" is a whole word
		{"to b", "en", []string{"d2"}}, // "b" starts the word after "to"
		{"baikal d", "ru", []string{}}, // no word after
		{`"road"`, "en", []string{}},
		{"뉴스", "ko", []string{"n1"}},
		{"ДОРОГА", "ru", []string{"d2"}},
		{"путь", "ko", []string{"d1"}},
		// Matches in the viewer's language come first.
		{"바", "ko", []string{"d2"}}, // one character: names that start with it
		{"바람", "ko", []string{"d3"}},
		{"road", "ru", []string{"d1", "d2"}}, // no Russian name matches: rank, then order
		{"zzz", "en", []string{}},
		{"", "en", []string{}},
	}
	for _, tt := range tests {
		got, err := s.Search(context.Background(), tt.q, tt.lang)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ids(got), tt.want) {
			t.Errorf("Search(%q, %q) = %v, want %v", tt.q, tt.lang, ids(got), tt.want)
		}
	}
}

func TestSearchLangFirst(t *testing.T) {
	cats := []operator.Category{{ID: "c"}}
	titles := []operator.Title{
		{ID: "a", CategoryID: "c", Name: operator.Text{"en": "Moscow", "ru": "Москва"}},
		{ID: "b", CategoryID: "c", Name: operator.Text{"en": "Mos", "ko": "mos 모스"}},
	}
	s, err := New(cats, titles)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, _ := s.Search(context.Background(), "mos", "ko")
	if !reflect.DeepEqual(ids(got), []string{"b", "a"}) {
		t.Errorf("got %v, want [b a]", ids(got))
	}
}

func TestTitleAndCategory(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	if got, err := s.Title(ctx, "d2"); err != nil || got.Name["en"] != "Road to Baikal" {
		t.Errorf("Title(d2) = %+v, %v", got, err)
	}
	if _, err := s.Title(ctx, "zz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Title(zz) error = %v, want ErrNotFound", err)
	}
	if _, err := s.Category(ctx, "zz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Category(zz) error = %v, want ErrNotFound", err)
	}
	cats, _ := s.Categories(ctx)
	if len(cats) != 3 || cats[0].ID != "docs" {
		t.Errorf("Categories = %+v", cats)
	}
	if s.Len() != 4 {
		t.Errorf("Len = %d", s.Len())
	}
}

func TestNewRejects(t *testing.T) {
	c := []operator.Category{{ID: "c"}}
	tests := []struct {
		name   string
		cats   []operator.Category
		titles []operator.Title
		want   string
	}{
		{"bad category id", []operator.Category{{ID: "a/b"}}, nil, "invalid id"},
		{"dup category", []operator.Category{{ID: "c"}, {ID: "c"}}, nil, "duplicate category"},
		{"empty title id", c, []operator.Title{{CategoryID: "c"}}, "invalid id"},
		{"dot title id", c, []operator.Title{{ID: "..", CategoryID: "c"}}, "invalid id"},
		{"dup title", c, []operator.Title{{ID: "t", CategoryID: "c"}, {ID: "t", CategoryID: "c"}}, "duplicate title"},
		{"unknown category", c, []operator.Title{{ID: "t", CategoryID: "x"}}, "unknown category"},
	}
	for _, tt := range tests {
		_, err := New(tt.cats, tt.titles)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestSaveLoad(t *testing.T) {
	s := testStore(t)
	path := filepath.Join(t.TempDir(), JSONFileName)
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	ctx := context.Background()
	wantCats, _ := s.Categories(ctx)
	gotCats, _ := got.Categories(ctx)
	wantTitles, _, _ := s.Titles(ctx, "", 0, 100)
	gotTitles, _, _ := got.Titles(ctx, "", 0, 100)
	if !reflect.DeepEqual(gotCats, wantCats) || !reflect.DeepEqual(gotTitles, wantTitles) {
		t.Errorf("loaded store differs:\n got %+v %+v\nwant %+v %+v", gotCats, gotTitles, wantCats, wantTitles)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("Save left %d files, want 1", len(entries))
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"categories": [`), 0o644)
	dup := filepath.Join(dir, "dup.json")
	os.WriteFile(dup, []byte(`{"categories":[{"id":"a"}],"titles":[{"id":"t","category_id":"nope"}]}`), 0o644)
	for _, tt := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.json"), "no such file"},
		{bad, "bad.json"},
		{dup, "dup.json"},
	} {
		if _, err := Load(tt.path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%s) error %v, want it to contain %q", tt.path, err, tt.want)
		}
	}
}
