package catalog

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/manbang/manbang/operator"
)

// TestTitlesPages pages through categories of a few hundred titles, so
// that pages start on, just before and just after the page anchors,
// before and after writes that move titles: every page must be the
// slice of the catalog order that Titles without anchors would give.
func TestTitlesPages(t *testing.T) {
	ctx := context.Background()
	s, err := New([]operator.Category{{ID: "a"}, {ID: "b"}, {ID: "c"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 5*anchorStride + 7
	// order is the catalog order the store must keep, per category.
	order := map[string][]string{}
	put := func(id, cat string) {
		t.Helper()
		if err := s.PutTitle(ctx, operator.Title{ID: id, CategoryID: cat, Name: operator.Text{"en": id}}); err != nil {
			t.Fatal(err)
		}
	}
	err = s.Write(ctx, func(w *Writer) error {
		for i := range n {
			id, cat := fmt.Sprintf("t%04d", i), []string{"a", "b", "a", "c"}[i%4]
			if err := w.AddTitle(operator.Title{ID: id, CategoryID: cat, Name: operator.Text{"en": id}}); err != nil {
				return err
			}
			order[cat] = append(order[cat], id)
			order[""] = append(order[""], id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		for cat, want := range order {
			for _, offset := range []int{0, 1, anchorStride - 1, anchorStride, anchorStride + 1, 2*anchorStride + 5, len(want) - 1, len(want), len(want) + 3} {
				for _, limit := range []int{1, 10, anchorStride + 3} {
					page, total, err := s.Titles(ctx, cat, offset, limit)
					if err != nil {
						t.Fatal(err)
					}
					end := min(len(want), offset+limit)
					w := []string{}
					if offset < len(want) {
						w = want[offset:end]
					}
					if got := ids(page); !reflect.DeepEqual(got, w) || total != len(want) {
						t.Fatalf("%s: Titles(%q, %d, %d) = %v, %d; want %v, %d", when, cat, offset, limit, got, total, w, len(want))
					}
				}
			}
		}
	}
	check("after the first write")

	// Remove the first title of category a: every later anchor of a and
	// of all titles moves by one.
	first := order["a"][0]
	if err := s.Write(ctx, func(w *Writer) error { return w.DeleteTitle(first) }); err != nil {
		t.Fatal(err)
	}
	order["a"], order[""] = remove(order["a"], first), remove(order[""], first)
	check("after a delete")

	// A replaced title keeps its place; a new one goes at the end.
	put(order["b"][3], "b")
	put("new", "a")
	order["a"], order[""] = append(order["a"], "new"), append(order[""], "new")
	check("after a replacement and an addition")
}

func remove(s []string, v string) []string {
	out := []string{}
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// TestGeneration checks that every write changes the generation, and
// that reads do not.
func TestGeneration(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	g := s.Generation()
	if _, _, err := s.Titles(ctx, "docs", 0, 10); err != nil {
		t.Fatal(err)
	}
	if s.Generation() != g {
		t.Error("a read changed the generation")
	}
	if err := s.PutCategory(ctx, operator.Category{ID: "kids"}); err != nil {
		t.Fatal(err)
	}
	if s.Generation() == g {
		t.Error("a write left the generation")
	}
	if !s.HasCategory("kids") || !s.HasCategory("empty") || s.HasCategory("nope") {
		t.Errorf("HasCategory: kids %v, empty %v, nope %v; want true, true, false", s.HasCategory("kids"), s.HasCategory("empty"), s.HasCategory("nope"))
	}
}
