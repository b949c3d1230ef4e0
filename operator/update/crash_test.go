package update_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/manbang/manbang/operator/update"
	"github.com/manbang/manbang/operator/update/bootenv"
)

// The crash helper: the test binary re-executed to run one update that
// kills itself with SIGKILL at a chosen step, as a power cut would stop it.
const helperEnv = "MANBANG_UPDATE_CRASH_HELPER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(helperEnv); spec != "" {
		os.Exit(crashHelper(spec))
	}
	update.SetWriteChunk(64 << 10)
	os.Exit(m.Run())
}

// crashHelper runs an update described by spec
// ("STEP:N|SERVER|PUBKEY|BOXDIR") and SIGKILLs itself at the Nth STEP.
func crashHelper(spec string) int {
	update.SetWriteChunk(64 << 10)
	f := strings.Split(spec, "|")
	step, nth, _ := strings.Cut(f[0], ":")
	var n, seen int
	fmt.Sscan(nth, &n)
	pub, _ := hex.DecodeString(f[2])
	bx := &box{dir: f[3], a: f[3] + "/slot-a", b: f[3] + "/slot-b", env: f[3] + "/boot.env", data: f[3] + "/data"}
	cfg := bx.config(f[1], ed25519.PublicKey(pub), "A", "1.0.0")
	cfg.SetFault(func(s string) {
		if s == step {
			if seen++; seen == n {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
	})
	a, err := update.New(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if _, err := a.Update(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	return 0 // the step was never reached
}

// TestPowerCutAtEveryStep kills an update at each step and checks that
// the box still boots a complete image, and that the next run finishes the
// update (resuming the download when it was cut short).
func TestPowerCutAtEveryStep(t *testing.T) {
	steps := []string{"check:1", "verified:1", "download-chunk:1", "download-chunk:5", "download:1",
		"marked:1", "write-chunk:1", "write-chunk:4", "written:1", "switched:1"}
	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			bx := newBox(t)
			rel := newRelease(t, "2.0.0", nil)
			url := serve(t, rel)
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"="+strings.Join([]string{step, url, hex.EncodeToString(rel.pub), bx.dir}, "|"))
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("the helper was not killed at %s: %v\n%s", step, err, out)
			}
			slot := bx.checkBoots(t, rel)
			if step != "switched:1" && slot != "A" {
				t.Fatalf("killed at %s, the box boots %s", step, slot)
			}
			// Drain the Range offsets of the killed run.
			for len(rel.rangeStarts) > 0 {
				<-rel.rangeStarts
			}
			res, err := bx.agent(t, bx.config(url, rel.pub, "A", "1.0.0")).Update(context.Background())
			if err != nil {
				t.Fatalf("the update after the cut: %v", err)
			}
			if res.Slot != "B" || bx.checkBoots(t, rel) != "B" {
				t.Fatalf("after the cut and a rerun: %+v", res)
			}
			if step == "download-chunk:5" {
				select {
				case start := <-rel.rangeStarts:
					if start <= 0 {
						t.Fatalf("resumed at %d", start)
					}
				default:
					t.Fatal("the cut download was not resumed")
				}
			}
			env, _ := bootenv.File{Path: bx.env}.Load()
			if !bootenv.Confirmed(env, "A") {
				t.Fatalf("the fallback slot A lost its confirmation: %v", env)
			}
		})
	}
}
