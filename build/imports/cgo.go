package imports

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

// CgoDeps lists the packages outside the standard library among pkg's
// dependencies (pkg included) that have cgo files, as go list -deps shows
// them with the given build tags. The standard library's own (net's
// resolver, runtime/cgo) are left out: they build without cgo too.
func CgoDeps(dir, tags, pkg string) ([]string, error) {
	args := []string{"list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{len .CgoFiles}}"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %v: %s", pkg, err, stderr.Bytes())
	}
	var cgo []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[1] == "false" && f[2] != "0" {
			cgo = append(cgo, f[0])
		}
	}
	return cgo, sc.Err()
}
