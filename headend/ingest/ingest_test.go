package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// source makes, once, a 3 s 640×360 test clip with audio.
var source = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "ingest-test-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "clip.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
		"-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", path).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("make clip: %v: %s", err, out)
	}
	sourceDir = dir
	return path, nil
})

var sourceDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if sourceDir != "" {
		os.RemoveAll(sourceDir)
	}
	os.Exit(code)
}

func needFFmpeg(t *testing.T) string {
	t.Helper()
	for _, c := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s not installed", c)
		}
	}
	path, err := source()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRun(t *testing.T) {
	input := needFFmpeg(t)
	dir := filepath.Join(t.TempDir(), "title")
	var mu sync.Mutex
	var calls []time.Duration
	ladder := []Rung{{720, 2000, 128}, {360, 700, 96}, {270, 500, 96}, {180, 300, 64}, {144, 200, 64}}
	res, err := Run(context.Background(), Options{Input: input, Dir: dir, Ladder: ladder, Progress: func(done, total time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if total != 3*time.Second {
			t.Errorf("progress total %v", total)
		}
		calls = append(calls, done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	// 720p is taller than the source; 3 rungs at most.
	var names []string
	for _, r := range res.Renditions {
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "360p,270p,180p" || res.Renditions[1].Width != 480 || !res.Source.HasAudio {
		t.Errorf("result %+v", res)
	}
	if len(calls) == 0 || calls[len(calls)-1] != 3*time.Second {
		t.Errorf("progress %v, want it to end at 3s", calls)
	}
	master, err := os.ReadFile(filepath.Join(dir, MasterName))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#EXT-X-STREAM-INF", "360p.m3u8", "270p.m3u8", "180p.m3u8", "RESOLUTION=480x270"} {
		if !strings.Contains(string(master), want) {
			t.Errorf("master playlist lacks %q:\n%s", want, master)
		}
	}
	// ffprobe accepts the master playlist and every rendition.
	out, err := exec.Command("ffprobe", "-v", "error", "-of", "json", "-show_streams", "-show_format", filepath.Join(dir, MasterName)).Output()
	if err != nil {
		t.Fatalf("ffprobe master: %v", err)
	}
	var p struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
			CodecName string `json:"codec_name"`
			Height    int    `json:"height"`
		} `json:"streams"`
	}
	json.Unmarshal(out, &p)
	heights := map[int]bool{}
	audio := 0
	for _, s := range p.Streams {
		if s.CodecType == "video" && s.CodecName == "h264" {
			heights[s.Height] = true
		}
		if s.CodecType == "audio" && s.CodecName == "aac" {
			audio++
		}
	}
	if !reflect.DeepEqual(heights, map[int]bool{360: true, 270: true, 180: true}) || audio != 3 {
		t.Errorf("ffprobe streams %+v", p.Streams)
	}
	f, err := os.Open(filepath.Join(dir, PosterName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := jpeg.DecodeConfig(f)
	if err != nil || cfg.Width != 320 || cfg.Height != 180 {
		t.Errorf("poster %+v, %v", cfg, err)
	}
	// A directory with something in it is refused.
	if _, err := Run(context.Background(), Options{Input: input, Dir: dir}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second run: %v", err)
	}
}

func TestRunMP3AndSmallSource(t *testing.T) {
	input := needFFmpeg(t)
	dir := filepath.Join(t.TempDir(), "title")
	res, err := Run(context.Background(), Options{Input: input, Dir: dir, Ladder: []Rung{{720, 1000, 128}}, AudioCodec: "mp3"})
	if err != nil {
		t.Fatal(err)
	}
	// The source is shorter than every rung: one rendition at its height.
	if len(res.Renditions) != 1 || res.Renditions[0].Height != 360 || res.Renditions[0].Name != "360p" {
		t.Errorf("renditions %+v", res.Renditions)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-of", "csv=p=0", "-show_entries", "stream=codec_name", filepath.Join(dir, "360p.m3u8")).Output()
	if err != nil || !strings.Contains(string(out), "mp3") {
		t.Errorf("ffprobe: %s, %v", out, err)
	}
}

func TestRenditions(t *testing.T) {
	src := Source{Width: 1920, Height: 1080, HasAudio: true}
	var names []string
	for _, r := range renditions(src, Options{Ladder: DefaultLadder, Rungs: DefaultRungs}) {
		names = append(names, fmt.Sprintf("%s %dx%d", r.Name, r.Width, r.Height))
	}
	if got := strings.Join(names, ","); got != "1080p 1920x1080,720p 1280x720,480p 854x480" {
		t.Errorf("renditions of 1080p: %s", got)
	}
	odd := renditions(Source{Width: 101, Height: 99}, Options{Ladder: DefaultLadder, Rungs: 3})
	if len(odd) != 1 || odd[0].Height != 98 || odd[0].Width%2 != 0 {
		t.Errorf("renditions of 101x99: %+v", odd)
	}
}

func TestRunErrors(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	notMedia := filepath.Join(dir, "notes.txt")
	os.WriteFile(notMedia, []byte("hello"), 0o644)
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{Dir: dir}, "no input"},
		{Options{Input: notMedia, Dir: filepath.Join(dir, "a")}, "ffprobe"},
		{Options{Input: filepath.Join(dir, "missing.mp4"), Dir: filepath.Join(dir, "b")}, "missing.mp4"},
		{Options{Input: notMedia, Dir: filepath.Join(dir, "c"), AudioCodec: "opus"}, "neither aac nor mp3"},
	} {
		if _, err := Run(context.Background(), tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run(%+v): %v, want %q", tt.opts, err, tt.want)
		}
	}
}

func TestParseProbe(t *testing.T) {
	tests := []struct {
		in   string
		want Source
		err  string
	}{
		{`{"streams":[{"codec_type":"video","width":1920,"height":1080,"avg_frame_rate":"30000/1001"},{"codec_type":"audio"}],"format":{"duration":"61.5"}}`,
			Source{Duration: 61500 * time.Millisecond, Width: 1920, Height: 1080, FPS: 30000.0 / 1001, HasAudio: true}, ""},
		{`{"streams":[{"codec_type":"video","width":300,"height":300,"disposition":{"attached_pic":1}},{"codec_type":"video","width":640,"height":360,"avg_frame_rate":"0/0","duration":"5"}],"format":{}}`,
			Source{Duration: 5 * time.Second, Width: 640, Height: 360}, ""},
		{`{"streams":[{"codec_type":"audio"}],"format":{"duration":"5"}}`, Source{}, "no video stream"},
		{`{"streams":[{"codec_type":"video","width":640,"height":360}],"format":{"duration":"N/A"}}`, Source{}, "unknown duration"},
		{`{"streams":[{"codec_type":"video","width":99999,"height":360}],"format":{"duration":"1"}}`, Source{}, "too large"},
		{`<html>`, Source{}, "ffprobe output"},
	}
	for _, tt := range tests {
		got, err := parseProbe([]byte(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestReadProgress(t *testing.T) {
	in := "frame=10\nout_time_us=400000\nprogress=continue\nout_time_ms=-5\nout_time_ms=1500000\nprogress=continue\nbogus\nout_time_us=3000000\nprogress=end\n"
	var got []string
	readProgress(strings.NewReader(in), func(done time.Duration, end bool) {
		got = append(got, fmt.Sprint(done, end))
	})
	if want := []string{"400ms false", "1.5s false", "3s true"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestBar(t *testing.T) {
	for _, tt := range []struct {
		done, total time.Duration
		want        string
	}{
		{0, 50 * time.Second, "[..........] 0% 0:00/0:50"},
		{25 * time.Second, 50 * time.Second, "[#####.....] 50% 0:25/0:50"},
		{2 * time.Hour, 90 * time.Minute, "[##########] 100% 1:30:00/1:30:00"},
		{time.Second, 0, "[..........] 0% 0:00/0:00"},
	} {
		if got := Bar(tt.done, tt.total, 10); got != tt.want {
			t.Errorf("Bar(%v, %v) = %q, want %q", tt.done, tt.total, got, tt.want)
		}
	}
}

// FuzzParseProbe feeds arbitrary ffprobe output: never a panic, and what
// is accepted has a video size and a duration.
func FuzzParseProbe(f *testing.F) {
	f.Add(`{"streams":[{"codec_type":"video","width":1920,"height":1080,"avg_frame_rate":"25/1"}],"format":{"duration":"1"}}`)
	f.Add(`{"streams":[{"codec_type":"video","width":-1,"height":1e9,"avg_frame_rate":"1/0"}],"format":{"duration":"1e400"}}`)
	f.Fuzz(func(t *testing.T, in string) {
		s, err := parseProbe([]byte(in))
		if err == nil && (s.Width <= 0 || s.Height <= 0 || s.Duration <= 0 || s.FPS < 0) {
			t.Fatalf("accepted %+v", s)
		}
	})
}

// FuzzReadProgress feeds arbitrary progress output: never a panic, never
// a negative position.
func FuzzReadProgress(f *testing.F) {
	f.Add("out_time_us=1\nprogress=continue\n")
	f.Add("out_time_ms=99999999999999999999\nprogress=end")
	f.Fuzz(func(t *testing.T, in string) {
		readProgress(strings.NewReader(in), func(done time.Duration, end bool) {
			if done < 0 {
				t.Fatalf("position %v", done)
			}
		})
	})
}
