package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// mediaFile is a file of the bench's stick that the box, mpv and ffplay
// open.
type mediaFile struct {
	name  string // on the stick, as the browser lists it
	label string // for the results
}

// The stick's files: 1080p30, mediaSeconds long, made by the ffmpeg CLI.
var mediaFiles = []mediaFile{
	{"Bench 1080p.mp4", "MP4 (H.264 + AAC)"},
	{"Bench 1080p.mkv", "MKV (H.264 + AAC)"},
	{"Bench 1080p.avi", "AVI (MPEG-4 Part 2 / Xvid + MP3)"},
}

const (
	mediaSeconds = 30
	// seriesDir is the folder of many files, seriesVideos episodes and
	// seriesPhotos photos.
	seriesDir    = "Series"
	seriesVideos = 9000
	seriesPhotos = 1000
)

// prepareStick makes the files of the bench's stick that are missing in
// stick, with what they are made of in src (the same file system, so the
// episodes are hard links of one clip): the three 1080p files if open, the
// folder of 10,000 files if list. Both are kept between runs.
func prepareStick(ctx context.Context, src, stick string, open, list bool) error {
	for _, d := range []string{src, stick} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("stick: %w", err)
		}
	}
	pattern := []string{"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=1920x1080:rate=30:duration=%d", mediaSeconds),
		"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:sample_rate=48000:duration=%d", mediaSeconds)}
	h264 := []string{"-c:v", "libx264", "-preset", "veryfast", "-b:v", "6M", "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k"}
	jobs := []struct {
		out  string
		want bool
		args []string
	}{
		// The MKV is encoded, the MP4 is the same streams remuxed (moov first,
		// as cameras and phones write it).
		{filepath.Join(stick, mediaFiles[1].name), open, concat(pattern, h264)},
		{filepath.Join(stick, mediaFiles[0].name), open, []string{"-i", filepath.Join(stick, mediaFiles[1].name), "-c", "copy", "-movflags", "+faststart"}},
		{filepath.Join(stick, mediaFiles[2].name), open, concat(pattern, []string{"-c:v", "mpeg4", "-vtag", "xvid", "-q:v", "4", "-g", "60",
			"-c:a", "libmp3lame", "-b:a", "128k"})},
		{filepath.Join(src, "episode.mp4"), list, []string{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=2",
			"-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "32k"}},
		{filepath.Join(src, "photo.jpg"), list, []string{"-f", "lavfi", "-i", "testsrc2=size=1600x1200", "-frames:v", "1"}},
	}
	for _, j := range jobs {
		if !j.want {
			continue
		}
		if _, err := os.Stat(j.out); err == nil {
			continue
		}
		logf("media: making %s", j.out)
		// Made beside the stick and renamed into it: a file on the stick
		// is whole.
		tmp := filepath.Join(src, "tmp-"+filepath.Base(j.out))
		cmd := exec.CommandContext(ctx, "ffmpeg", concat([]string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y"}, j.args, []string{tmp})...)
		if out, err := cmd.CombinedOutput(); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("stick: ffmpeg for %s: %w: %s", j.out, err, out)
		}
		if err := os.Rename(tmp, j.out); err != nil {
			return fmt.Errorf("stick: %w", err)
		}
	}
	if !list {
		return nil
	}
	dir := filepath.Join(stick, seriesDir)
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	logf("media: making %s: %d episodes and %d photos", dir, seriesVideos, seriesPhotos)
	tmp := filepath.Join(src, "tmp-"+seriesDir)
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	for _, f := range seriesNames() {
		if err := os.Link(filepath.Join(src, f.of), filepath.Join(tmp, f.name)); err != nil {
			return fmt.Errorf("stick: %w", err)
		}
	}
	return os.Rename(tmp, dir)
}

// seriesFile is a file of the folder of many files and the file in src it
// is a link of.
type seriesFile struct{ name, of string }

// seriesNames names the folder's files as a stick's are named: episodes
// "Ep 0001.mp4"..., and a camera's photos "IMG_0001.jpg"...
func seriesNames() []seriesFile {
	fs := make([]seriesFile, 0, seriesVideos+seriesPhotos)
	for i := 1; i <= seriesVideos; i++ {
		fs = append(fs, seriesFile{fmt.Sprintf("Ep %04d.mp4", i), "episode.mp4"})
	}
	for i := 1; i <= seriesPhotos; i++ {
		fs = append(fs, seriesFile{fmt.Sprintf("IMG_%04d.jpg", i), "photo.jpg"})
	}
	return fs
}

// bindMount mounts dir on mountPoint (made if missing), after unmounting
// what an earlier run may have left there, and returns the unmount.
func bindMount(ctx context.Context, dir, mountPoint string) (func() error, error) {
	if err := os.MkdirAll(mountPoint, 0o755); err != nil {
		return nil, err
	}
	if mounted(mountPoint) {
		if out, err := exec.CommandContext(ctx, "umount", mountPoint).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("unmounting an earlier run's %s: %w: %s", mountPoint, err, out)
		}
	}
	if out, err := exec.CommandContext(ctx, "mount", "--bind", dir, mountPoint).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("mount --bind %s %s (the bench runs as root): %w: %s", dir, mountPoint, err, strings.TrimSpace(string(out)))
	}
	return func() error {
		// Not the run's context: an interrupted run unmounts too.
		if out, err := exec.Command("umount", mountPoint).CombinedOutput(); err != nil {
			return fmt.Errorf("umount %s: %w: %s", mountPoint, err, out)
		}
		return nil
	}, nil
}

// mounted says whether a file system is mounted on path, by the mount
// table.
func mounted(path string) bool {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// The fifth field is the mount point (spaces escaped as \040).
		if fs := strings.Fields(sc.Text()); len(fs) > 4 && fs[4] == strings.ReplaceAll(path, " ", `\040`) {
			return true
		}
	}
	return false
}
