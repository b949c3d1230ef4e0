//go:build faults

package faults

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/manbang/manbang/build/internal/rig"
)

// box is the box's UI process, driven through its control endpoint.
type box struct{ *rig.Box }

// boxState is what the suite reads of GET /api/v1/state.
type boxState = rig.State

// startBox starts `manbang --operator URL --control 127.0.0.1:0` on the
// display of the environment and waits for its control endpoint. The box
// has state and cache directories of its own, empty: it is a new box, and
// what another test's box (or the user's own) kept does not leak into it.
func startBox(t *testing.T, ctx context.Context, operator string, extra ...string) *box {
	t.Helper()
	b, err := rig.StartBox(ctx, rig.BoxConfig{
		Bin: filepath.Join(fixture.bin, "manbang"), Operator: operator,
		StateDir: t.TempDir(), CacheDir: t.TempDir(),
		Args: append([]string{"--lang", "en", "--log-level", "warn"}, extra...),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &box{b}
}

// newGarbageServer answers every request with 200 and random bytes.
func newGarbageServer(t *testing.T) string {
	rng := rand.New(rand.NewPCG(5, 9))
	b := make([]byte, 8192)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
