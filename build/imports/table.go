// Package imports keeps the table "Who may import whom" in
// docs/ARCHITECTURE.md true. It reads the table's rules from the document
// itself, lists the module's packages and their imports with go list, and
// reports every import the table does not allow and every package it has
// no line for, saying which line to change or what line to add. Its test
// runs it on the module under go test ./....
package imports

import (
	"fmt"
	"regexp"
	"strings"
)

// DocPath is the document that holds the table, relative to the module.
const DocPath = "docs/ARCHITECTURE.md"

// section is the heading of the table's section; its code blocks hold the
// rules and the names of third-party packages.
const section = "## Who may import whom"

// A table is the rules and names of the section, as written.
type table struct {
	rules []rule
	names map[string]name
}

type kind int

const (
	allowRule kind = iota // importers → what they may import
	onlyRule              // only importers → what no one else may import
	neverRule             // never importers → what they may not import
)

// A rule is one line of the table (with its continuation lines).
type rule struct {
	kind     kind
	line     int    // in the document, from 1
	text     string // as written, continuation lines joined
	who      []subject
	what     []entry
	anything bool // "→ anything"
	stdOnly  bool // "→ standard library only"
}

// A subject is one importer of a rule: a package or pattern, or its tests.
type subject struct {
	pattern string // "ui/gfx", "player/*"; "" for "tests": every package's tests
	tests   bool   // "ui (tests)" or "tests": only the tests
}

// An entry is one thing a rule names on the right of its arrow.
type entry struct {
	token   string // as written
	name    string // a third-party name ("gl"), or "" for a package of the module
	pattern string // a package of the module or a pattern ("player/*")
}

// A name is a line "name = path": a third-party package (path and every
// package below it), or C for cgo.
type name struct {
	line int
	name string
	path string
}

var (
	tokenSyntax = regexp.MustCompile(`^[a-z0-9_.-]+(/[a-z0-9_.-]+)*(/\*)?$`)
	pathSyntax  = regexp.MustCompile(`^([a-zA-Z0-9_.~-]+)(/[a-zA-Z0-9_.~-]+)*$`)
	note        = regexp.MustCompile(`\([^()]*\)`)
)

// parse reads the table from the document. A line it cannot read is a
// problem about the table itself (Problem.Pkg empty).
func parse(doc []byte) (*table, []Problem) {
	lines := strings.Split(string(doc), "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == section {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, []Problem{tableProblem(0, "%s has no section %q: the imports test reads its rules from there", DocPath, section)}
	}

	type raw struct {
		line int
		text string
	}
	var raws []raw
	inBlock, cont := false, false
	for i := start + 1; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " \t\r")
		if !inBlock && strings.HasPrefix(l, "## ") {
			break
		}
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			inBlock, cont = !inBlock, false
			continue
		}
		if !inBlock {
			continue
		}
		if strings.TrimSpace(l) == "" {
			cont = false
			continue
		}
		if cont && (l[0] == ' ' || l[0] == '\t') {
			raws[len(raws)-1].text += " " + strings.TrimSpace(l)
			continue
		}
		raws = append(raws, raw{i + 1, strings.TrimSpace(l)})
		cont = true
	}

	t := &table{names: map[string]name{}}
	var probs []Problem
	var pending []rule // rules whose entries wait for every name to be known
	for _, r := range raws {
		text := strings.Join(strings.Fields(r.text), " ")
		left, right, isRule := strings.Cut(text, "→")
		if !isRule {
			n, p, isName := strings.Cut(text, "=")
			n, p = strings.TrimSpace(n), strings.TrimSpace(p)
			switch {
			case !isName:
				probs = append(probs, tableProblem(r.line, "%q is neither a rule `importers → imports` nor a name `name = import path`", text))
			case !tokenSyntax.MatchString(n) || strings.HasSuffix(n, "*"):
				probs = append(probs, tableProblem(r.line, "%q is not a name: a name is a word like gl or x/sys", n))
			case p != "C" && !pathSyntax.MatchString(p):
				probs = append(probs, tableProblem(r.line, "%q is not an import path", p))
			case t.names[n].line != 0:
				probs = append(probs, tableProblem(r.line, "the name %s is given twice (also on line %d)", n, t.names[n].line))
			default:
				t.names[n] = name{r.line, n, p}
			}
			continue
		}
		ru, ps := parseRule(r.line, text, strings.TrimSpace(left), strings.TrimSpace(right))
		probs = append(probs, ps...)
		if len(ps) == 0 {
			pending = append(pending, ru)
		}
	}
	for _, ru := range pending {
		for i, e := range ru.what {
			if _, ok := t.names[e.token]; ok {
				ru.what[i].name = e.token
			} else {
				ru.what[i].pattern = e.token
			}
		}
		t.rules = append(t.rules, ru)
	}
	if len(t.rules) == 0 && len(probs) == 0 {
		probs = append(probs, tableProblem(start+1, "the section %q has no rules (lines `importers → imports` in a code block)", section))
	}
	return t, probs
}

func parseRule(line int, text, left, right string) (rule, []Problem) {
	ru := rule{kind: allowRule, line: line, text: text}
	var probs []Problem
	bad := func(format string, args ...any) {
		probs = append(probs, tableProblem(line, format, args...))
	}
	if l, ok := strings.CutPrefix(left, "only "); ok {
		ru.kind, left = onlyRule, l
	} else if l, ok := strings.CutPrefix(left, "never "); ok {
		ru.kind, left = neverRule, l
	}

	for _, s := range strings.Split(left, ",") {
		s = strings.TrimSpace(s)
		var sub subject
		if p, ok := strings.CutSuffix(s, "(tests)"); ok {
			sub = subject{pattern: strings.TrimSpace(p), tests: true}
		} else if s == "tests" {
			if ru.kind == allowRule {
				bad("`tests` alone is for `only` and `never` lines; for one package's tests write `pkg (tests)`")
				continue
			}
			sub = subject{tests: true}
		} else {
			sub = subject{pattern: s}
		}
		if sub.pattern != "" || !sub.tests {
			if !tokenSyntax.MatchString(sub.pattern) {
				bad("%q is not a package: write a path in the module such as ui/gfx, or a pattern such as player/*", s)
				continue
			}
		}
		ru.who = append(ru.who, sub)
	}

	right = strings.TrimSpace(note.ReplaceAllString(right, ""))
	switch right {
	case "":
		bad("nothing after the arrow: a package that imports nothing outside the standard library says `standard library only`")
	case "anything", "standard library only":
		if ru.kind != allowRule {
			bad("%q is for plain rules, not `only` or `never` lines", right)
		}
		ru.anything, ru.stdOnly = right == "anything", right == "standard library only"
	default:
		for _, tok := range strings.Split(right, ",") {
			tok = strings.TrimSpace(tok)
			switch {
			case tok == "anything" || tok == "standard library only":
				bad("%q stands alone after the arrow", tok)
			case !tokenSyntax.MatchString(tok):
				bad("%q is neither a package of the module (ui/gfx, player/*) nor a name of a third-party package (gl)", tok)
			default:
				ru.what = append(ru.what, entry{token: tok})
			}
		}
	}
	return ru, probs
}

// validate reports the rules' words that name nothing in the module: a
// package moved or removed, a typing error, a name given to a package of
// the module.
func (t *table) validate(pkgs []string) []Problem {
	var probs []Problem
	matchesSome := func(pattern string) bool {
		for _, p := range pkgs {
			if match(pattern, p) {
				return true
			}
		}
		return false
	}
	for _, n := range t.names {
		if matchesSome(n.name) {
			probs = append(probs, tableProblem(n.line, "the name %s is also a package of the module: choose another name", n.name))
		}
	}
	for _, r := range t.rules {
		for _, s := range r.who {
			if s.pattern != "" && !matchesSome(s.pattern) {
				probs = append(probs, tableProblem(r.line, "%s matches no package of the module (moved or removed? change this line)", s.pattern))
			}
		}
		for _, e := range r.what {
			if e.name == "" && !matchesSome(e.pattern) {
				probs = append(probs, tableProblem(r.line, "%s is neither a package of the module nor a name given in the section (`name = import path`)", e.token))
			}
		}
	}
	return probs
}

// match reports whether a package (relative to the module) is pattern:
// "player/*" is every package below player, at any depth, not player itself.
func match(pattern, pkg string) bool {
	if dir, ok := strings.CutSuffix(pattern, "/*"); ok {
		return strings.HasPrefix(pkg, dir+"/")
	}
	return pattern == pkg
}

func (s subject) matches(pkg string, test bool) bool {
	if s.tests && !test {
		return false
	}
	return s.pattern == "" || match(s.pattern, pkg)
}

func (e entry) matches(tg target) bool {
	if e.name != "" {
		return e.name == tg.name
	}
	return tg.pkg != "" && match(e.pattern, tg.pkg)
}

func (r rule) whoMatches(pkg string, test bool) bool {
	for _, s := range r.who {
		if s.matches(pkg, test) {
			return true
		}
	}
	return false
}

func (r rule) whatMatches(tg target) bool {
	for _, e := range r.what {
		if e.matches(tg) {
			return true
		}
	}
	return false
}

func (r rule) cite() string {
	return fmt.Sprintf("%s:%d: %s", DocPath, r.line, r.text)
}
