package imports

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// tags are the build tags of every build (the Makefile's GOFLAGS).
const tags = "gles2"

// TestArchitecture keeps the table "Who may import whom" of
// docs/ARCHITECTURE.md true for the module.
func TestArchitecture(t *testing.T) {
	root, m, doc := module(t)
	if !slices.ContainsFunc(m.Packages, func(p Package) bool { return p.Path == "build/imports" }) {
		t.Fatalf("go list found %d packages, not this one", len(m.Packages))
	}
	for _, p := range Check(doc, m) {
		t.Error(p)
	}
	recordInputs(t, root)
}

// The real table catches an import planted in the real module, and
// reports it alone (beside whatever TestArchitecture reports).
func TestArchitecturePlanted(t *testing.T) {
	_, real, doc := module(t)
	line := func(text string) int { // the line that begins with text, however it is aligned
		for i, l := range strings.Split(string(doc), "\n") {
			if strings.HasPrefix(strings.Join(strings.Fields(l), " "), text) {
				return i + 1
			}
		}
		t.Fatalf("%s has no line %q", DocPath, text)
		return 0
	}
	mp := real.Path + "/"
	cases := []struct {
		name  string
		plant func(m *Module)
		want  want
		say   string // in the message
	}{
		{"player imports ui", func(m *Module) { addImport(m, "player/hls", mp+"ui/draw", false) },
			want{"player/hls", "ui/draw", false, line("never player, player/* → ui, ui/*")}, "player/hls imports ui/draw"},
		{"a package imports what its line does not name", func(m *Module) { addImport(m, "ui/state", mp+"player", false) },
			want{"ui/state", "player", false, line("ui/state →")}, "add player to line"},
		{"a test import no line allows", func(m *Module) { addImport(m, "operator", mp+"player", true) },
			want{"operator", "player", true, line("operator (tests)")}, "add player to line " + fmt.Sprint(line("operator (tests)"))},
		{"a standard-library-only package imports the module", func(m *Module) { addImport(m, "ui/i18n", mp+"operator", false) },
			want{"ui/i18n", "operator", false, line("ui/diskcache, ui/golden, ui/i18n, ui/textinput → standard library only")}, "take ui/i18n out of that line"},
		{"gl outside ui/gfx", func(m *Module) { addImport(m, "cmd/manbang", "github.com/go-gl/gl/v3.1/gles2", false) },
			want{"cmd/manbang", "gl", false, line("only ui/gfx → gl")}, "add cmd/manbang to the left of that line"},
		{"a test helper outside tests", func(m *Module) { addImport(m, "player", mp+"player/internal/fftest", false) },
			want{"player", "player/internal/fftest", false, line("only tests → ")}, "Import it from a _test.go file only"},
		{"a dependency with no name", func(m *Module) { addImport(m, "ui", "github.com/example/widgets", false) },
			want{"ui", "github.com/example/widgets", false, 0}, "`widgets = github.com/example/widgets`"},
		{"a package with no line", func(m *Module) {
			m.Packages = append(m.Packages, Package{Path: "ui/core",
				Imports:     []string{"fmt", mp + "ui/draw", mp + "operator"},
				TestImports: []string{"testing", mp + "ui/core", mp + "ui/draw", mp + "player/media"}})
		}, want{"ui/core", "", false, 0}, "ui/core → operator, ui/draw\n    ui/core (tests) → player/media"},
	}
	before := map[string]bool{} // what TestArchitecture reports, if anything
	for _, p := range Check(doc, real) {
		if p.Pkg == "" {
			t.Skip("the table has faults of its own; TestArchitecture reports them")
		}
		before[p.Msg] = true
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := clone(real)
			c.plant(&m)
			var probs []Problem
			for _, p := range Check(doc, m) {
				if !before[p.Msg] {
					probs = append(probs, p)
				}
			}
			expect(t, probs, []want{c.want})
			if len(probs) == 1 && !strings.Contains(probs[0].Msg, c.say) {
				t.Errorf("the message does not say %q:\n%s", c.say, probs[0].Msg)
			}
		})
	}
}

const synthDoc = "# Test\n\n" + // line 1
	"## Who may import whom\n" + // 3
	"\n" +
	"```\n" +
	"cmd/*      → anything\n" + // 6
	"app        → app/*, lib, (the note)\n" + // 7
	"               gl\n" +
	"app/view   → lib\n" + // 9
	"app/*      → lib/base\n" + // 10
	"app/view (tests) → app/fake\n" + // 11
	"lib, lib/base → standard library only\n" + // 12
	"only app → gl\n" + // 13
	"only tests → app/fake\n" + // 14
	"never lib → app\n" + // 15
	"```\n" +
	"\n" +
	"```\n" +
	"gl = github.com/go-gl/gl\n" + // 19
	"```\n" +
	"\n" +
	"## Next\n" +
	"```\n" +
	"not → read\n" +
	"```\n"

func synthModule() Module {
	return Module{Path: "example.com/m", Packages: []Package{
		{Path: "cmd/tool", Imports: []string{"example.com/m/app", "github.com/go-gl/gl/v2.1/gl" /* only app's: below */}},
		{Path: "app", Imports: []string{"example.com/m/app/view", "example.com/m/lib", "github.com/go-gl/gl/v2.1/gl", "os"}},
		{Path: "app/view", Imports: []string{"example.com/m/lib", "example.com/m/lib/base"},
			TestImports: []string{"example.com/m/app/fake", "example.com/m/app/view", "testing"}},
		{Path: "app/fake", Imports: []string{"example.com/m/lib/base"}},
		{Path: "lib"},
		{Path: "lib/base", Imports: []string{"strings"}},
	}}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name  string
		plant func(m *Module)
		want  []want
	}{
		{"as the table says", func(m *Module) { m.Packages[0].Imports = m.Packages[0].Imports[:1] }, nil},
		{"only keeps gl from anything", func(m *Module) {}, []want{{"cmd/tool", "gl", false, 13}}},
		{"an import no line names", func(m *Module) { addImport(m, "app/view", "example.com/m/app/fake", false) },
			[]want{{"cmd/tool", "gl", false, 13}, {"app/view", "app/fake", false, 14}}},
		{"a test import no line names", func(m *Module) { addImport(m, "app/fake", "example.com/m/app", true) },
			[]want{{"cmd/tool", "gl", false, 13}, {"app/fake", "app", true, 10}}},
		{"only keeps gl for app", func(m *Module) { addImport(m, "app/view", "github.com/go-gl/gl/v2.1/gl", false) },
			[]want{{"cmd/tool", "gl", false, 13}, {"app/view", "gl", false, 13}}},
		{"a dependency with no name", func(m *Module) { addImport(m, "lib/base", "golang.org/x/text", false) },
			[]want{{"cmd/tool", "gl", false, 13}, {"lib/base", "golang.org/x/text", false, 0}}},
		{"never", func(m *Module) { addImport(m, "lib", "example.com/m/app", true) },
			[]want{{"cmd/tool", "gl", false, 13}, {"lib", "app", true, 15}}},
		{"a package with no line", func(m *Module) { m.Packages = append(m.Packages, Package{Path: "tools/gen"}) },
			[]want{{"cmd/tool", "gl", false, 13}, {"tools/gen", "", false, 0}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := synthModule()
			c.plant(&m)
			expect(t, Check([]byte(synthDoc), m), c.want)
		})
	}
}

func TestCheckStandardLibraryOnly(t *testing.T) {
	m := synthModule()
	m.Packages[0].Imports = m.Packages[0].Imports[:1]
	addImport(&m, "lib/base", "example.com/m/lib", false)
	probs := Check([]byte(synthDoc), m)
	expect(t, probs, []want{{"lib/base", "lib", false, 12}})
	if len(probs) == 1 && !strings.Contains(probs[0].Msg, "lib/base imports lib: not allowed by\n    docs/ARCHITECTURE.md:12: lib, lib/base → standard library only") {
		t.Errorf("the message does not cite the line:\n%s", probs[0].Msg)
	}
}

// A table that cannot be read, or names what the module does not have, is
// reported alone, before any import.
func TestCheckTable(t *testing.T) {
	cases := []struct {
		name      string
		from, to  string // a change of synthDoc
		wantLine  int
		wantWords string
	}{
		{"no section", "## Who may import whom", "## Imports", 0, "no section"},
		{"an unknown package", "app/view   → lib\n", "app/view   → lib, lib/extra\n", 9, "lib/extra is neither"},
		{"a stale importer", "app/view (tests)", "app/gone (tests)", 11, "app/gone matches no package"},
		{"not a rule", "never lib → app\n", "lib may not import app\n", 15, "neither a rule"},
		{"nothing after the arrow", "app/*      → lib/base\n", "app/*      →\n", 10, "nothing after the arrow"},
		{"a name given twice", "gl = github.com/go-gl/gl\n", "gl = github.com/go-gl/gl\ngl = github.com/go-gl/gl/v2.1\n", 20, "given twice"},
		{"a name that is a package", "gl = github.com/go-gl/gl\n", "gl = github.com/go-gl/gl\nlib = example.org/lib\n", 20, "also a package"},
		{"tests alone in a plain rule", "app/view (tests)", "tests", 11, "`tests` alone"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := strings.Replace(synthDoc, c.from, c.to, 1)
			if doc == synthDoc {
				t.Fatalf("%q is not in the document", c.from)
			}
			probs := Check([]byte(doc), synthModule())
			if len(probs) != 1 || probs[0].Pkg != "" || probs[0].Line != c.wantLine || !strings.Contains(probs[0].Msg, c.wantWords) {
				t.Errorf("want one problem of the table, line %d, saying %q; got %d:\n%s", c.wantLine, c.wantWords, len(probs), list(probs))
			}
		})
	}
}

// Load reads what go list says, the tests' imports and the files other
// build tags leave out; the checker finds a violation in each.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":               "module example.com/m\n\ngo 1.22\n",
		"app/app.go":           "package app\n\nimport _ \"example.com/m/lib\"\n",
		"app/app_test.go":      "package app\n\nimport _ \"example.com/m/tool\"\n",
		"lib/lib.go":           "package lib\n",
		"lib/lib_test.go":      "package lib_test\n\nimport _ \"example.com/m/lib\"\nimport _ \"example.com/m/tool\"\n",
		"lib/other.go":         "//go:build plan9\n\npackage lib\n\nimport _ \"example.com/m/app\"\n",
		"lib/tagged_test.go":   "//go:build faults\n\npackage lib\n\nimport _ \"example.com/m/more\"\n",
		"more/more.go":         "package more\n",
		"tool/tool.go":         "package tool\n\nimport _ \"example.com/m/app\"\n",
		"tool/testdata/x/x.go": "package x\n\nimport _ \"example.com/m/nowhere\"\n",
		"docs/ARCHITECTURE.md": "## Who may import whom\n```\napp → lib\nlib → standard library only\ntool → anything\nmore → standard library only\n```\n",
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Load(dir, tags)
	if err != nil {
		t.Fatal(err)
	}
	if m.Path != "example.com/m" || len(m.Packages) != 4 {
		t.Fatalf("want example.com/m with app, lib, more and tool; got %+v", m)
	}
	expect(t, Check([]byte(files["docs/ARCHITECTURE.md"]), m), []want{
		{"app", "tool", true, 3}, // app_test.go
		{"lib", "app", false, 4}, // other.go, for plan9
		{"lib", "tool", true, 4}, // lib_test.go, package lib_test
		{"lib", "more", true, 4}, // tagged_test.go, for faults
	})
}

type want struct {
	pkg, imp string
	test     bool
	line     int
}

func expect(t *testing.T, probs []Problem, wants []want) {
	t.Helper()
	var got []want
	for _, p := range probs {
		got = append(got, want{p.Pkg, p.Import, p.Test, p.Line})
	}
	key := func(w want) string { return fmt.Sprintf("%s|%s|%t|%d", w.pkg, w.imp, w.test, w.line) }
	slices.SortFunc(got, func(a, b want) int { return strings.Compare(key(a), key(b)) })
	slices.SortFunc(wants, func(a, b want) int { return strings.Compare(key(a), key(b)) })
	if !slices.Equal(got, wants) {
		t.Errorf("want problems (package, import, test, line)\n  %v\ngot\n  %v\n%s", wants, got, list(probs))
	}
}

func list(probs []Problem) string {
	var b strings.Builder
	for _, p := range probs {
		fmt.Fprintf(&b, "%s\n", p.Msg)
	}
	return b.String()
}

func addImport(m *Module, pkg, imp string, test bool) {
	for i := range m.Packages {
		p := &m.Packages[i]
		if p.Path != pkg {
			continue
		}
		if test {
			p.TestImports = append(p.TestImports, imp)
		} else {
			p.Imports = append(p.Imports, imp)
		}
		return
	}
	panic("no package " + pkg)
}

func clone(m Module) Module {
	m.Packages = slices.Clone(m.Packages)
	for i := range m.Packages {
		m.Packages[i].Imports = slices.Clone(m.Packages[i].Imports)
		m.Packages[i].TestImports = slices.Clone(m.Packages[i].TestImports)
	}
	return m
}

var loadModule = sync.OnceValues(func() (Module, error) {
	root, err := moduleRoot()
	if err != nil {
		return Module{}, err
	}
	return Load(root, tags)
})

// module is this module as go list sees it, and its architecture document.
func module(t *testing.T) (root string, m Module, doc []byte) {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	m, err = loadModule()
	if err != nil {
		t.Fatal(err)
	}
	doc, err = os.ReadFile(filepath.Join(root, DocPath))
	if err != nil {
		t.Fatal(err)
	}
	return root, m, doc
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// recordInputs opens every directory of the module and looks at every Go
// file, so that go test's cache, which watches the files a test opens but
// not those go list reads, runs the test again when an import, a file or
// a package changes.
func recordInputs(t *testing.T, root string) {
	os.Getenv("GOFLAGS")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(name, ".go") || name == "go.mod") {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
