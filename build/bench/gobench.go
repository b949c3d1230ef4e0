package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// goBench is one line of `go test -bench` output: the benchmark's name
// and its figures by unit.
type goBench struct {
	name    string
	figures map[string]float64
	order   []string
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// parseGoBench reads the result lines of `go test -bench` output.
func parseGoBench(out []byte) []goBench {
	var bs []goBench
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		b := goBench{name: m[1], figures: map[string]float64{}}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			b.figures[f[i+1]] = v
			b.order = append(b.order, f[i+1])
		}
		bs = append(bs, b)
	}
	return bs
}

// runGoBench compiles pkg's tests and runs the benchmarks matching pattern
// in pkg's directory (where their testdata is), under display when set. It
// returns the results and the CPU time of the test process.
func runGoBench(ctx context.Context, c config, pkg, pattern, benchtime, display string) ([]goBench, time.Duration, error) {
	bin := filepath.Join(c.work, "tests", strings.ReplaceAll(strings.TrimPrefix(pkg, "./"), "/", "_")+".test")
	build := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, pkg)
	if out, err := build.CombinedOutput(); err != nil {
		return nil, 0, fmt.Errorf("compile %s tests: %w: %s", pkg, err, tail(string(out)))
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.CommandContext(ctx, abs, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", benchtime, "-test.benchmem")
	cmd.Dir = pkg
	if display != "" {
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, 0, fmt.Errorf("benchmarks of %s: %w: %s", pkg, err, tail(string(out)))
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return parseGoBench(out), cpu, nil
}

// benchPackages lists the packages under root with benchmarks.
func benchPackages(root string) []string {
	var pkgs []string
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte("\nfunc Benchmark")) {
			p := "./" + filepath.Dir(path)
			if len(pkgs) == 0 || pkgs[len(pkgs)-1] != p {
				pkgs = append(pkgs, p)
			}
		}
		return nil
	})
	return pkgs
}

// better says which way a benchmark unit is good.
func better(unit string) string {
	if strings.HasSuffix(unit, "/s") {
		return "higher"
	}
	return "lower"
}

// benchUI runs the UI's benchmarks under Xvfb and measures cold start
// and key-to-state latency through the control endpoint.
func benchUI(ctx context.Context, c config, st streams, x *xvfb, r *Results) error {
	var failed []string
	for _, pkg := range benchPackages("ui") {
		bs, _, err := runGoBench(ctx, c, pkg, ".", "2s", x.display)
		if err != nil {
			failed = append(failed, err.Error())
			continue
		}
		for _, b := range bs {
			for _, unit := range b.order {
				if unit == "B/op" || unit == "allocs/op" {
					continue
				}
				v, u := b.figures[unit], unit
				if unit == "ns/op" {
					v, u = v/1e6, "ms/op"
				}
				r.add(Metric{Section: "ui", Name: strings.TrimPrefix(pkg, "./") + " " + b.name, Unit: u, Better: better(u),
					Values: map[string]float64{"manbang": v}, Note: fmt.Sprintf("%.0f B/op, %.0f allocs/op", b.figures["B/op"], b.figures["allocs/op"])})
			}
		}
	}
	if err := benchUIControl(ctx, c, x, r); err != nil {
		failed = append(failed, err.Error())
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s", strings.Join(failed, "; "))
	}
	return nil
}
