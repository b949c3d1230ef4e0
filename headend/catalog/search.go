package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/manbang/manbang/operator"
)

// MaxSearch is the most titles Search returns.
const MaxSearch = 1000

// Search returns up to MaxSearch titles whose name, in any language,
// contains every word of query, ignoring case; see SearchPage for the
// order. An empty query matches nothing.
func (s *Store) Search(ctx context.Context, query, lang string) ([]operator.Title, error) {
	found, _, err := s.SearchPage(ctx, query, lang, 0, MaxSearch)
	return found, err
}

// SearchPage returns up to limit titles, starting at offset, whose names
// contain every word of query, and how many titles match. Case, width
// and the Russian ё are ignored. A word of three characters or more
// matches anywhere in a name; a word of two, typed so far, matches the
// start of a word; a word of one character goes with the word before it
// (the start of the next word: "night t" finds "Night Train") or, first,
// after it (a whole word: "a night"); a query of one character finds the
// names it starts. Everything is looked up in the trigram indexes: no
// search reads every name.
//
// Titles whose name in lang (the viewer's language) contains the query
// come first: those it starts with, then those with a word it starts
// with, then the others; then the titles with a word that starts with the
// query in another language; then the rest, each group in catalog order.
func (s *Store) SearchPage(ctx context.Context, query, lang string, offset, limit int) (page []operator.Title, total int, err error) {
	if offset < 0 || limit < 0 {
		return nil, 0, fmt.Errorf("catalog: negative offset %d or limit %d", offset, limit)
	}
	q := normalise(query)
	words := strings.Fields(q)
	if len(words) == 0 {
		return []operator.Title{}, 0, nil
	}
	// match is what every result matches: each word as a phrase. A word
	// of one character is no trigram: it goes with its neighbour, as the
	// start of a word next to it.
	var match []string
	for i, w := range words {
		switch utf8.RuneCountInString(w) {
		case 1:
			switch {
			case len(words) == 1:
				match = append(match, phrase(nameStart+w))
			case i > 0:
				match = append(match, phrase(words[i-1]+" "+w))
			default:
				match = append(match, phrase(" "+w+" "+words[1]))
			}
		case 2:
			match = append(match, phrase(" "+w))
		default:
			match = append(match, phrase(w))
		}
	}
	base := strings.Join(match, " AND ")
	all := group{table: "titles_fts", match: base}
	if total, err = s.count(ctx, all); err != nil {
		return nil, 0, fmt.Errorf("catalog: search %q: %w", query, err)
	}
	if limit == 0 || offset >= total {
		return []operator.Title{}, total, nil
	}

	// The order's groups: in the viewer's language, names that start with
	// the query, then with a word that does, then that contain it; then
	// names with a word that starts with it; then the rest. Each group
	// leaves out the ones before it.
	var groups []group
	n := utf8.RuneCountInString(q)
	var lastLang string // the widest group of the viewer's language
	switch lang {
	case "ko", "en", "ru":
		table := "titles_" + lang
		// The groups' phrases imply the query's words, but "contains"
		// (anywhere) for a first word of one or two characters (at the
		// start of a word in base): that group checks the base.
		check := []string{all.in()}
		firstShort := utf8.RuneCountInString(words[0]) <= 2 && len(words) > 1
		add := func(m string, ok, contains bool) {
			if !ok {
				return
			}
			g := group{table: table, match: m}
			if contains && firstShort {
				g.and = check
			}
			if lastLang != "" {
				g.match = "(" + m + ") NOT (" + lastLang + ")"
			}
			groups = append(groups, g)
			lastLang = m
		}
		add(phrase(nameStart+q), true, false)
		add(phrase(" "+q), n >= 2, false)
		add(phrase(q), n >= 3, true)
	}
	var notLang []string
	if lastLang != "" {
		notLang = []string{"f.rowid NOT IN (SELECT rowid FROM titles_" + lang + " WHERE titles_" + lang + " MATCH " + sqlString(lastLang) + ")"}
	}
	if n >= 2 {
		groups = append(groups, group{table: "titles_fts", match: "(" + base + ") AND " + phrase(" "+q), and: notLang})
		rest := all
		rest.match = "(" + base + ") NOT " + phrase(" "+q)
		rest.and = notLang
		groups = append(groups, rest)
	} else {
		rest := all
		rest.and = notLang
		groups = append(groups, rest)
	}

	// Each group gives the page what it can; a group is counted only to
	// skip it whole, when it has nothing at offset.
	var ids []int64
	skip, need := offset, limit
	for _, g := range groups {
		if need == 0 {
			break
		}
		got, err := s.searchIDs(ctx, g, need, skip)
		if err != nil {
			return nil, 0, fmt.Errorf("catalog: search %q: %w", query, err)
		}
		if len(got) == 0 && skip > 0 {
			c, err := s.count(ctx, g)
			if err != nil {
				return nil, 0, fmt.Errorf("catalog: search %q: %w", query, err)
			}
			skip -= c
			continue
		}
		ids = append(ids, got...)
		need, skip = limit-len(ids), 0
	}
	page, err = s.titlesByN(ctx, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("catalog: search %q: %w", query, err)
	}
	return page, total, nil
}

// group is a set of search results: the titles that match the FTS5
// expression match in table and the SQL conditions and (on f.rowid).
type group struct {
	table string
	match string
	and   []string
}

// where is the WHERE clause of the group and its arguments.
func (g group) where() (string, []any) {
	w := g.table + " MATCH ?"
	for _, a := range g.and {
		w += " AND " + a
	}
	return w, []any{g.match}
}

// in is an SQL condition on f.rowid: it is in the group.
func (g group) in() string {
	return "f.rowid IN (SELECT rowid FROM " + g.table + " WHERE " + g.table + " MATCH " + sqlString(g.match) + ")"
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (s *Store) count(ctx context.Context, g group) (int, error) {
	w, args := g.where()
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+g.table+` f WHERE `+w, args...).Scan(&n)
	return n, err
}

// searchIDs returns up to limit rowids of the group, in catalog order,
// after skipping offset.
func (s *Store) searchIDs(ctx context.Context, g group, limit, offset int) ([]int64, error) {
	w, args := g.where()
	rows, err := s.db.QueryContext(ctx, `SELECT f.rowid FROM `+g.table+` f WHERE `+w+` ORDER BY f.rowid LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// titlesByN returns the titles with the given n, in that order.
func (s *Store) titlesByN(ctx context.Context, ns []int64) ([]operator.Title, error) {
	if len(ns) == 0 {
		return []operator.Title{}, nil
	}
	args := make([]any, len(ns))
	for i, n := range ns {
		args[i] = n
	}
	rows, err := s.db.QueryContext(ctx, `SELECT t.n, `+titleColumns+` FROM titles t WHERE t.n IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(ns)), ",")+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byN := map[int64]operator.Title{}
	for rows.Next() {
		var n int64
		var t operator.Title
		var name, desc string
		if err := rows.Scan(&n, &t.ID, &t.CategoryID, &name, &desc, &t.Year, &t.DurationSec, &t.Language, &t.Rating,
			&t.PosterURL, &t.SeriesID, &t.Season, &t.Episode); err != nil {
			return nil, err
		}
		t.Name, t.Description = parseText(name), parseText(desc)
		byN[n] = t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]operator.Title, 0, len(ns))
	for _, n := range ns {
		if t, ok := byN[n]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// nameStart begins every name in the index, so that the start of a name
// is a trigram even for a query of one character. normalise removes it
// from queries.
const nameStart = "\x02 "

// phrase quotes s as an FTS5 phrase.
func phrase(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// normalise folds s for search: compatibility composition (full-width
// Latin to ASCII, Hangul jamo to syllables), lower case, ё to е, and
// white space and control characters collapsed to single spaces.
func normalise(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
			continue
		case r == 'ё' || r == 'Ё':
			r = 'е'
		default:
			r = unicode.ToLower(r)
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// names are the normalised names of a title, as the search index keeps
// them: each name after nameStart, so that "\x02 x" finds names starting
// with x and " xy" words starting with xy.
type names struct{ ko, en, ru, other string }

func splitNames(t operator.Text) names {
	var n names
	var other []string
	for lang, s := range t {
		s = nameStart + normalise(s)
		switch lang {
		case "ko":
			n.ko = s
		case "en":
			n.en = s
		case "ru":
			n.ru = s
		default:
			other = append(other, s)
		}
	}
	slices.Sort(other)
	n.other = strings.Join(other, "")
	return n
}
