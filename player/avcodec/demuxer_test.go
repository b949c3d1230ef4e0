package avcodec

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/manbang/manbang/player/media"
)

var (
	fileFixtureMu  sync.Mutex
	fileFixtureDir string
	fileFixtures   = map[string]string{}
)

// fileFixture makes (once per run) a media file with ffmpeg and returns
// its path; name gives the container by its extension.
func fileFixture(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	requireFFmpeg(tb)
	fileFixtureMu.Lock()
	defer fileFixtureMu.Unlock()
	if p, ok := fileFixtures[name]; ok {
		return p
	}
	if fileFixtureDir == "" {
		dir, err := os.MkdirTemp("", "avcodec-test-")
		if err != nil {
			tb.Fatal(err)
		}
		fileFixtureDir = dir
	}
	p := filepath.Join(fileFixtureDir, name)
	runFFmpeg(tb, append(args, p)...)
	fileFixtures[name] = p
	return p
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fileFixtureDir != "" {
		os.RemoveAll(fileFixtureDir)
	}
	os.Exit(code)
}

var (
	clipVideo = []string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25"}
	clipAudio = []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"}
)

func clip(seconds string, parts ...[]string) []string {
	args := append(append([]string{}, clipVideo...), clipAudio...)
	args = append(args, "-t", seconds)
	for _, p := range parts {
		args = append(args, p...)
	}
	return args
}

func mp4Fixture(tb testing.TB) string {
	return fileFixture(tb, "clip.mp4", clip("2", []string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-bf", "2", "-c:a", "aac"})...)
}

// The containers of a USB stick: packets for the player's decoders, which
// decode every frame with the demuxer's codec parameters.
func TestDemuxFiles(t *testing.T) {
	tests := []struct {
		name       string
		file       func(testing.TB) string
		video      string
		audio      string
		frames     int
		audioMS    float64
		audioNoPar bool // the codec needs no parameters
	}{
		{"mp4 h264 aac", mp4Fixture, media.CodecH264, media.CodecAAC, 50, 2000, false},
		{"mkv hevc ac3", func(tb testing.TB) string {
			return fileFixture(tb, "clip.mkv", clip("2", []string{"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none", "-g", "25", "-c:a", "ac3"})...)
		}, media.CodecHEVC, media.CodecAC3, 50, 2000, false},
		{"mkv mpeg2 mp3", func(tb testing.TB) string {
			return fileFixture(tb, "mpeg2.mkv", clip("2", []string{"-c:v", "mpeg2video", "-c:a", "libmp3lame"})...)
		}, media.CodecMPEG2Video, media.CodecMP3, 50, 2000, true},
		{"mp3 with cover art", func(tb testing.TB) string {
			return fileFixture(tb, "song.mp3", "-f", "lavfi", "-t", "2", "-i", "sine=frequency=440:sample_rate=44100",
				"-f", "lavfi", "-i", "color=red:size=64x64:duration=0.04", "-frames:v", "1", "-map", "0:a", "-map", "1:v",
				"-c:a", "libmp3lame", "-c:v", "mjpeg", "-disposition:v", "attached_pic", "-id3v2_version", "3")
		}, "", media.CodecMP3, 0, 2000, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := OpenFile(tc.file(t))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var video, audio *media.Stream
			for _, s := range d.Streams() {
				s := s
				switch {
				case s.Codec == "":
				case s.Kind == media.KindVideo && video == nil:
					video = &s
				case s.Kind == media.KindAudio && audio == nil:
					audio = &s
				}
			}
			if got := codecOf(video); got != tc.video || codecOf(audio) != tc.audio {
				t.Fatalf("streams %+v: want video %q, audio %q", d.Streams(), tc.video, tc.audio)
			}
			if d.Duration() < 1900*time.Millisecond || d.Duration() > 2200*time.Millisecond {
				t.Errorf("duration %v, want about 2s", d.Duration())
			}
			var vdec *VideoDecoder
			if video != nil {
				if vdec, err = NewVideoDecoder(video.Codec, VideoOptions{Params: d.Params(video.PID), Threads: 1}); err != nil {
					t.Fatal(err)
				}
				defer vdec.Close()
			}
			adec, err := NewAudioDecoderWith(audio.Codec, AudioOptions{Params: d.Params(audio.PID)})
			if err != nil {
				t.Fatal(err)
			}
			defer adec.Close()
			frames, audioMS, lastDTS, firstVideo := 0, 0.0, map[uint16]time.Duration{}, true
			for {
				p, err := d.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if !p.HasPTS || p.PTS < -100*time.Millisecond {
					t.Fatalf("packet without a sensible PTS: %+v", p.Stream)
				}
				// Matroska stores no DTS, so only audio's is sure to be in order.
				if last, ok := lastDTS[p.Stream.PID]; ok && p.DTS < last && p.Stream.Kind == media.KindAudio {
					t.Errorf("stream %d: DTS %v goes back", p.Stream.PID, p.DTS)
				}
				lastDTS[p.Stream.PID] = p.DTS
				switch {
				case video != nil && p.Stream.PID == video.PID:
					if firstVideo && !p.Keyframe {
						t.Error("the first video packet is not a keyframe")
					}
					firstVideo = false
					fs, err := vdec.Decode(p)
					if err != nil {
						t.Fatalf("video: %v", err)
					}
					frames += len(fs)
					releaseAll(fs)
				case p.Stream.PID == audio.PID:
					as, err := adec.Decode(p)
					if err != nil {
						t.Fatalf("audio: %v", err)
					}
					for _, a := range as {
						audioMS += float64(a.Duration()) / float64(time.Millisecond)
					}
				default:
					t.Fatalf("packet of stream %d, which has no codec", p.Stream.PID)
				}
			}
			if vdec != nil {
				fs, err := vdec.Flush()
				if err != nil {
					t.Fatal(err)
				}
				frames += len(fs)
				releaseAll(fs)
			}
			if frames != tc.frames {
				t.Errorf("decoded %d frames, want %d", frames, tc.frames)
			}
			// Codecs pad the end with up to a frame, and MP3 has its encoder delay.
			if audioMS < tc.audioMS-30 || audioMS > tc.audioMS+100 {
				t.Errorf("decoded %.0f ms of audio, want about %.0f", audioMS, tc.audioMS)
			}
		})
	}
}

func codecOf(s *media.Stream) string {
	if s == nil {
		return ""
	}
	return s.Codec
}

// Seek lands on the last keyframe at or before the time asked.
func TestDemuxSeek(t *testing.T) {
	d, err := OpenFile(mp4Fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, tc := range []struct{ at, want time.Duration }{
		{1500 * time.Millisecond, time.Second},
		{0, 0},
		{time.Second, time.Second},
		{400 * time.Millisecond, 0},
	} {
		if err := d.Seek(tc.at); err != nil {
			t.Fatal(err)
		}
		for {
			p, err := d.Next()
			if err != nil {
				t.Fatalf("seek to %v: %v", tc.at, err)
			}
			if p.Stream.Kind != media.KindVideo {
				continue
			}
			if !p.Keyframe || p.PTS != tc.want {
				t.Errorf("seek to %v: first video packet at %v (keyframe %v), want the keyframe at %v", tc.at, p.PTS, p.Keyframe, tc.want)
			}
			break
		}
	}
}

func TestDemuxBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mp4, err := os.ReadFile(mp4Fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want error
	}{
		{"missing", filepath.Join(dir, "none.mp4"), nil},
		{"empty", write("empty.mkv", nil), nil},
		{"text", write("notes.mp4", []byte("these are not the bytes you are looking for\n")), nil},
		{"truncated mp4 without its index", write("cut.mp4", mp4[:len(mp4)/3]), nil},
		{"subtitles", write("subs.srt", []byte("1\n00:00:01,000 --> 00:00:02,000\nHello\n\n")), ErrNotContainer},
		{"subtitles only", fileFixture(t, "subs.mkv", "-i", write("in.srt", []byte("1\n00:00:01,000 --> 00:00:02,000\nHello\n\n"))), ErrNoStreams},
		{"picture", fileFixture(t, "picture.png", "-f", "lavfi", "-i", "color=red:size=32x32", "-frames:v", "1"), ErrNotContainer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := OpenFile(tc.path)
			if err == nil {
				// Some damage shows only when reading; it must end, not hang.
				defer d.Close()
				for i := 0; ; i++ {
					if _, err = d.Next(); err != nil || i > 10000 {
						break
					}
				}
				if err == nil || err == io.EOF {
					t.Fatalf("read %s to its end without an error", tc.name)
				}
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			t.Log(err)
		})
	}
}

// FuzzDemuxFile feeds libavformat arbitrary files: it may fail, never
// crash or hang.
func FuzzDemuxFile(f *testing.F) {
	f.Add([]byte("#EXTM3U\n"))
	f.Add([]byte{0x47, 0x40, 0x00, 0x10})
	f.Add([]byte("ID3\x03\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00"))
	f.Add([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free"))
	f.Add([]byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x88matroska"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "input")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := OpenFile(p)
		if err != nil {
			return
		}
		defer d.Close()
		for i := 0; i < 1000; i++ {
			pkt, err := d.Next()
			if err != nil {
				return
			}
			if pkt.Stream.Codec == "" || int(pkt.Stream.PID) >= len(d.Streams()) {
				t.Fatalf("packet of an unplayable stream %+v", pkt.Stream)
			}
		}
	})
}

// A file on a viewer's stick opens with the file protocol only: a playlist
// or a path naming a server does not make the box fetch from it, so
// nothing about the viewer's own media leaves the box.
func TestDemuxStaysLocal(t *testing.T) {
	seg, err := os.ReadFile(fileFixture(t, "seg.ts", clip("1", []string{"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"})...))
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(seg)
	}))
	defer srv.Close()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct{ name, path string }{
		{"playlist", write("list.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n"+srv.URL+"/seg.ts\n#EXT-X-ENDLIST\n")},
		{"concat", write("list.ffconcat", "ffconcat version 1.0\nfile '"+srv.URL+"/seg.ts'\n")},
		{"a URL for a path", srv.URL + "/seg.ts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := hits.Load()
			d, err := OpenFile(tc.path)
			if err == nil {
				for i := 0; i < 1000; i++ {
					if _, err = d.Next(); err != nil {
						break
					}
				}
				d.Close()
			}
			if n := hits.Load() - before; n != 0 {
				t.Errorf("opening %s asked the server %d times", tc.path, n)
			}
		})
	}
}
