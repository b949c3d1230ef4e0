//go:build faults

package faults

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/ui/state"
)

// stateChildEnv makes the test binary a writer of states: it saves the
// state with resume position 1 s, 2 s, … into the directory it names,
// printing each position once its Save returned, until killed.
const stateChildEnv = "FAULTS_STATE_WRITER"

func init() {
	dir := os.Getenv(stateChildEnv)
	if dir == "" {
		return
	}
	st, err := state.Load(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer:", err)
		os.Exit(2)
	}
	start := 0
	if p, ok := st.ResumeAt("t1"); ok {
		start = int(p.Seconds())
	}
	title := operator.Title{ID: "t1"}
	for i := start + 1; ; i++ {
		st.SetResume(title, time.Duration(i)*time.Second, time.Now())
		st.Settings.Lang = []string{"ko", "en", "ru"}[i%3]
		if err := state.Save(dir, st); err != nil {
			fmt.Fprintln(os.Stderr, "writer:", err)
			os.Exit(2)
		}
		fmt.Println(i)
	}
}

// TestStateSurvivesKill9 kills a process in the middle of writing the
// box's state (settings and resume positions) with SIGKILL, many times,
// and checks that the state always loads and lost at most the write in
// flight. It tests ui/state's Save, which the box uses for --state DIR.
func TestStateSurvivesKill9(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var lostWrites, maxTemps int
	for i := range n {
		cmd := exec.Command(self, "-test.run", "^$")
		cmd.Env = append(os.Environ(), stateChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a random number of acknowledged writes, 1 to 8, and
		// sometimes a random few hundred microseconds into the next one.
		target := 1 + rng.IntN(8)
		sc := bufio.NewScanner(out)
		last := -1
		for sc.Scan() {
			v, _ := strconv.Atoi(strings.TrimSpace(sc.Text()))
			last = v
			target--
			if target == 0 {
				break
			}
		}
		if rng.IntN(2) == 0 {
			spin := time.Now().Add(time.Duration(rng.IntN(800)) * time.Microsecond)
			for time.Now().Before(spin) {
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		// Writes acknowledged between the last line read and the kill.
		for sc.Scan() {
			if v, err := strconv.Atoi(strings.TrimSpace(sc.Text())); err == nil {
				last = v
			}
		}
		cmd.Wait()
		if last < 0 {
			t.Fatalf("kill %d: the writer acknowledged no write", i)
		}
		st, err := state.Load(dir)
		if err != nil {
			report.add("state", "kill -9 during state writes", verdict(false), fmt.Sprintf("kill %d: state does not load: %v", i, err))
			t.Fatalf("kill %d: the state does not load: %v", i, err)
		}
		pos, ok := st.ResumeAt("t1")
		got := int(pos.Seconds())
		// Every acknowledged write must be there; the one in flight may be.
		if !ok || got < last || got > last+1 {
			report.add("state", "kill -9 during state writes", verdict(false), fmt.Sprintf("kill %d: position %d s after acknowledging %d s", i, got, last))
			t.Fatalf("kill %d: resume position %d s (present %v) after the writer acknowledged %d s", i, got, ok, last)
		}
		if got == last {
			lostWrites++
		}
		temps, _ := filepath.Glob(filepath.Join(dir, state.FileName+".*.tmp"))
		maxTemps = max(maxTemps, len(temps))
	}
	temps, _ := filepath.Glob(filepath.Join(dir, state.FileName+".*.tmp"))
	// The writer calls Save only; the box's store removes what kills left
	// when it opens (state.NewSaver), as here.
	removed := state.RemoveStale(dir, time.Now())
	remain, _ := filepath.Glob(filepath.Join(dir, state.FileName+".*.tmp"))
	detail := fmt.Sprintf("%d kills: the state always loaded with every acknowledged write; the write in flight was absent %d times (allowed); %d temporary files left behind by the kills (at most %d at once), %d removed by the store's clean-up on opening (state.RemoveStale), %d remain",
		n, lostWrites, len(temps), maxTemps, removed, len(remain))
	ok := len(remain) == 0
	report.add("state", "kill -9 during state writes", verdict(ok), detail)
	t.Log(detail)
	if !ok {
		t.Errorf("temporary files remain after the store's clean-up: %v", remain)
	}
}
