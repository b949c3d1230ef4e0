package avcodec

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/manbang/manbang/player/media"
)

// Interlaced MPEG-2, as broadcast: with Deinterlace every picture comes out
// once, progressive, in order, and flagged; without it, woven as coded.
func TestDeinterlace(t *testing.T) {
	pkts, _ := makeVideo(t, media.CodecMPEG2Video, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "1",
		"-c:v", "mpeg2video", "-flags", "+ilme+ildct", "-top", "1", "-g", "12")
	decode := func(deint bool) []*media.VideoFrame {
		d, err := NewVideoDecoder(media.CodecMPEG2Video, VideoOptions{Threads: 1, Deinterlace: deint})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		return decodeVideo(t, d, pkts)
	}
	woven, progressive := decode(false), decode(true)
	defer releaseAll(woven)
	defer releaseAll(progressive)
	if len(woven) != 25 || len(progressive) != 25 {
		t.Fatalf("%d frames woven, %d deinterlaced; want 25 of each (frame rate out)", len(woven), len(progressive))
	}
	differ := 0
	for i := range woven {
		w, p := woven[i], progressive[i]
		if !w.Interlaced || w.Deinterlaced {
			t.Fatalf("woven frame %d: Interlaced %v Deinterlaced %v", i, w.Interlaced, w.Deinterlaced)
		}
		if !p.Interlaced || !p.Deinterlaced {
			t.Fatalf("deinterlaced frame %d: Interlaced %v Deinterlaced %v", i, p.Interlaced, p.Deinterlaced)
		}
		if p.PTS != w.PTS || p.Width != w.Width || p.Height != w.Height {
			t.Errorf("frame %d: deinterlaced %v %dx%d, woven %v %dx%d", i, p.PTS, p.Width, p.Height, w.PTS, w.Width, w.Height)
		}
		if !bytes.Equal(p.Y, w.Y) {
			differ++
		}
	}
	if differ < len(woven)/2 {
		t.Errorf("only %d of %d pictures changed: the filter did not run", differ, len(woven))
	}

	// Flush drains the picture the filter holds back, and the decoder
	// deinterlaces the next stream too.
	d, err := NewVideoDecoder(media.CodecMPEG2Video, VideoOptions{Threads: 1, Deinterlace: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for round := 0; round < 2; round++ {
		fs := decodeVideo(t, d, pkts)
		if len(fs) != 25 || !fs[0].Deinterlaced {
			t.Errorf("round %d: %d frames, first deinterlaced %v", round, len(fs), len(fs) > 0 && fs[0].Deinterlaced)
		}
		releaseAll(fs)
	}
}

// Progressive pictures never enter the filter, and never load
// libavfilter: the test runs itself in a fresh process, which decodes a
// progressive clip with deinterlacing on and then looks for the library
// among its own mappings.
func TestDeinterlaceProgressive(t *testing.T) {
	if os.Getenv("MANBANG_TEST_PROGRESSIVE") == "" {
		requireFFmpeg(t)
		cmd := exec.Command(os.Args[0], "-test.run=^TestDeinterlaceProgressive$", "-test.v")
		cmd.Env = append(os.Environ(), "MANBANG_TEST_PROGRESSIVE=1")
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "--- PASS") {
			t.Fatalf("in a fresh process: %v\n%s", err, out)
		}
		return
	}
	pkts, _ := makeVideo(t, media.CodecH264, append(testsrc("160x120"), "-t", "0.4", "-c:v", "libx264", "-preset", "ultrafast")...)
	d, err := NewVideoDecoder(media.CodecH264, VideoOptions{Threads: 1, Deinterlace: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fs := decodeVideo(t, d, pkts)
	defer releaseAll(fs)
	if len(fs) != 10 {
		t.Fatalf("%d frames, want 10", len(fs))
	}
	for i, f := range fs {
		if f.Interlaced || f.Deinterlaced {
			t.Errorf("frame %d flagged interlaced %v deinterlaced %v", i, f.Interlaced, f.Deinterlaced)
		}
	}
	if d.di.active() {
		t.Error("the filter was built for a progressive stream")
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skipf("cannot tell which libraries are mapped: %v", err)
	}
	if strings.Contains(string(maps), "libavfilter") {
		t.Error("libavfilter was loaded for a progressive stream")
	}
}

// Without libavfilter, interlaced pictures come out as coded, flagged
// interlaced but not deinterlaced, and Deinterlacing says why.
func TestDeinterlaceWithoutLibrary(t *testing.T) {
	pkts, _ := makeVideo(t, media.CodecMPEG2Video, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "0.4",
		"-c:v", "mpeg2video", "-flags", "+ilme+ildct", "-top", "1", "-g", "12")
	saved := avfilter
	avfilter = &filterLib{name: "libavfilter-manbang-missing.so.0"}
	defer func() { avfilter = saved }()
	if err := Deinterlacing(); err != nil {
		t.Fatalf("Deinterlacing() = %v before any interlaced picture", err)
	}
	d, err := NewVideoDecoder(media.CodecMPEG2Video, VideoOptions{Threads: 1, Deinterlace: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fs := decodeVideo(t, d, pkts)
	defer releaseAll(fs)
	if len(fs) != 10 {
		t.Fatalf("%d frames, want 10", len(fs))
	}
	for i, f := range fs {
		if !f.Interlaced || f.Deinterlaced {
			t.Errorf("frame %d: Interlaced %v Deinterlaced %v, want as coded", i, f.Interlaced, f.Deinterlaced)
		}
	}
	err = Deinterlacing()
	if !errors.Is(err, ErrNoDeinterlacer) || !strings.Contains(err.Error(), "libavfilter-manbang-missing") {
		t.Errorf("Deinterlacing() = %v, want ErrNoDeinterlacer naming the library", err)
	}
}
