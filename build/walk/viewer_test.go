//go:build walk

package walk

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/build/internal/rig"
)

// Deadlines of the waits. A screen answers a key within a frame or two;
// what comes from the head-end (a page of titles, a stream's first
// picture) takes longer on a busy machine.
const (
	keyWait    = 5 * time.Second
	loadWait   = 20 * time.Second
	stepLimit  = time.Minute
	startLimit = 30 * time.Second
)

// viewer is one walk: a new box, and the steps taken on it in order.
type viewer struct {
	t      *testing.T
	box    *rig.Box
	failed string // the first step that failed: the later ones are not walked
}

// stepNo numbers the steps across the walks, for the screenshots' names.
var stepNo int

// newViewer starts a new box against the head-end (with args after the
// walk's own flags) and waits for Home with its rows. The box reads no
// remote of the machine's: its keys come only from the control endpoint.
func newViewer(t *testing.T, args ...string) *viewer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startLimit)
	defer cancel()
	flags := append([]string{"--evdev", "none", "--lirc", "none", "--cec", "none"}, env.boxArgs...)
	b, err := rig.StartBox(ctx, rig.BoxConfig{
		Bin: filepath.Join(env.bin, "manbang"), Operator: env.operator,
		StateDir: t.TempDir(), CacheDir: t.TempDir(), Args: append(flags, args...),
	})
	if err != nil {
		t.Fatal(err)
	}
	v := &viewer{t: t, box: b}
	t.Cleanup(func() {
		b.Stop()
		if log := b.Stderr(); strings.Contains(log, "panic:") || strings.Contains(log, "fatal error:") {
			t.Errorf("the box crashed:\n%s", log)
		}
	})
	return v
}

// step walks one step as a sub-test named NN-name: do presses keys and
// checks what the box shows; then the screenshot is kept as
// NN-name.png, also when do failed, and must not be blank. After a
// failed step the walk's later steps are skipped, saying which failed.
func (v *viewer) step(name string, do func(ctx context.Context) error) bool {
	stepNo++
	id := fmt.Sprintf("%02d-%s", stepNo, name)
	path := filepath.Join(env.shots, id+".png")
	return v.t.Run(id, func(t *testing.T) {
		if v.failed != "" {
			t.Skipf("not walked: step %s failed before it", v.failed)
		}
		ctx, cancel := context.WithTimeout(context.Background(), stepLimit)
		defer cancel()
		err := do(ctx)
		img, shotErr := v.shoot(ctx, path)
		switch {
		case err != nil:
			v.failed = id
			t.Fatalf("step %s: %v\nscreenshot: %s%s", id, err, path, v.logTail())
		case shotErr != nil:
			v.failed = id
			t.Fatalf("step %s: screenshot: %v", id, shotErr)
		}
		if why := blank(img); why != "" {
			v.failed = id
			t.Fatalf("step %s: the screen is blank (%s)\nscreenshot: %s", id, why, path)
		}
	})
}

// logTail is the end of the box's log, for a failure's message, without
// ALSA's complaints that the machine has no sound card.
func (v *viewer) logTail() string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(v.box.Stderr()), "\n") {
		if !strings.HasPrefix(l, "ALSA lib ") {
			lines = append(lines, l)
		}
	}
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return "\nthe box's last log lines:\n" + strings.Join(lines, "\n")
}

// shoot takes a screenshot, keeps it at path and returns it.
func (v *viewer) shoot(ctx context.Context, path string) (image.Image, error) {
	raw, err := v.box.Screenshot(ctx)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		return nil, err
	}
	return png.Decode(bytes.NewReader(raw))
}

// picture takes a screenshot without keeping it, to compare.
func (v *viewer) picture(ctx context.Context) (image.Image, error) {
	raw, err := v.box.Screenshot(ctx)
	if err != nil {
		return nil, err
	}
	return png.Decode(bytes.NewReader(raw))
}

// press presses keys in order.
func (v *viewer) press(ctx context.Context, keys ...string) error {
	return v.box.Keys(ctx, keys...)
}

// state returns the box's state now.
func (v *viewer) state(ctx context.Context) (rig.State, error) {
	return v.box.State(ctx)
}

// on waits until the box shows the screen named name and ok holds for
// its JSON; what names what is waited for, in the error. Without ok, the
// screen is enough.
func on[T any](ctx context.Context, v *viewer, name, what string, d time.Duration, ok func(T) bool) (T, error) {
	return until(ctx, v, name, what, d, func(s T) (bool, error) { return ok == nil || ok(s), nil })
}

// until is on with a check that can fail the wait at once: an error on
// screen is what the viewer sees, and waiting longer would not change it.
func until[T any](ctx context.Context, v *viewer, name, what string, d time.Duration, check func(T) (bool, error)) (T, error) {
	var got T
	_, err := v.box.Poll(ctx, d, func(s rig.State) (bool, error) {
		if s.Current.Screen != name {
			return false, nil
		}
		var sc T
		if err := s.Screen(&sc); err != nil {
			return false, fmt.Errorf("the %s screen's JSON: %w", name, err)
		}
		done, err := check(sc)
		if done {
			got = sc
		}
		return done, err
	})
	if err != nil {
		return got, fmt.Errorf("%s: %w", what, err)
	}
	return got, nil
}

// move presses key until at holds for the screen's JSON, at most n
// times, waiting after each press for where (the focus, as a string) to
// change. It returns the screen as it is then.
func move[T any](ctx context.Context, v *viewer, name, key string, n int, where func(T) string, at func(T) bool) (T, error) {
	cur, err := on[T](ctx, v, name, "the "+name+" screen", keyWait, nil)
	if err != nil {
		return cur, err
	}
	for i := 0; ; i++ {
		if at(cur) {
			return cur, nil
		}
		if i == n {
			return cur, fmt.Errorf("pressed %q %d times on %s and did not get there (focus %s)", key, n, name, where(cur))
		}
		was := where(cur)
		if err := v.press(ctx, key); err != nil {
			return cur, err
		}
		cur, err = on(ctx, v, name, fmt.Sprintf("the focus to move from %s with %q", was, key), keyWait, func(s T) bool { return where(s) != was })
		if err != nil {
			return cur, err
		}
	}
}

// backTo presses Back until the box shows the screen named name, at most
// n times, each press waiting for the screen to change.
func (v *viewer) backTo(ctx context.Context, name string, n int) error {
	for i := 0; ; i++ {
		s, err := v.state(ctx)
		if err != nil {
			return err
		}
		if s.Current.Screen == name {
			return nil
		}
		if i == n {
			return fmt.Errorf("pressed back %d times and did not get to %s (stack %v)", n, name, s.Stack)
		}
		depth := len(s.Stack)
		if err := v.press(ctx, "back"); err != nil {
			return err
		}
		if _, err := v.box.WaitState(ctx, keyWait, func(s rig.State) bool { return len(s.Stack) < depth }); err != nil {
			return fmt.Errorf("back from %s: %w", s.Current.Screen, err)
		}
	}
}
