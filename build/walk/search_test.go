//go:build walk

package walk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/manbang/manbang/build/internal/rig"
)

// keyboard is an on-screen keyboard's letter rows as the viewer sees
// them (ui/textinput's layouts), and its row of controls below them:
// shift, the next layout, space, backspace, done.
type keyboard struct {
	name string // as the search screen's "layout" says it
	rows []string
}

// done is the position of the keyboard's Done key.
func (k keyboard) done() (row, col int) { return len(k.rows), 4 }

// find returns the row and column of the key typing r.
func (k keyboard) find(r rune) (row, col int, ok bool) {
	for i, s := range k.rows {
		if j := slices.Index([]rune(s), r); j >= 0 {
			return i, j, true
		}
	}
	return 0, 0, false
}

var (
	latin    = keyboard{"ABC", []string{"abcdefg", "hijklmn", "opqrstu", "vwxyz-'", "1234567", "890.,?!"}}
	cyrillic = keyboard{"АБВ", []string{"абвгдеёж", "зийклмно", "прстуфхц", "чшщъыьэю", "я1234567", "890.,-?!"}}
	hangul   = keyboard{"한글", []string{"ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔ", "ㅁㄴㅇㄹㅎㅗㅓㅏㅣ", "ㅋㅌㅊㅍㅠㅜㅡ", "1234567890"}}
)

// searches are the walk's queries: a word of a demo title's name in each
// language (headend/demo/catalog.json), typed key by key. Korean is typed
// as jamo, which the field composes into syllables: ㅂㅏㅇㅣㅋㅏㄹ is
// 바, 방, 바이, 바잌, 바이카, 바이칼 as it goes (the ㅇ and ㅋ move on
// to the next syllable).
var searches = []struct {
	lang  string
	kbd   keyboard
	keys  string // the keys pressed, in order
	query string // the field's text then
	want  string // a title that the results must hold
}{
	{"ko", hangul, "ㅂㅏㅇㅣㅋㅏㄹ", "바이칼", "doc-baikal"},
	{"en", latin, "penguin", "penguin", "kids-penguin"},
	{"ru", cyrillic, "тигр", "тигр", "nature-amur-tiger"},
}

// walkSearch: for each UI language, switched in Settings, the search
// screen's keyboard in that script, a query typed on it with the arrows
// and OK, its results and a result's page.
func walkSearch(t *testing.T) {
	v := newViewer(t)
	for _, s := range searches {
		v.step("search-"+s.lang+"-language", func(ctx context.Context) error {
			if _, err := v.home(ctx); err != nil {
				return err
			}
			if err := v.setLanguage(ctx, s.lang); err != nil {
				return err
			}
			h, err := v.home(ctx)
			if err != nil {
				return err
			}
			if h.Focus == nil || !letters(h.Focus.Title, s.lang) {
				return fmt.Errorf("Home in %s has its focus on %+v: want a name in %s", s.lang, h.Focus, s.lang)
			}
			return nil
		})
		v.step("search-"+s.lang+"-open", func(ctx context.Context) error {
			if err := v.press(ctx, "blue"); err != nil {
				return err
			}
			_, err := on(ctx, v, "search", "the search screen with the "+s.kbd.name+" keyboard", keyWait, func(sc searchScreen) bool {
				return sc.Layout == s.kbd.name && sc.Focus == "keyboard" && sc.Query == "" && sc.Status == "idle"
			})
			return err
		})
		v.step("search-"+s.lang+"-type", func(ctx context.Context) error {
			for _, r := range s.keys {
				row, col, ok := s.kbd.find(r)
				if !ok {
					return fmt.Errorf("no key %q on the %s keyboard", r, s.kbd.name)
				}
				if err := v.typeKey(ctx, row, col, string(r)); err != nil {
					return err
				}
			}
			_, err := on(ctx, v, "search", fmt.Sprintf("the query %q", s.query), keyWait, func(sc searchScreen) bool { return sc.Query == s.query })
			return err
		})
		v.step("search-"+s.lang+"-results", func(ctx context.Context) error {
			sc, err := until(ctx, v, "search", "the results of "+s.query, loadWait, func(sc searchScreen) (bool, error) {
				if sc.Status == "error" {
					return false, fmt.Errorf("the search failed: %s", sc.Error)
				}
				return sc.Status == "done", nil
			})
			if err != nil {
				return err
			}
			if !slices.Contains(sc.Results, s.want) {
				return fmt.Errorf("the results of %q are %v: want %s among them", s.query, sc.Results, s.want)
			}
			return nil
		})
		v.step("search-"+s.lang+"-result", func(ctx context.Context) error {
			// Done on the keyboard takes the focus to the results.
			row, col := s.kbd.done()
			if err := v.typeKey(ctx, row, col, ""); err != nil {
				return err
			}
			sc, err := on(ctx, v, "search", "the focus on the results", keyWait, func(sc searchScreen) bool { return sc.Focus == "results" })
			if err != nil {
				return err
			}
			i := slices.Index(sc.Results, s.want)
			if _, err := move(ctx, v, "search", "down", i, func(sc searchScreen) string { return fmt.Sprint(sc.Pick) },
				func(sc searchScreen) bool { return sc.Pick == i }); err != nil {
				return err
			}
			if err := v.press(ctx, "ok"); err != nil {
				return err
			}
			if _, err := on(ctx, v, "detail", "the page of "+s.want, keyWait, func(d detailScreen) bool { return d.TitleID == s.want }); err != nil {
				return err
			}
			if err := v.backTo(ctx, "search", 1); err != nil {
				return err
			}
			return v.backTo(ctx, "home", 1)
		})
	}
}

// typeKey moves the search keyboard's focus to row and col, a row at a
// time then a key at a time, and presses OK there. With label, the key
// focused must be labelled so (a letter key), and the query must change.
func (v *viewer) typeKey(ctx context.Context, row, col int, label string) error {
	where := func(sc searchScreen) string { return fmt.Sprintf("%d,%d", sc.KeyRow, sc.KeyCol) }
	sc, err := on[searchScreen](ctx, v, "search", "the keyboard", keyWait, nil)
	if err != nil {
		return err
	}
	for n := 0; sc.KeyRow != row || sc.KeyCol != col; n++ {
		if n > 40 {
			return fmt.Errorf("the keyboard's focus did not get to %d,%d (at %s)", row, col, where(sc))
		}
		key := "down"
		switch {
		case sc.KeyRow > row:
			key = "up"
		case sc.KeyRow == row && sc.KeyCol < col:
			key = "right"
		case sc.KeyRow == row:
			key = "left"
		}
		was := where(sc)
		if err := v.press(ctx, key); err != nil {
			return err
		}
		if sc, err = on(ctx, v, "search", "the keyboard's focus to move from "+was+" with "+key, keyWait, func(sc searchScreen) bool { return where(sc) != was }); err != nil {
			return err
		}
	}
	if label != "" && sc.Key != label {
		return fmt.Errorf("the key at %d,%d is %q: want %q", row, col, sc.Key, label)
	}
	before := sc.Query
	if err := v.press(ctx, "ok"); err != nil {
		return err
	}
	if label == "" {
		return nil
	}
	_, err = on(ctx, v, "search", fmt.Sprintf("%q typed after %q", label, before), keyWait, func(sc searchScreen) bool { return sc.Query != before })
	return err
}

// setLanguage switches the UI language in Settings (the menu key, then
// the language entry's arrows) and goes back to Home.
func (v *viewer) setLanguage(ctx context.Context, lang string) error {
	s, err := v.state(ctx)
	if err != nil {
		return err
	}
	if s.Lang == lang {
		return nil
	}
	if err := v.press(ctx, "menu"); err != nil {
		return err
	}
	if _, err := on(ctx, v, "settings", "Settings on the language", keyWait, func(st settingsScreen) bool { return st.Focus == "language" }); err != nil {
		return err
	}
	for range 3 { // ko, en, ru, round
		if s.Lang == lang {
			break
		}
		was := s.Lang
		if err := v.press(ctx, "right"); err != nil {
			return err
		}
		if s, err = v.box.WaitState(ctx, keyWait, func(s rig.State) bool { return s.Lang != was }); err != nil {
			return fmt.Errorf("the language to change from %s: %w", was, err)
		}
	}
	if s.Lang != lang {
		return fmt.Errorf("the language setting went round without %s (at %s)", lang, s.Lang)
	}
	if err := v.backTo(ctx, "home", 1); err != nil {
		return err
	}
	_, err = v.home(ctx)
	return err
}

// letters says whether s has a letter of the script of lang.
func letters(s, lang string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		switch lang {
		case "ko":
			return r >= 0xAC00 && r <= 0xD7A3
		case "ru":
			return r >= 0x0400 && r <= 0x04FF
		}
		return (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z')
	})
}
