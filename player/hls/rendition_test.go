package hls

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/player/internal/fftest"
)

// renditionFixture makes, with ffmpeg's HLS muxer, a video-only variant
// and two alternative audio renditions in Korean and Russian.
func renditionFixture(t *testing.T) string {
	t.Helper()
	return fftest.Make(t, "renditions", func(dir string) error {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		return fftest.FFmpeg("-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25",
			"-f", "lavfi", "-i", "sine=frequency=300", "-f", "lavfi", "-i", "sine=frequency=600",
			"-t", "3", "-map", "0:v", "-map", "1:a", "-map", "2:a",
			"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-b:a", "32k",
			"-f", "hls", "-hls_time", "1", "-hls_list_size", "0", "-hls_playlist_type", "vod",
			"-master_pl_name", "master.m3u8",
			"-var_stream_map", "v:0,agroup:aud a:0,agroup:aud,language:kor a:1,agroup:aud,language:rus",
			"-hls_segment_filename", filepath.Join(dir, "s%v_%d.ts"), filepath.Join(dir, "p%v.m3u8"))
	})
}

func playlistSegments(t *testing.T, dir, playlist string) []byte {
	var names []string
	for _, line := range strings.Split(string(readFile(t, filepath.Join(dir, playlist))), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	return concat(t, dir, names...)
}

func TestAudioRenditions(t *testing.T) {
	dir := renditionFixture(t)
	srv := serve(t, http.FileServer(http.Dir(dir)))
	r, err := Open(context.Background(), srv.URL+"/master.m3u8", Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rends := r.AudioRenditions()
	if len(rends) != 2 || rends[0].Language != "kor" || rends[1].Language != "rus" {
		t.Fatalf("renditions %+v, want kor and rus", rends)
	}
	// The variant played is the one with video, never an audio-only one.
	got, err := readAll(t, r, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if want := playlistSegments(t, dir, "p0.m3u8"); !bytes.Equal(got, want) {
		t.Errorf("variant: read %d bytes, want the %d of p0", len(got), len(want))
	}
	a, err := r.OpenRendition(context.Background(), rends[1])
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	got, err = readAll(t, a, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if want := playlistSegments(t, dir, "p2.m3u8"); !bytes.Equal(got, want) {
		t.Errorf("rendition: read %d bytes, want the %d of p2", len(got), len(want))
	}
	if _, err := r.OpenRendition(context.Background(), Rendition{Name: "muxed"}); err == nil {
		t.Error("opened a rendition without URI")
	}
}
