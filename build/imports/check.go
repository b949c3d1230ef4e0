package imports

import (
	"fmt"
	"slices"
	"strings"
)

// A Problem is an import the table does not allow, a package the table
// has no line for, or a line of the table that cannot be read.
type Problem struct {
	Pkg    string // the importing package, relative to the module; "" for a fault of the table itself
	Import string // the import as the table names it ("player/hls", "gl"); "" when Pkg has no line
	Test   bool   // the import is in Pkg's tests
	Line   int    // the line of the document the problem is about; 0 when Pkg has no line
	Msg    string // what is wrong and what to change
}

func (p Problem) String() string { return p.Msg }

func tableProblem(line int, format string, args ...any) Problem {
	return Problem{Line: line, Msg: fmt.Sprintf("%s:%d: ", DocPath, line) + fmt.Sprintf(format, args...)}
}

// Check checks the module's imports against the table in doc (the text
// of docs/ARCHITECTURE.md). A table that cannot be read, or that names
// packages the module does not have, is reported alone.
func Check(doc []byte, m Module) []Problem {
	t, probs := parse(doc)
	if len(probs) > 0 {
		return probs
	}
	var pkgs []string
	for _, p := range m.Packages {
		pkgs = append(pkgs, p.Path)
	}
	if probs := t.validate(pkgs); len(probs) > 0 {
		return probs
	}
	for _, p := range m.Packages {
		probs = append(probs, t.checkPackage(m.Path, p)...)
	}
	return probs
}

// A target is an import as the table sees it.
type target struct {
	pkg  string // a package of the module, relative to it
	name string // or the name of a third-party package
	path string // the import path
}

func (tg target) String() string {
	switch {
	case tg.pkg != "":
		return tg.pkg
	case tg.name != "" && tg.name != tg.path:
		return tg.name + " (" + tg.path + ")"
	case tg.name != "":
		return tg.name
	}
	return tg.path
}

// label is the import as a rule would name it.
func (tg target) label() string {
	switch {
	case tg.pkg != "":
		return tg.pkg
	case tg.name != "":
		return tg.name
	}
	return tg.path
}

// resolve says what the table calls an import, and false for the
// standard library, which every package may import.
func (t *table) resolve(modPath, imp string) (target, bool) {
	if rel, ok := strings.CutPrefix(imp, modPath+"/"); ok {
		return target{pkg: rel, path: imp}, true
	}
	if imp == modPath {
		return target{pkg: ".", path: imp}, true
	}
	first, _, _ := strings.Cut(imp, "/")
	if imp != "C" && !strings.Contains(first, ".") {
		return target{}, false
	}
	tg := target{path: imp}
	best := ""
	for _, n := range t.names {
		if (imp == n.path || strings.HasPrefix(imp, n.path+"/")) && len(n.path) > len(best) {
			tg.name, best = n.name, n.path
		}
	}
	return tg, true
}

func (t *table) checkPackage(modPath string, p Package) []Problem {
	var code, tests []rule
	for _, r := range t.rules {
		if r.kind != allowRule {
			continue
		}
		if r.whoMatches(p.Path, false) {
			code = append(code, r)
		}
		if r.whoMatches(p.Path, true) {
			tests = append(tests, r)
		}
	}
	if len(code) == 0 {
		return []Problem{t.noLine(modPath, p)}
	}
	var probs []Problem
	for _, imp := range p.Imports {
		if pr, bad := t.checkImport(modPath, p.Path, imp, false, code); bad {
			probs = append(probs, pr)
		}
	}
	self := modPath + "/" + p.Path
	for _, imp := range p.TestImports {
		if imp == self || slices.Contains(p.Imports, imp) {
			continue // the external test package imports its package; the code's imports are checked above
		}
		if pr, bad := t.checkImport(modPath, p.Path, imp, true, tests); bad {
			probs = append(probs, pr)
		}
	}
	return probs
}

// checkImport checks one import of pkg (or of its tests) against the
// table, given the plain rules that name pkg (or its tests).
func (t *table) checkImport(modPath, pkg, imp string, test bool, rules []rule) (Problem, bool) {
	tg, checked := t.resolve(modPath, imp)
	if !checked {
		return Problem{}, false
	}
	who := pkg + " imports"
	if test {
		who = pkg + "'s tests import"
	}
	fail := func(line int, format string, args ...any) (Problem, bool) {
		return Problem{Pkg: pkg, Import: tg.label(), Test: test, Line: line,
			Msg: fmt.Sprintf("%s %s: ", who, tg) + fmt.Sprintf(format, args...)}, true
	}

	if tg.pkg == "" && tg.name == "" {
		n := imp[strings.LastIndex(imp, "/")+1:]
		return fail(0, "a third-party package the table has no name for.\n"+
			"  To allow it, add a line `%s = %s` to the names in %s (%q), and %s to a line for %s.", n, imp, DocPath, section, n, pkg)
	}
	for _, r := range t.rules {
		if r.kind == neverRule && r.whoMatches(pkg, test) && r.whatMatches(tg) {
			return fail(r.line, "forbidden by\n    %s\n  Remove the import; if the layering has changed, change that line first.", r.cite())
		}
	}
	for _, r := range t.rules {
		if r.kind != onlyRule || !r.whatMatches(tg) || r.whoMatches(pkg, test) {
			continue
		}
		if !test && r.whoMatches(pkg, true) {
			return fail(r.line, "outside the tests, but\n    %s\n  keeps %s for tests. Import it from a _test.go file only.", r.cite(), tg.label())
		}
		return fail(r.line, "kept for other packages by\n    %s\n  To allow it, add %s to the left of that line.", r.cite(), pkg)
	}
	if !test {
		for _, r := range rules {
			if !r.stdOnly {
				continue
			}
			fix := fmt.Sprintf("write `%s → %s` instead", pkg, tg.label())
			if len(r.who) > 1 {
				fix = fmt.Sprintf("take %s out of that line and add a line `%s → %s`", pkg, pkg, tg.label())
			}
			return fail(r.line, "not allowed by\n    %s\n  To allow it, %s.", r.cite(), fix)
		}
	}
	for _, r := range rules {
		if !r.stdOnly && (r.anything || r.whatMatches(tg)) {
			return Problem{}, false
		}
	}

	var cites []string
	own := 0 // a line that is pkg's own, to add the import to
	for _, r := range rules {
		cites = append(cites, "    "+r.cite())
		for _, s := range r.who {
			if s.pattern == pkg && s.tests == test && len(r.who) == 1 && !r.stdOnly && !r.anything {
				own = r.line
			}
		}
	}
	line := fmt.Sprintf("%s → %s", pkg, tg.label())
	if test {
		line = fmt.Sprintf("%s (tests) → %s", pkg, tg.label())
	}
	fix, at := fmt.Sprintf("add a line `%s`", line), rules[0].line
	if own != 0 {
		fix, at = fmt.Sprintf("add %s to line %d", tg.label(), own), own
	}
	return fail(at, "no line for %s allows it:\n%s\n  To allow it, %s; or remove the import.", pkg, strings.Join(cites, "\n"), fix)
}

// noLine is the problem of a package the table has no line for, with the
// lines that would allow what it imports now.
func (t *table) noLine(modPath string, p Package) Problem {
	labels := func(imps []string) []string {
		var out []string
		for _, imp := range imps {
			if imp == modPath+"/"+p.Path {
				continue
			}
			if tg, checked := t.resolve(modPath, imp); checked && !slices.Contains(out, tg.label()) {
				out = append(out, tg.label())
			}
		}
		slices.Sort(out)
		return out
	}
	code := labels(p.Imports)
	var tests []string
	for _, l := range labels(p.TestImports) {
		if !slices.Contains(code, l) {
			tests = append(tests, l)
		}
	}
	lines := "    " + p.Path + " → standard library only"
	if len(code) > 0 {
		lines = "    " + p.Path + " → " + strings.Join(code, ", ")
	}
	if len(tests) > 0 {
		lines += "\n    " + p.Path + " (tests) → " + strings.Join(tests, ", ")
	}
	return Problem{Pkg: p.Path, Msg: fmt.Sprintf("%s has no line in %s (%q). Add one; for what it imports now:\n%s",
		p.Path, DocPath, section, lines)}
}
