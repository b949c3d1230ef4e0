package imports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Module is a module's packages and what they import.
type Module struct {
	Path     string // the module's path: github.com/manbang/manbang
	Packages []Package
}

// A Package is one package of the module and its imports, as import paths.
type Package struct {
	Path        string   // relative to the module: ui/gfx
	Imports     []string // of its non-test files
	TestImports []string // of its _test.go files, in the package and in the external _test package
}

// Load lists the packages of the module in dir with go list, built with
// the given tags (a comma-separated list, as -tags takes it). The files
// the tags or the system leave out (another GOOS, the fault suite's
// "faults" tag) are read too, so that their imports are checked as well.
func Load(dir, tags string) (Module, error) {
	args := []string{"list", "-json=ImportPath,Dir,Module,Imports,TestImports,XTestImports,IgnoredGoFiles"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.Command("go", append(args, "./...")...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return Module{}, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}

	var m Module
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var lp struct {
			ImportPath, Dir string
			Module          *struct{ Path string }
			Imports         []string
			TestImports     []string
			XTestImports    []string
			IgnoredGoFiles  []string
		}
		if err := dec.Decode(&lp); err != nil {
			return Module{}, fmt.Errorf("go list: %w", err)
		}
		if lp.Module == nil {
			return Module{}, fmt.Errorf("go list: %s is in no module", lp.ImportPath)
		}
		if m.Path == "" {
			m.Path = lp.Module.Path
		} else if lp.Module.Path != m.Path {
			return Module{}, fmt.Errorf("go list: %s is in module %s, not %s", lp.ImportPath, lp.Module.Path, m.Path)
		}
		p := Package{
			Path:        strings.TrimPrefix(strings.TrimPrefix(lp.ImportPath, m.Path), "/"),
			Imports:     lp.Imports,
			TestImports: append(lp.TestImports, lp.XTestImports...),
		}
		if p.Path == "" {
			p.Path = "."
		}
		for _, f := range lp.IgnoredGoFiles {
			imps, err := fileImports(filepath.Join(lp.Dir, f))
			if err != nil {
				return Module{}, err
			}
			if strings.HasSuffix(f, "_test.go") {
				p.TestImports = append(p.TestImports, imps...)
			} else {
				p.Imports = append(p.Imports, imps...)
			}
		}
		p.Imports, p.TestImports = sorted(p.Imports), sorted(p.TestImports)
		m.Packages = append(m.Packages, p)
	}
	return m, nil
}

func fileImports(path string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	if err != nil {
		return nil, fmt.Errorf("imports of %s: %w", path, err)
	}
	var imps []string
	for _, s := range f.Imports {
		imp, err := strconv.Unquote(s.Path.Value)
		if err != nil {
			return nil, fmt.Errorf("imports of %s: %w", path, err)
		}
		imps = append(imps, imp)
	}
	return imps, nil
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
