package player

import (
	"context"
	"testing"
	"time"

	"github.com/manbang/manbang/player/audio"
)

// BenchmarkDecode1080pH264 plays a 2-second 1080p H.264 clip (50 frames,
// with AAC) as fast as the player can: demux, decode, convert and present,
// without pacing. It reports decoded frames per second.
func BenchmarkDecode1080pH264(b *testing.B) {
	file := makeTS(b, "1080p.ts", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25", "-f", "lavfi", "-i", "sine",
		"-t", "2", "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-bf", "2", "-pix_fmt", "yuv420p", "-c:a", "aac")
	frames := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := Open(context.Background(), file, Options{Fast: true, Audio: audio.NewSilent(nil)})
		if err != nil {
			b.Fatal(err)
		}
		<-p.Done()
		if err := p.Err(); err != nil {
			b.Fatal(err)
		}
		p.Close()
		st := p.Stats()
		if st.VideoFrames != 50 {
			b.Fatalf("%d frames, want 50", st.VideoFrames)
		}
		frames += st.VideoFrames
	}
	b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "frames/s")
}

// BenchmarkStartHLS measures what a viewer waits for after choosing a
// title: from Open to the first frame on screen, for a 640x360 HLS stream
// on a loopback server. A channel change is Close and then this.
func BenchmarkStartHLS(b *testing.B) {
	url := serveDir(b, makeHLS(b, "start", 2, join(
		[]string{"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25"}, audioIn, []string{"-t", "4"}, h264, []string{"-c:a", "aac"})...)) + "/index.m3u8"
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		log := newFrameLog()
		start := time.Now()
		p, err := Open(context.Background(), url, Options{Audio: audio.NewSilent(nil), Video: log})
		if err != nil {
			b.Fatal(err)
		}
		select {
		case <-log.first():
		case <-p.Done():
			b.Fatalf("ended before a frame: %v", p.Err())
		}
		total += time.Since(start)
		p.Close()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/first-frame")
}
