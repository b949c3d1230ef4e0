//go:build walk

package walk

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/build/internal/rig"
)

// env is what every walk shares: the binaries, the head-end and where the
// screenshots go.
var env struct {
	bin      string // directory of manbang and manbang-headend
	shots    string // directory of the screenshots
	operator string // the head-end's URL
	boxArgs  []string
}

// headendGenerate bounds the head-end's start: the first one makes the
// demo's media with ffmpeg (about two minutes on two busy cores).
const headendGenerate = 10 * time.Minute

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "manbang-walk-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "walk:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	h, err := setup(tmp)
	if err != nil {
		fmt.Fprintln(os.Stderr, "walk:", err)
		return 1
	}
	defer h.Kill()
	return m.Run()
}

// setup finds the binaries (WALK_BIN, else it builds them), empties the
// screenshot directory (WALK_SHOTS, default bin/walk) and starts the demo
// head-end on its data directory (WALK_DATA, default make run's).
func setup(tmp string) (*rig.Headend, error) {
	if os.Getenv("DISPLAY") == "" {
		return nil, fmt.Errorf("no display: the box's UI needs one (make walk runs the suite under Xvfb)")
	}
	env.bin = os.Getenv("WALK_BIN")
	if env.bin == "" {
		env.bin = filepath.Join(tmp, "bin")
		cmd := exec.Command("go", "build", "-tags", "gles2", "-o", env.bin+"/", "github.com/manbang/manbang/cmd/manbang", "github.com/manbang/manbang/cmd/manbang-headend")
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build: %w\n%s", err, out)
		}
	}
	env.shots = os.Getenv("WALK_SHOTS")
	if env.shots == "" {
		env.shots = filepath.Join("..", "..", "bin", "walk")
	}
	if err := os.MkdirAll(env.shots, 0o755); err != nil {
		return nil, err
	}
	old, _ := filepath.Glob(filepath.Join(env.shots, "*.png"))
	for _, f := range old {
		os.Remove(f)
	}
	// WALK_BOX_ARGS adds flags to every box, to try a walk another way
	// (WALK_BOX_ARGS=--live-unicast); make walk sets none.
	env.boxArgs = strings.Fields(os.Getenv("WALK_BOX_ARGS"))

	data := os.Getenv("WALK_DATA")
	if data == "" {
		data = defaultData()
	}
	fmt.Fprintf(os.Stderr, "walk: head-end on the demo in %s (the first run makes its media with ffmpeg)\n", data)
	log := &lastLines{max: 40}
	ctx, cancel := context.WithTimeout(context.Background(), headendGenerate)
	defer cancel()
	h, err := rig.StartHeadend(ctx, rig.HeadendConfig{
		Bin:  filepath.Join(env.bin, "manbang-headend"),
		Args: []string{"--demo", "--addr", "127.0.0.1:0", "--data", data},
		Lines: func(l string) {
			log.add(l)
			// The demo's progress, but for what was made before.
			if (strings.HasPrefix(l, "[") && !strings.HasSuffix(l, " cached")) || strings.Contains(l, "serving") {
				fmt.Fprintln(os.Stderr, "walk: head-end:", l)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%w; its last lines:\n%s", err, log)
	}
	env.operator = h.URL
	return h, nil
}

// defaultData is the head-end's data directory of make run
// (build/run-demo.sh), so that the demo's media is made once for both.
func defaultData() string {
	if d := os.Getenv("MANBANG_DATA"); d != "" {
		return d
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "manbang-headend")
}

// lastLines keeps the last max lines written to it.
type lastLines struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func (l *lastLines) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
	if len(l.lines) > l.max {
		l.lines = l.lines[len(l.lines)-l.max:]
	}
}

func (l *lastLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// TestWalk walks every path of the viewer, one box per walk, in order;
// the steps are numbered across the walks.
func TestWalk(t *testing.T) {
	t.Run("vod", walkVOD)
	t.Run("search", walkSearch)
	t.Run("live", walkLive)
	t.Run("guide", walkGuide)
	t.Run("settings", walkSettings)
	t.Run("privacy", walkPrivacy)
	t.Run("phone", walkPhone)
	t.Run("media", walkMedia)
}
