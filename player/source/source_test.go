package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// makeHLS writes a 3-second HLS stream with 1-second segments into a
// temporary directory with ffmpeg and returns the directory and the
// concatenation of its segments.
func makeHLS(t *testing.T) (dir string, stream []byte) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg CLI not installed")
	}
	dir = t.TempDir()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-f", "lavfi", "-i", "sine",
		"-t", "3", "-c:v", "libx264", "-g", "25", "-c:a", "libmp3lame",
		"-f", "hls", "-hls_time", "1", "-hls_list_size", "0",
		"-hls_segment_filename", filepath.Join(dir, "seg%d.ts"), filepath.Join(dir, "index.m3u8")).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	for i := 0; ; i++ {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("seg%d.ts", i)))
		if errors.Is(err, os.ErrNotExist) && i > 1 {
			return dir, stream
		}
		if err != nil {
			t.Fatal(err)
		}
		stream = append(stream, b...)
	}
}

func TestOpen(t *testing.T) {
	dir, stream := makeHLS(t)
	playlist, err := os.ReadFile(filepath.Join(dir, "index.m3u8"))
	if err != nil {
		t.Fatal(err)
	}
	seg0, err := os.ReadFile(filepath.Join(dir, "seg0.ts"))
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(dir)))
	mux.HandleFunc("/tv", func(w http.ResponseWriter, r *http.Request) { // no extension, HLS by type
		w.Header().Set("Content-Type", "application/vnd.apple.mpegURL; charset=utf-8")
		w.Write(playlist)
	})
	mux.HandleFunc("/sniff", func(w http.ResponseWriter, r *http.Request) { // HLS by content
		w.Header().Set("Content-Type", "text/plain")
		w.Write(playlist)
	})
	mux.HandleFunc("/stall.ts", func(w http.ResponseWriter, r *http.Request) {
		w.Write(seg0[:10000])
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // before srv.Close
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL + "/ch.ts"
	down.Close()

	missing := filepath.Join(t.TempDir(), "missing.ts")
	seg0Path := filepath.Join(dir, "seg0.ts")
	tests := []struct {
		name    string
		locator string
		want    []byte // the stream, when Open succeeds
		openErr string // exact, or a prefix when it ends in "…"
		readErr string // as openErr, for an error ending the stream
	}{
		{"hls by extension", srv.URL + "/index.m3u8", stream, "", ""},
		{"hls by content type", srv.URL + "/tv", stream, "", ""},
		{"hls by #EXTM3U", srv.URL + "/sniff", stream, "", ""},
		{"plain http", srv.URL + "/seg0.ts", seg0, "", ""},
		{"file url", "file://" + seg0Path, seg0, "", ""},
		{"plain path", seg0Path, seg0, "", ""},
		{"path with spaces around", "  " + seg0Path + "\n", seg0, "", ""},
		{"missing file", missing, nil, "source: open " + missing + ": no such file or directory", ""},
		{"missing file url", "file://" + missing, nil, "source: open " + missing + ": no such file or directory", ""},
		{"directory", dir, nil, "source: " + dir + ": is a directory", ""},
		{"udp without port", "udp://@239.1.1.1", nil, "source: udp://@239.1.1.1: want udp://@group:port or udp://@:port", ""},
		{"rtp without port", "rtp://239.1.1.1", nil, "source: rtp://239.1.1.1: want rtp://@group:port or rtp://@:port", ""},
		{"udp rtcp parameter", "udp://@:0?rtcp=none", nil, `source: udp://@:0?rtcp=none: unknown parameter "rtcp"`, ""},
		{"rtp unknown parameter", "rtp://@:0?fec=1", nil, `source: rtp://@:0?fec=1: unknown parameter "fec"`, ""},
		{"rtp bad latency", "rtp://@:0?latency=soon", nil, `source: rtp://@:0?latency=soon: latency="soon" is not a positive duration`, ""},
		{"udp bad buffer", "udp://@:0?buffer=-1", nil, `source: udp://@:0?buffer=-1: buffer="-1" is not a positive byte count`, ""},
		{"rtp bad rtcp", "rtp://@:0?rtcp=nowhere", nil, `rtp: RTCP address "nowhere": address nowhere: missing port in address`, ""},
		{"udp no such interface", "udp://@239.255.0.1:1234?iface=nosuch0", nil, `udp: join 239.255.0.1:1234: interface "nosuch0": route ip+net: no such network interface`, ""},
		{"ipv6 multicast", "rtp://@[ff0e::1]:5004", nil, "source: rtp://@[ff0e::1]:5004: IPv6 multicast not supported yet", ""},
		{"unknown scheme", "rtsp://127.0.0.1/ch1", nil, `source: unknown scheme "rtsp" in rtsp://127.0.0.1/ch1`, ""},
		{"empty", " ", nil, "source: empty locator", ""},
		{"http 404", srv.URL + "/nope.ts", nil, "source: fetch " + srv.URL + "/nope.ts: 404 Not Found", ""},
		{"hls 404", srv.URL + "/nope.m3u8", nil, "hls: fetch playlist " + srv.URL + "/nope.m3u8: 404 Not Found", ""},
		{"server down", downURL, nil, "source: fetch " + downURL + ": dial tcp …", ""},
		{"stall", srv.URL + "/stall.ts", seg0[:10000], "", "source: read " + srv.URL + "/stall.ts: stalled: no data for 300ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{RequestTimeout: 300 * time.Millisecond, Retries: -1}
			rc, err := Open(context.Background(), tc.locator, cfg)
			if tc.openErr != "" {
				if err == nil {
					rc.Close()
				}
				checkErr(t, "Open", err, tc.openErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			got, err := readAll(t, rc)
			if tc.readErr != "" {
				checkErr(t, "Read", err, tc.readErr)
			} else if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("read %d bytes, want %d", len(got), len(tc.want))
			}
		})
	}
}

func TestNotSupportedIsMatchable(t *testing.T) {
	_, err := Open(context.Background(), "udp://@[ff0e::1]:1234", Config{})
	if !errors.Is(err, ErrNotSupported) {
		t.Errorf("%v is not ErrNotSupported", err)
	}
}

func checkErr(t *testing.T, op string, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s succeeded, want error %q", op, want)
	}
	msg := err.Error()
	if p, ok := strings.CutSuffix(want, "…"); ok && !strings.HasPrefix(msg, p) || !ok && msg != want {
		t.Errorf("%s error %q, want %q", op, msg, want)
	}
}

// readAll reads r to the end, failing the test rather than hanging.
func readAll(t *testing.T, r io.Reader) ([]byte, error) {
	t.Helper()
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(r)
		done <- result{b, err}
	}()
	select {
	case res := <-done:
		return res.b, res.err
	case <-time.After(20 * time.Second):
		t.Fatal("reading did not end")
		return nil, nil
	}
}
