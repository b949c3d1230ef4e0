package player

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/manbang/manbang/player/internal/fftest"
)

func TestMain(m *testing.M) { fftest.Main(m, "player-test") }

// fixture and ffmpeg are fftest's, by the names the tests use.
var (
	fixture = fftest.Make
	ffmpeg  = fftest.FFmpeg
)

// makeTS encodes a clip with the ffmpeg CLI into an MPEG-TS file, once per
// set of arguments.
func makeTS(t testing.TB, name string, args ...string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(strings.Join(args, "\x00")))
	return fixture(t, hex.EncodeToString(sum[:6])+"-"+name, func(p string) error {
		return ffmpeg(append(args, "-f", "mpegts", p)...)
	})
}

// makeFile encodes a clip into a file whose container ffmpeg picks by the
// name's extension, once per set of arguments.
func makeFile(t testing.TB, name string, args ...string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(strings.Join(args, "\x00")))
	return fixture(t, hex.EncodeToString(sum[:6])+"-"+name, func(p string) error {
		return ffmpeg(append(args, p)...)
	})
}

// makeHLS encodes a VOD HLS presentation into a directory of its own, with
// playlist index.m3u8 and segments of segSeconds.
func makeHLS(t testing.TB, name string, segSeconds int, args ...string) string {
	t.Helper()
	return fixture(t, name, func(dir string) error {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		all := append(append([]string{}, args...), "-f", "hls", "-hls_time", fmt.Sprint(segSeconds), "-hls_list_size", "0",
			"-hls_playlist_type", "vod", "-hls_segment_filename", filepath.Join(dir, "s%d.ts"), filepath.Join(dir, "index.m3u8"))
		return ffmpeg(all...)
	})
}

// serveDir serves dir over HTTP on 127.0.0.1 until the test ends.
func serveDir(t testing.TB, dir string) string {
	return serve(t, http.FileServer(http.Dir(dir)))
}

func serve(t testing.TB, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// segments returns the segment names of a playlist file, in order.
func segments(t testing.TB, playlist string) []string {
	t.Helper()
	b, err := os.ReadFile(playlist)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}
