package player

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/source"
)

// abrVariants makes three variants of one 6-second clip in 2-second
// segments, from the lowest to the highest, and returns their directories
// with the peak bandwidth of each.
func abrVariants(t *testing.T) ([]string, []int) {
	sizes := []struct{ size, rate string }{{"160x90", "80k"}, {"320x180", "250k"}, {"640x360", "900k"}}
	var dirs []string
	var bws []int
	for i, s := range sizes {
		dir := makeHLS(t, fmt.Sprintf("abr%d", i), 2, join(
			[]string{"-f", "lavfi", "-i", "testsrc2=size=" + s.size + ":rate=25"}, audioIn,
			[]string{"-t", "6"}, h264, []string{"-b:v", s.rate, "-c:a", "aac", "-b:a", "32k"})...)
		peak := 0
		for _, seg := range segments(t, filepath.Join(dir, "index.m3u8")) {
			st, err := os.Stat(filepath.Join(dir, seg))
			if err != nil {
				t.Fatal(err)
			}
			peak = max(peak, int(st.Size()*8/2))
		}
		if i > 0 && peak <= bws[i-1] {
			t.Fatalf("variant bandwidths not increasing: %v then %d", bws, peak)
		}
		dirs, bws = append(dirs, dir), append(bws, peak)
	}
	return dirs, bws
}

// slowFirst serves a directory, sending the first segment asked for at
// rate bits per second and everything else at full speed.
type slowFirst struct {
	root  string
	rate  int
	files http.Handler
	once  sync.Once
}

func (s *slowFirst) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	slow := false
	if strings.HasSuffix(r.URL.Path, ".ts") {
		s.once.Do(func() { slow = true })
	}
	if !slow {
		s.files.ServeHTTP(w, r)
		return
	}
	body, err := os.ReadFile(filepath.Join(s.root, filepath.FromSlash(r.URL.Path)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	start := time.Now()
	for off := 0; off < len(body); off += 4096 {
		due := start.Add(time.Duration(float64(off*8) / float64(s.rate) * float64(time.Second)))
		select {
		case <-time.After(time.Until(due)):
		case <-r.Context().Done():
			return
		}
		w.Write(body[off:min(off+4096, len(body))])
		w.(http.Flusher).Flush()
	}
}

// A master playlist with three variants, whose first segment comes
// slowly: the player switches down, then up again, and every frame of the
// clip is decoded, across the changes of picture size.
func TestHLSAdaptive(t *testing.T) {
	dirs, bws := abrVariants(t)
	root := filepath.Dir(dirs[0])
	var master strings.Builder
	master.WriteString("#EXTM3U\n")
	for i, d := range dirs {
		fmt.Fprintf(&master, "#EXT-X-STREAM-INF:BANDWIDTH=%d,RESOLUTION=%s\n%s/index.m3u8\n", bws[i], []string{"160x90", "320x180", "640x360"}[i], filepath.Base(d))
	}
	mux := http.NewServeMux()
	mux.Handle("/", &slowFirst{root: root, rate: bws[2] * 3 / 4, files: http.FileServer(http.Dir(root))})
	mux.HandleFunc("/master.m3u8", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, master.String()) })
	url := serve(t, mux)
	log := newFrameLog()
	st, err := play(t, url+"/master.m3u8", Options{Fast: true, Audio: audio.NewSilent(nil), Video: log})
	if err != nil {
		t.Fatal(err)
	}
	if st.VariantSwitches != 2 || st.VariantBandwidth != bws[2] {
		t.Errorf("%d switches ending at %d bit/s; want 2 (down, then up) ending at %d", st.VariantSwitches, st.VariantBandwidth, bws[2])
	}
	if st.VideoFrames != 150 || st.DecodeErrors != 0 || !log.widths[640] || len(log.widths) < 2 {
		t.Errorf("%d frames, %d decode errors, widths %v; want all 150 frames across two sizes", st.VideoFrames, st.DecodeErrors, log.widths)
	}
	if st.ContinuityErrors != 0 { // each variant counts on its own: a switch is no error
		t.Errorf("%d continuity errors across variant switches, want none", st.ContinuityErrors)
	}
}

// renditionHLS makes a video-only variant with two audio renditions, a
// 300 Hz one in Korean and a 600 Hz one in Russian, with ffmpeg's HLS
// muxer.
func renditionHLS(t *testing.T) string {
	return fixture(t, "renditions", func(dir string) error {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		return ffmpeg(join(videoIn,
			[]string{"-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000", "-f", "lavfi", "-i", "sine=frequency=600:sample_rate=48000"},
			[]string{"-t", "3", "-map", "0:v", "-map", "1:a", "-map", "2:a"}, h264, []string{"-c:a", "aac", "-b:a", "48k",
				"-f", "hls", "-hls_time", "1", "-hls_list_size", "0", "-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8",
				"-var_stream_map", "v:0,agroup:aud a:0,agroup:aud,language:kor a:1,agroup:aud,language:rus",
				"-hls_segment_filename", filepath.Join(dir, "s%v_%d.ts"), filepath.Join(dir, "p%v.m3u8")})...)
	})
}

// The audio of the chosen rendition plays with the variant's video: two
// transport streams, demuxed side by side.
func TestHLSAudioRenditions(t *testing.T) {
	url := serveDir(t, renditionHLS(t)) + "/master.m3u8"
	sink := newToneSink()
	st, err := play(t, url, Options{Audio: sink, AudioLang: "ru"})
	if err != nil {
		t.Fatal(err)
	}
	if st.AudioLang != "rus" || st.VideoFrames != 75 || st.AudioMS < 2900 || st.AudioCodec != "aac" {
		t.Errorf("%q audio (%s, %.0f ms) with %d frames; want rus, 3 s, 75 frames", st.AudioLang, st.AudioCodec, st.AudioMS, st.VideoFrames)
	}
	if hz := sink.hz(); hz < 580 || hz > 620 {
		t.Errorf("heard %.0f Hz, want the 600 Hz of the Russian rendition", hz)
	}
	// Both streams seek: the video variant and the audio rendition.
	st, err = play(t, url, Options{Fast: true, Audio: audio.NewSilent(nil), StartAt: time.Second})
	if err != nil || st.VideoFrames != 50 || st.AudioMS < 1950 || st.AudioMS > 2100 {
		t.Errorf("from 1 s: %v, %d frames, %.0f ms of audio; want 50 frames and 2 s", err, st.VideoFrames, st.AudioMS)
	}
	for lang, want := range map[string]string{"ko": "kor", "": "kor", "kor": "kor"} {
		st, err := play(t, url, Options{Fast: true, Audio: audio.NewSilent(nil), AudioLang: lang})
		if err != nil || st.AudioLang != want || st.AudioMS < 2900 || st.VideoFrames != 75 {
			t.Errorf("AudioLang %q: %v, %q audio, %.0f ms, %d frames", lang, err, st.AudioLang, st.AudioMS, st.VideoFrames)
		}
	}
}

// An ad break: two encodes with unrelated timestamps (the second starts
// 10 s before the first), joined by EXT-X-DISCONTINUITY. The clock
// re-anchors at the break: every frame is shown, the position goes on.
func TestHLSDiscontinuity(t *testing.T) {
	a := makeHLS(t, "disc-a", 1, join(videoIn, audioIn, []string{"-t", "2"}, h264, []string{"-c:a", "aac", "-output_ts_offset", "10"})...)
	b := makeHLS(t, "disc-b", 1, join(videoIn, audioIn, []string{"-t", "2"}, h264, []string{"-c:a", "aac"})...)
	var pl strings.Builder
	pl.WriteString("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n")
	for _, s := range segments(t, filepath.Join(a, "index.m3u8")) {
		fmt.Fprintf(&pl, "#EXTINF:1.0,\n%s/%s\n", filepath.Base(a), s)
	}
	pl.WriteString("#EXT-X-DISCONTINUITY\n")
	for _, s := range segments(t, filepath.Join(b, "index.m3u8")) {
		fmt.Fprintf(&pl, "#EXTINF:1.0,\n%s/%s\n", filepath.Base(b), s)
	}
	pl.WriteString("#EXT-X-ENDLIST\n")
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(filepath.Dir(a))))
	mux.HandleFunc("/ad.m3u8", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, pl.String()) })
	url := serve(t, mux) + "/ad.m3u8"
	for _, fast := range []bool{true, false} {
		sink := &countingSink{}
		st, err := play(t, url, Options{Fast: fast, Audio: audio.NewSilent(nil), Video: sink})
		if err != nil {
			t.Fatal(err)
		}
		if st.VideoFrames != 100 || st.PresentedFrames+st.DroppedFrames != 100 || sink.backw != 1 {
			t.Errorf("fast=%v: %d decoded, %d shown, %d dropped, %d steps back in time; want 100, all shown, one step back", fast, st.VideoFrames, st.PresentedFrames, st.DroppedFrames, sink.backw)
		}
		// Dropping the second half would be the sign of a clock left on
		// the old timeline.
		if st.DroppedFrames > 25 {
			t.Errorf("fast=%v: %d frames dropped", fast, st.DroppedFrames)
		}
		if st.PositionMS < 3900 || st.PositionMS > 4000 || st.AudioMS < 3900 {
			t.Errorf("fast=%v: ended at position %.0f ms with %.0f ms of audio; want about 4 s of each", fast, st.PositionMS, st.AudioMS)
		}
	}
}

// Segments encrypted with AES-128 by ffmpeg play like clear ones.
func TestHLSAES128(t *testing.T) {
	dir := fixture(t, "aes", func(dir string) error {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		key := filepath.Join(dir, "k.bin")
		if err := os.WriteFile(key, []byte("0123456789abcdef"), 0o644); err != nil {
			return err
		}
		info := filepath.Join(dir, "keyinfo")
		if err := os.WriteFile(info, []byte("k.bin\n"+key+"\n"), 0o644); err != nil {
			return err
		}
		return ffmpeg(join(videoIn, audioIn, []string{"-t", "2"}, h264, []string{"-c:a", "aac", "-f", "hls", "-hls_time", "1",
			"-hls_list_size", "0", "-hls_playlist_type", "vod", "-hls_key_info_file", info, filepath.Join(dir, "index.m3u8")})...)
	})
	st, err := play(t, serveDir(t, dir)+"/index.m3u8", Options{Fast: true, Audio: audio.NewSilent(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if st.VideoFrames != 50 || st.DecodeErrors != 0 || st.AudioMS < 1900 {
		t.Errorf("%d frames, %d decode errors, %.0f ms of audio", st.VideoFrames, st.DecodeErrors, st.AudioMS)
	}
}

// vodHLS is a 4-second clip in 1-second segments.
func vodHLS(t testing.TB) string {
	return makeHLS(t, "vod", 1, join(videoIn, audioIn, []string{"-t", "4"}, h264, []string{"-c:a", "aac"})...)
}

// Damaged segments play as far as they can: a truncated one, and one
// behind garbage bytes.
func TestHLSDamagedSegments(t *testing.T) {
	dir := vodHLS(t)
	segs := segments(t, filepath.Join(dir, "index.m3u8"))
	files := http.FileServer(http.Dir(dir))
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := os.ReadFile(filepath.Join(dir, filepath.Base(r.URL.Path)))
		switch r.URL.Path {
		case "/" + segs[1]:
			w.Write(body[:len(body)/2])
		case "/" + segs[2]:
			w.Write(append([]byte(strings.Repeat("garbage!", 500)), body...))
		default:
			files.ServeHTTP(w, r)
		}
	})) + "/index.m3u8"
	st, err := play(t, url, Options{Fast: true, Audio: audio.NewSilent(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if st.VideoFrames < 70 || st.VideoFrames > 100 || st.AudioMS < 3000 {
		t.Errorf("%d frames, %.0f ms of audio from 4 s with half a second damaged", st.VideoFrames, st.AudioMS)
	}
}

// A server that stalls in the middle of a segment ends playback with an
// error within the request timeout, after what came before; nothing is
// left running.
func TestHLSStalledServer(t *testing.T) {
	dir := vodHLS(t)
	segs := segments(t, filepath.Join(dir, "index.m3u8"))
	release := make(chan struct{})
	files := http.FileServer(http.Dir(dir))
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/"+segs[1] {
			files.ServeHTTP(w, r)
			return
		}
		body, _ := os.ReadFile(filepath.Join(dir, segs[1]))
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})) + "/index.m3u8"
	t.Cleanup(func() { close(release) })
	before := runtime.NumGoroutine()
	st, err := play(t, url, Options{Fast: true, Audio: audio.NewSilent(nil),
		Source: source.Config{RequestTimeout: 300 * time.Millisecond, Retries: 1}})
	if err == nil || !strings.Contains(err.Error(), "stalled") {
		t.Fatalf("error %v, want a stall", err)
	}
	if st.VideoFrames < 20 {
		t.Errorf("%d frames before the stall, want the first segment's", st.VideoFrames)
	}
	waitUntil(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before+2 })
}

// A live playlist that never gets a new segment ends playback after three
// target durations, with an error saying so.
func TestHLSStaleLive(t *testing.T) {
	dir := vodHLS(t)
	segs := segments(t, filepath.Join(dir, "index.m3u8"))
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(dir)))
	mux.HandleFunc("/live.m3u8", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:1.0,\n%s\n#EXTINF:1.0,\n%s\n", segs[0], segs[1])
	})
	url := serve(t, mux) + "/live.m3u8"
	p, err := Open(t.Context(), url, Options{Audio: audio.NewSilent(nil)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Seekable() || p.Seek(time.Second) != ErrNotSeekable || p.SetSpeed(2) != ErrNotSeekable {
		t.Error("a live stream claims to seek")
	}
	select {
	case <-p.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("playback did not end")
	}
	if err := p.Err(); err == nil || !strings.Contains(err.Error(), "has not changed") {
		t.Errorf("error %v, want a stale playlist", err)
	}
	// The last frame may stay in the demuxer: it is complete only when
	// the next one starts, which never comes.
	if st := p.Stats(); st.VideoFrames < 49 {
		t.Errorf("%d frames, want the 50 of the two segments", st.VideoFrames)
	}
}

// The viewer switches the audio language mid-play: the pipeline restarts
// where it is with the other rendition, so the tone changes from the
// Korean 300 Hz to the Russian 600 Hz and the picture goes on.
func TestHLSSelectRendition(t *testing.T) {
	url := serveDir(t, renditionHLS(t)) + "/master.m3u8"
	sink, log := newToneSink(), newFrameLog()
	p, err := Open(t.Context(), url, Options{Audio: sink, Video: log, AudioLang: "ko"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	log.wait(t, p, 20)
	rends, cur := p.AudioRenditions()
	if len(rends) != 2 || cur != 0 || rends[1].Language != "rus" {
		t.Fatalf("renditions %+v, playing %d; want kor and rus, playing kor", rends, cur)
	}
	if hz := sink.hz(); hz < 280 || hz > 320 {
		t.Errorf("heard %.0f Hz before the switch, want the Korean 300 Hz", hz)
	}
	for _, bad := range []int{-1, 2} {
		if err := p.SelectRendition(bad); err == nil {
			t.Errorf("SelectRendition(%d) switched to a rendition that is not there", bad)
		}
	}
	sink.reset()
	shown := log.len()
	if err := p.SelectRendition(1); err != nil {
		t.Fatal(err)
	}
	if _, cur := p.AudioRenditions(); cur != 1 || p.Stats().AudioLang != "rus" {
		t.Errorf("after the switch: rendition %d, %q audio", cur, p.Stats().AudioLang)
	}
	<-p.Done()
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if hz := sink.hz(); hz < 580 || hz > 620 {
		t.Errorf("heard %.0f Hz after the switch, want the Russian 600 Hz", hz)
	}
	// The picture went on from where it was, not from the start.
	start := log.since(0)[0]
	after := log.since(shown)
	if len(after) == 0 {
		t.Fatal("no frame shown after the switch")
	}
	if d := after[0] - start; d < 500*time.Millisecond {
		t.Errorf("after the switch the first frame shown is %v into the stream; want where it was (frame %d)", d, shown)
	}
}
