package player

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/manbang/manbang/player/audio"
)

// Files from a USB stick: MP4 and Matroska through libavformat, with the
// codec parameters their decoders need; MP3 alone, decoded by go-mp3.
func TestPlaysContainerFiles(t *testing.T) {
	cases := []struct {
		name       string
		file       string
		args       []string
		frames     int
		videoCodec string
		audioCodec string
	}{
		{"mp4 h264 aac", "clip.mp4", join(videoIn, audioIn, []string{"-t", "2"}, h264, []string{"-bf", "2", "-c:a", "aac"}), 50, "h264", "aac"},
		{"mkv hevc ac3", "clip.mkv", join(videoIn, audioIn, []string{"-t", "2", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none", "-g", "25", "-c:a", "ac3"}), 50, "hevc", "ac3"},
		{"mkv h264 mp3", "mp3.mkv", join(videoIn, audioIn, []string{"-t", "2"}, h264, []string{"-c:a", "libmp3lame"}), 50, "h264", "mp3"},
		{"mp3", "song.mp3", join(audioIn, []string{"-t", "2", "-c:a", "libmp3lame"}), 0, "", "mp3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := makeFile(t, c.file, c.args...)
			sink := &countingSink{}
			st, err := play(t, file, Options{Fast: true, Audio: audio.NewSilent(nil), Video: sink})
			if err != nil {
				t.Fatal(err)
			}
			if st.VideoFrames != c.frames || sink.n != c.frames || sink.backw != 0 || st.DecodeErrors != 0 {
				t.Errorf("decoded %d frames, presented %d (%d out of order), %d decode errors; want %d", st.VideoFrames, sink.n, sink.backw, st.DecodeErrors, c.frames)
			}
			if st.VideoCodec != c.videoCodec || st.AudioCodec != c.audioCodec {
				t.Errorf("codecs %q/%q, want %q/%q", st.VideoCodec, st.AudioCodec, c.videoCodec, c.audioCodec)
			}
			// Encoders pad the end by up to a frame; MP3 adds its delay.
			if st.AudioMS < 1990 || st.AudioMS > 2110 {
				t.Errorf("%.0f ms of audio, want 2000", st.AudioMS)
			}
			if !st.Seekable || st.DurationMS < 1900 || st.DurationMS > 2200 {
				t.Errorf("seekable %v, duration %.0f ms", st.Seekable, st.DurationMS)
			}
		})
	}
	t.Run("not a media file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "notes.mp4")
		if err := os.WriteFile(p, []byte(strings.Repeat("shopping list\n", 100)), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(t.Context(), p, Options{Audio: audio.NewSilent(nil)}); err == nil || !strings.Contains(err.Error(), "notes.mp4") {
			t.Errorf("Open = %v, want an error naming the file", err)
		}
	})
}

// Interlaced MPEG-2, as broadcast: reported interlaced, and every frame
// deinterlaced (at frame rate: as many frames out as in), unless asked not
// to.
func TestInterlaced(t *testing.T) {
	file := makeTS(t, "interlaced.ts", join(videoIn, audioIn, []string{"-t", "2", "-c:v", "mpeg2video", "-flags", "+ilme+ildct", "-top", "1", "-c:a", "mp2"})...)
	for _, off := range []bool{false, true} {
		st, err := play(t, file, Options{Fast: true, Audio: audio.NewSilent(nil), NoDeinterlace: off})
		if err != nil {
			t.Fatal(err)
		}
		want := 50
		if off {
			want = 0
		}
		if !st.Interlaced || st.VideoFrames != 50 || st.DeinterlacedFrames != want {
			t.Errorf("NoDeinterlace %v: interlaced %v, %d frames, %d deinterlaced; want true, 50, %d", off, st.Interlaced, st.VideoFrames, st.DeinterlacedFrames, want)
		}
	}
	st, err := play(t, makeTS(t, "clip.ts", join(videoIn, []string{"-t", "1"}, h264)...), Options{Fast: true, Audio: audio.NewSilent(nil)})
	if err != nil || st.Interlaced || st.DeinterlacedFrames != 0 {
		t.Errorf("progressive: %v, interlaced %v, %d deinterlaced", err, st.Interlaced, st.DeinterlacedFrames)
	}
}

// A hardware decoder that cannot open here falls back to software.
func TestHardwareDecoderFallback(t *testing.T) {
	file := makeTS(t, "clip.ts", join(videoIn, []string{"-t", "1"}, h264)...)
	for _, hw := range []string{"auto", "no_such_decoder", "none"} {
		st, err := play(t, file, Options{Fast: true, Audio: audio.NewSilent(nil), HardwareDecoder: hw})
		if err != nil {
			t.Fatal(err)
		}
		if st.VideoFrames != 25 {
			t.Errorf("%s: %d frames", hw, st.VideoFrames)
		}
		if st.VideoCodec != "h264" && st.VideoCodec != "h264_v4l2m2m" {
			t.Errorf("%s: decoder %q", hw, st.VideoCodec)
		}
	}
}

// dropPID removes every transport packet of a PID from a TS file, leaving
// its PMT entry: a PMT naming a stream that is not there.
func dropPID(t *testing.T, src string, pid uint16, name string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for off := 0; off+188 <= len(b); off += 188 {
		p := b[off : off+188]
		if uint16(p[1]&0x1F)<<8|uint16(p[2]) != pid {
			out = append(out, p...)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The PMT names an audio stream that never comes: it is reported, the
// video plays, and another audio stream that does come takes its place.
func TestMissingStream(t *testing.T) {
	// ffmpeg numbers PIDs from 0x100 in stream order.
	twoAudio := makeTS(t, "two-audio.ts", join(videoIn, audioIn, audioIn, []string{"-t", "4", "-map", "0:v", "-map", "1:a", "-map", "2:a"}, h264,
		[]string{"-c:a", "aac", "-metadata:s:a:0", "language=kor", "-metadata:s:a:1", "language=rus"})...)
	t.Run("the only audio", func(t *testing.T) {
		file := dropPID(t, twoAudio, 0x101, "no-kor.ts")
		file = dropPID(t, file, 0x102, "no-audio.ts")
		st, err := play(t, file, Options{Fast: true, Audio: audio.NewSilent(nil)})
		if err != nil {
			t.Fatal(err)
		}
		if st.VideoFrames != 100 || st.AudioMS != 0 || len(st.Warnings) == 0 || !strings.Contains(st.Warnings[0], "PID 257 (aac) is in the PMT but carries nothing") {
			t.Errorf("%d frames, %.0f ms of audio, warnings %q", st.VideoFrames, st.AudioMS, st.Warnings)
		}
	})
	t.Run("another audio takes over", func(t *testing.T) {
		file := dropPID(t, twoAudio, 0x101, "no-kor.ts")
		st, err := play(t, file, Options{Fast: true, Audio: audio.NewSilent(nil), AudioLang: "ko"})
		if err != nil {
			t.Fatal(err)
		}
		if st.VideoFrames != 100 || st.AudioMS < 500 || st.AudioLang != "rus" || len(st.Warnings) != 1 {
			t.Errorf("%d frames, %.0f ms of %q audio, warnings %q", st.VideoFrames, st.AudioMS, st.AudioLang, st.Warnings)
		}
	})
	t.Run("the video", func(t *testing.T) {
		file := dropPID(t, twoAudio, 0x100, "no-video.ts")
		st, err := play(t, file, Options{Fast: true, Audio: audio.NewSilent(nil)})
		if err != nil {
			t.Fatal(err)
		}
		if st.VideoFrames != 0 || st.AudioMS < 3900 || len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "PID 256 (h264)") {
			t.Errorf("%d frames, %.0f ms of audio, warnings %q", st.VideoFrames, st.AudioMS, st.Warnings)
		}
	})
}

// The audio track follows --audio-lang, given in ISO 639-1 or 639-2.
func TestAudioLanguage(t *testing.T) {
	file := makeTS(t, "two-audio.ts", join(videoIn, audioIn, audioIn, []string{"-t", "4", "-map", "0:v", "-map", "1:a", "-map", "2:a"}, h264,
		[]string{"-c:a", "aac", "-metadata:s:a:0", "language=kor", "-metadata:s:a:1", "language=rus"})...)
	for lang, want := range map[string]string{"": "kor", "ko": "kor", "kor": "kor", "ru": "rus", "RUS": "rus", "en": "kor"} {
		st, err := play(t, file, Options{Fast: true, Audio: audio.NewSilent(nil), AudioLang: lang})
		if err != nil {
			t.Fatal(err)
		}
		if st.AudioLang != want {
			t.Errorf("AudioLang %q: playing %q, want %q", lang, st.AudioLang, want)
		}
	}
}

// Tracks lists the program's streams; SelectAudio switches the audio
// track while playing.
func TestSelectAudio(t *testing.T) {
	// A file: seekable, so the switch restarts playback where it is
	// rather than after what the queues hold.
	file := makeFile(t, "two-audio.mkv", join(videoIn, audioIn, audioIn, []string{"-t", "6", "-map", "0:v", "-map", "1:a", "-map", "2:a"}, h264,
		[]string{"-c:a", "aac", "-metadata:s:a:0", "language=kor", "-metadata:s:a:1", "language=rus"})...)
	log := newFrameLog()
	p, err := Open(t.Context(), file, Options{Audio: audio.NewSilent(nil), Video: log})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	log.wait(t, p, 1)
	tracks := p.Tracks()
	if len(tracks) != 3 || tracks[2].Language != "rus" || p.Stats().AudioLang != "kor" {
		t.Fatalf("tracks %+v, playing %q", tracks, p.Stats().AudioLang)
	}
	if err := p.SelectAudio(99); err == nil {
		t.Error("selected a stream that is not there")
	}
	if err := p.SelectAudio(tracks[2].PID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the Russian track", func() bool { return p.Stats().AudioLang == "rus" })
	ms := p.Stats().AudioMS
	waitUntil(t, "audio after the switch", func() bool { return p.Stats().AudioMS > ms+200 })
}
