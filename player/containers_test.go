package player

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/media"
)

// The inputs of the container table: two seconds of a small picture and a
// tone. 44.1 kHz because FLV carries MP3 at 44.1, 22.05 or 11.025 kHz
// only; ffmpeg converts the rate where an encoder wants another.
var (
	smallVideo = []string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25"}
	toneIn     = []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"}
	twoSeconds = []string{"-t", "2"}
)

// av, video and sound are the ffmpeg arguments of a clip with both, with a
// picture only and with sound only, encoded with the codec arguments given.
func av(codecs ...string) []string    { return join(smallVideo, toneIn, twoSeconds, codecs) }
func video(codecs ...string) []string { return join(smallVideo, twoSeconds, codecs) }
func sound(codecs ...string) []string { return join(toneIn, twoSeconds, codecs) }

// Which demuxer a file goes to.
const (
	goTS     = "Go MPEG-TS demuxer"
	avformat = "libavformat"
)

// containerCases are the files of a viewer's USB stick: one per container
// and codec pair, made by ffmpeg with the encoders Debian 12's build has.
// Where that build lacks the usual encoder, the row says what it uses
// instead. The extension picks ffmpeg's muxer unless the row gives -f.
var containerCases = []struct {
	name, file string
	args       []string
	demuxer    string
}{
	{"mp4 h264 aac", "clip.mp4", av(join(h264, []string{"-bf", "2", "-c:a", "aac"})...), avformat},
	{"mov h264 aac", "clip.mov", av(join(h264, []string{"-c:a", "aac"})...), avformat},
	{"m4v h264", "clip.m4v", video(h264...), avformat},
	{"mkv h264 aac", "clip.mkv", av(join(h264, []string{"-c:a", "aac"})...), avformat},
	{"mkv hevc aac", "hevc.mkv", av("-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none", "-g", "25", "-c:a", "aac"), avformat},
	{"webm vp8 vorbis", "vp8.webm", av("-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k", "-g", "25", "-c:a", "libvorbis"), avformat},
	{"webm vp9 opus", "vp9.webm", av("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k", "-g", "25", "-c:a", "libopus"), avformat},
	{"avi xvid mp3", "clip.avi", av("-c:v", "libxvid", "-vtag", "XVID", "-c:a", "libmp3lame"), avformat},
	{"mpeg-ps mpeg2 mp2", "clip.mpg", av("-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpeg"), avformat},
	{"vob mpeg2 ac3", "clip.vob", av("-c:v", "mpeg2video", "-c:a", "ac3", "-f", "vob"), avformat},
	// A VCD's AVSEQ01.DAT is MPEG-1 system stream; ffmpeg's "vcd" muxer
	// wants VCD's exact picture size and rates, the plain one does not.
	{"vcd dat mpeg1 mp2", "AVSEQ01.DAT", av("-c:v", "mpeg1video", "-c:a", "mp2", "-f", "mpeg"), avformat},
	{"ts h264 aac", "clip.ts", av(join(h264, []string{"-c:a", "aac", "-f", "mpegts"})...), goTS},
	// Blu-ray and AVCHD: 192-byte packets, which libavformat reads.
	{"m2ts h264 ac3", "clip.m2ts", av(join(h264, []string{"-c:a", "ac3", "-f", "mpegts", "-mpegts_m2ts_mode", "1"})...), avformat},
	{"flv flv1 mp3", "sorenson.flv", av("-c:v", "flv", "-c:a", "libmp3lame"), avformat},
	{"flv h264 aac", "h264.flv", av(join(h264, []string{"-c:a", "aac"})...), avformat},
	{"wmv wmv2 wmav2", "clip.wmv", av("-c:v", "wmv2", "-c:a", "wmav2"), avformat},
	{"rm rv20 ac3", "clip.rm", av("-c:v", "rv20", "-c:a", "ac3"), avformat},
	// RealAudio 1.0 (14.4K) is 8 kHz mono only.
	{"rmvb rv20 real_144", "clip.rmvb", av("-c:v", "rv20", "-c:a", "real_144", "-ar", "8000", "-ac", "1", "-f", "rm"), avformat},
	// No AMR-NB encoder in this build (no libopencore-amrnb): AAC, as
	// 3GPP allows. H.263 has a few fixed picture sizes: QCIF.
	{"3gp h263 aac", "clip.3gp", av("-c:v", "h263", "-s", "176x144", "-c:a", "aac", "-ar", "8000", "-ac", "1"), avformat},
	{"ogv theora vorbis", "clip.ogv", av("-c:v", "libtheora", "-c:a", "libvorbis"), avformat},
	{"mp3", "song.mp3", sound("-c:a", "libmp3lame"), avformat},
	{"aac adts", "song.aac", sound("-c:a", "aac"), avformat},
	{"m4a aac", "song.m4a", sound("-c:a", "aac"), avformat},
	{"flac", "song.flac", sound("-c:a", "flac"), avformat},
	{"wav pcm", "song.wav", sound("-c:a", "pcm_s16le"), avformat},
	{"ogg vorbis", "song.ogg", sound("-c:a", "libvorbis"), avformat},
	{"opus", "song.opus", sound("-c:a", "libopus"), avformat},
	{"wma wmav2", "song.wma", sound("-c:a", "wmav2"), avformat},
	// By content, not by name.
	{"mpeg-ts named .mpg", "ts.mpg", av(join(h264, []string{"-c:a", "aac", "-f", "mpegts"})...), goTS},
	{"mp4 named .ts", "mp4.ts", av(join(h264, []string{"-c:a", "aac", "-f", "mp4"})...), avformat},
	{"mpeg-ps with no ending", "movie", av("-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpeg"), avformat},
}

// ffprobeAliases map ffprobe's codec names to the names of the FFmpeg
// decoders the player reports, where they differ.
var ffprobeAliases = map[string]string{"flv1": "flv", "ra_144": "real_144"}

// probed is what ffprobe decodes of a file: the first video and the first
// audio stream (the ones the player picks), its frames and samples.
type probed struct {
	videoCodec, audioCodec string
	videoFrames            int
	audioMS                float64
	audioFrameMS           float64 // the longest audio frame
	durationMS             float64
}

// probe decodes a file with ffprobe -count_frames.
func probe(t *testing.T, file string) probed {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-of", "json",
		"-show_entries", "format=duration:stream=index,codec_type,codec_name,nb_read_frames,sample_rate:frame=stream_index,media_type,nb_samples",
		file).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", file, err)
	}
	var r struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
		Streams []struct {
			Index      int    `json:"index"`
			CodecType  string `json:"codec_type"`
			CodecName  string `json:"codec_name"`
			ReadFrames string `json:"nb_read_frames"`
			SampleRate string `json:"sample_rate"`
		} `json:"streams"`
		Frames []struct {
			StreamIndex int    `json:"stream_index"`
			MediaType   string `json:"media_type"`
			Samples     int    `json:"nb_samples"`
		} `json:"frames"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("ffprobe %s: %v", file, err)
	}
	var p probed
	audioIndex, rate := -1, 0
	for _, s := range r.Streams {
		name := s.CodecName
		if a, ok := ffprobeAliases[name]; ok {
			name = a
		}
		switch {
		case s.CodecType == "video" && p.videoCodec == "":
			p.videoCodec = name
			fmt.Sscan(s.ReadFrames, &p.videoFrames)
		case s.CodecType == "audio" && p.audioCodec == "":
			p.audioCodec, audioIndex = name, s.Index
			fmt.Sscan(s.SampleRate, &rate)
		}
	}
	samples, longest := 0, 0
	for _, f := range r.Frames {
		if f.MediaType == "audio" && f.StreamIndex == audioIndex {
			samples += f.Samples
			longest = max(longest, f.Samples)
		}
	}
	if rate > 0 {
		p.audioMS = float64(samples) * 1000 / float64(rate)
		p.audioFrameMS = float64(longest) * 1000 / float64(rate)
	}
	var sec float64
	fmt.Sscan(r.Format.Duration, &sec)
	p.durationMS = sec * 1000
	return p
}

// playFile plays a file headless to its end as fast as it decodes, and
// says which demuxer read it.
func playFile(t *testing.T, file string) (Stats, *countingSink, string, error) {
	t.Helper()
	sink := &countingSink{}
	p, err := Open(t.Context(), file, Options{Fast: true, Audio: audio.NewSilent(nil), Video: sink})
	if err != nil {
		return Stats{}, sink, "", err
	}
	demuxer := goTS
	if p.in.main.file != nil {
		demuxer = avformat
	}
	hang := time.NewTimer(time.Minute)
	defer hang.Stop()
	select {
	case <-p.Done():
	case <-hang.C:
		p.Close()
		t.Fatal("playback did not end within a minute")
	}
	err = p.Err()
	p.Close()
	return p.Stats(), sink, demuxer, err
}

// soundMatches reports whether the player decoded as much sound as
// ffprobe, within rounding (the player sums milliseconds frame by frame),
// or at most one frame more: libavformat marks the encoder's priming
// samples (AAC's 1024 in MP4 and 3GP, which at 8 kHz is 128 ms) for the
// decoder to drop with packet side data, which the player does not pass
// on. MP3 plays through go-mp3, which does not read the LAME header's
// delay and padding either (1105 samples and up to a frame): two frames.
func soundMatches(gotMS float64, want probed) bool {
	frames := 1.0
	if want.audioCodec == media.CodecMP3 {
		frames = 2
	}
	d := gotMS - want.audioMS
	return d > -0.5 && d < frames*want.audioFrameMS+0.5
}

// Every container and codec pair of a USB stick plays to its end through
// the real player: as many pictures as ffprobe decodes, the same codecs,
// as much sound, and the file's duration.
func TestPlaysEveryContainer(t *testing.T) {
	for _, c := range containerCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			file := makeFile(t, c.file, c.args...)
			want := probe(t, file)
			if want.videoCodec == "" && want.audioCodec == "" {
				t.Fatalf("ffprobe finds nothing to decode in %s", file)
			}
			st, sink, demuxer, err := playFile(t, file)
			if err != nil {
				t.Fatal(err)
			}
			if demuxer != c.demuxer {
				t.Errorf("read by the %s, want the %s", demuxer, c.demuxer)
			}
			if st.VideoCodec != want.videoCodec || st.AudioCodec != want.audioCodec {
				t.Errorf("codecs %q/%q, ffprobe says %q/%q", st.VideoCodec, st.AudioCodec, want.videoCodec, want.audioCodec)
			}
			if st.VideoFrames != want.videoFrames || sink.n != want.videoFrames || sink.backw != 0 {
				t.Errorf("decoded %d frames, presented %d (%d out of order); ffprobe decodes %d", st.VideoFrames, sink.n, sink.backw, want.videoFrames)
			}
			if st.DecodeErrors != 0 {
				t.Errorf("%d decode errors", st.DecodeErrors)
			}
			if !soundMatches(st.AudioMS, want) {
				t.Errorf("%.1f ms of sound decoded, ffprobe decodes %.1f (in frames of up to %.1f)", st.AudioMS, want.audioMS, want.audioFrameMS)
			}
			// The Go path's tsseek measures a file to the end of its last
			// picture, libavformat and ffprobe to the end of whichever
			// stream ends last: here the sound, by up to a frame.
			slack := 1.0
			if c.demuxer == goTS {
				slack += want.audioFrameMS
			}
			if !st.Seekable || math.Abs(st.DurationMS-want.durationMS) > slack {
				t.Errorf("seekable %v, duration %.0f ms; ffprobe says %.0f", st.Seekable, st.DurationMS, want.durationMS)
			}
			if want.videoCodec == "" && math.Abs(st.PositionMS-st.AudioMS) > 1 {
				t.Errorf("sound only: position %.0f ms at the end of %.0f ms of sound", st.PositionMS, st.AudioMS)
			}
			if want.videoCodec != "" && (st.Width == 0 || st.Height == 0) {
				t.Errorf("picture size %dx%d", st.Width, st.Height)
			}
		})
	}
}

// Damaged files play as far as they can, or fail at Open with an error
// that names the file and says what is wrong; never a panic or a hang.
func TestDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	half := func(src, name string) string {
		t.Helper()
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		return write(name, b[:len(b)/2])
	}
	mp4 := makeFile(t, "clip.mp4", av(join(h264, []string{"-bf", "2", "-c:a", "aac"})...)...)
	faststart := makeFile(t, "faststart.mp4", av(join(h264, []string{"-c:a", "aac", "-movflags", "+faststart"})...)...)
	ps := makeFile(t, "clip.mpg", av("-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpeg")...)
	ts := makeFile(t, "clip.ts", av(join(h264, []string{"-c:a", "aac", "-f", "mpegts"})...)...)
	garbage := make([]byte, 256<<10)
	rnd := rand.New(rand.NewPCG(16, 16))
	for i := range garbage {
		garbage[i] = byte(rnd.Uint32())
	}
	// Sync bytes where MPEG-TS has them, noise between: the Go demuxer's.
	tsNoise := bytes.Clone(garbage)
	for i := 0; i < len(tsNoise); i += 188 {
		tsNoise[i] = 0x47
	}
	subtitles := write("in.srt", []byte("1\n00:00:00,000 --> 00:00:01,000\nHello\n\n"))
	cases := []struct {
		name, file string
		openErr    string // the error of Open, with the file's name
		playErr    string // the error playback ends with ("": none)
		plays      bool   // some pictures and sound play, as many as ffprobe decodes
		// cutPicture: the last picture may be missing. The Go demuxer
		// drops a video PES cut off by the end of the file (it has no
		// length to check it against), of which ffprobe decodes what
		// there is.
		cutPicture bool
	}{
		// ffmpeg writes an MP4's index (moov) after the media: without it
		// nothing can be found in the file.
		{"mp4 cut at half", half(mp4, "cut.mp4"), "not an MPEG-TS stream, nor a media file FFmpeg can read", "", false, false},
		{"faststart mp4 cut at half", half(faststart, "cut-faststart.mp4"), "", "", true, false},
		{"mpeg-ps cut at half", half(ps, "cut.mpg"), "", "", true, false},
		{"mpeg-ts cut at half", half(ts, "cut.ts"), "", "", true, true},
		{"garbage", write("garbage.mkv", garbage), "not an MPEG-TS stream, nor a media file FFmpeg can read", "", false, false},
		{"garbage in ts packets", write("noise.ts", tsNoise), "", "demux: not an MPEG-TS stream", false, false},
		{"subtitles only", makeFile(t, "subtitles.mkv", "-i", subtitles), "no audio or video stream FFmpeg can decode (matroska,webm, stream 0: subtitle", "", false, false},
		{"empty", write("empty.mp4", nil), "the file is empty", "", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, sink, _, err := playFile(t, c.file)
			switch {
			case c.openErr != "":
				if err == nil || !strings.Contains(err.Error(), c.openErr) || !strings.Contains(err.Error(), filepath.Base(c.file)) {
					t.Fatalf("error %v, want one naming %s and saying %q", err, filepath.Base(c.file), c.openErr)
				}
			case c.playErr != "":
				if err == nil || !strings.Contains(err.Error(), c.playErr) {
					t.Fatalf("error %v, want one saying %q", err, c.playErr)
				}
			case err != nil:
				t.Fatalf("error %v, want playback to the point where the file ends", err)
			}
			t.Logf("%v; %d frames, %.0f ms of sound", err, st.VideoFrames, st.AudioMS)
			if !c.plays {
				return
			}
			want := probe(t, c.file)
			if want.videoFrames == 0 || want.videoFrames >= 50 {
				t.Fatalf("ffprobe decodes %d frames of half a 50-frame file", want.videoFrames)
			}
			missing := want.videoFrames - st.VideoFrames
			if missing < 0 || missing > 0 && !(c.cutPicture && missing == 1) || sink.n != st.VideoFrames {
				t.Errorf("decoded %d frames, presented %d; ffprobe decodes %d", st.VideoFrames, sink.n, want.videoFrames)
			}
			if !soundMatches(st.AudioMS, want) {
				t.Errorf("%.1f ms of sound decoded, ffprobe decodes %.1f (in frames of up to %.1f)", st.AudioMS, want.audioMS, want.audioFrameMS)
			}
		})
	}
}

// A file of sound only plays in real time with no pictures, its position
// following the sound to the file's duration; it seeks, and refuses fast
// forward, which steps through pictures.
func TestPlaysSoundOnly(t *testing.T) {
	file := makeFile(t, "song.opus", sound("-c:a", "libopus")...)
	sink := newToneSink()
	pics := &countingSink{}
	p, err := Open(t.Context(), file, Options{Audio: sink, Video: pics})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	waitUntil(t, "the position to move", func() bool { return p.Stats().PositionMS > 300 })
	if err := p.SetSpeed(4); !errors.Is(err, ErrNoPictures) {
		t.Errorf("SetSpeed(4) = %v, want ErrNoPictures", err)
	}
	if err := p.Seek(1500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the position after the seek", func() bool { return p.Stats().PositionMS >= 1500 })
	<-p.Done()
	st := p.Stats()
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if pics.n != 0 || st.VideoFrames != 0 || st.VideoCodec != "" || st.AudioCodec != "opus" {
		t.Errorf("%d pictures, codecs %q/%q; want none, and opus", pics.n, st.VideoCodec, st.AudioCodec)
	}
	if st.DurationMS < 1990 || st.DurationMS > 2100 || st.PositionMS < st.DurationMS-30 || st.PositionMS > st.DurationMS+30 {
		t.Errorf("ended at %.0f ms of %.0f", st.PositionMS, st.DurationMS)
	}
	if hz := sink.hz(); hz < 430 || hz > 450 {
		t.Errorf("the sink heard %.0f Hz, want the 440 Hz tone", hz)
	}
}
