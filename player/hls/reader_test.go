package hls

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// quick makes retries fast for tests that exercise them.
var quick = Config{RetryBackoff: 5 * time.Millisecond, Retries: 3}

func TestVOD(t *testing.T) {
	dir := vodFixture(t)
	srv := serve(t, http.FileServer(http.Dir(dir)))
	segs := segmentFiles(t, dir)
	want := concat(t, dir, segs...)

	r, err := Open(context.Background(), srv.URL+"/index.m3u8", Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := readAll(t, r, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, want the %d bytes of %v", len(got), len(want), segs)
	}
	if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("Read after the end = %d, %v; want 0, io.EOF", n, err)
	}
	st := r.Stats()
	if st.SegmentsFetched != len(segs) || st.SegmentsSkipped != 0 || st.BytesRead != int64(len(want)) || st.VariantBandwidth != 0 {
		t.Errorf("stats = %+v", st)
	}
	if len(r.Discontinuities()) != 0 {
		t.Errorf("discontinuities %v in a plain VOD", r.Discontinuities())
	}
}

func TestByteRanges(t *testing.T) {
	dir := hlsFixture(t, "single", "160x120", 2, "-hls_flags", "single_file")
	if segs := segmentFiles(t, dir); len(segs) < 3 || segs[0] != segs[1] {
		t.Fatalf("fixture is not one file with byte ranges: %v", segs)
	}
	srv := serve(t, http.FileServer(http.Dir(dir)))
	r, err := Open(context.Background(), srv.URL+"/index.m3u8", Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := readAll(t, r, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if want := readFile(t, filepath.Join(dir, "index.ts")); !bytes.Equal(got, want) {
		t.Errorf("read %d bytes, want the %d of index.ts", len(got), len(want))
	}
}

func TestMasterPlaylist(t *testing.T) {
	high := vodFixture(t)
	low := hlsFixture(t, "low", "160x120", 2)
	mux := http.NewServeMux()
	mux.Handle("/high/", http.StripPrefix("/high/", http.FileServer(http.Dir(high))))
	mux.Handle("/low/", http.StripPrefix("/low/", http.FileServer(http.Dir(low))))
	mux.HandleFunc("/master.m3u8", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "#EXTM3U\n"+
			"#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=160x120\nlow/index.m3u8\n"+
			"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=9000000,URI=\"iframes.m3u8\"\n"+
			"#EXT-X-STREAM-INF:BANDWIDTH=1200000,RESOLUTION=320x240\nhigh/index.m3u8\n")
	})
	srv := serve(t, mux)
	tests := []struct {
		name          string
		maxBandwidth  int
		wantBandwidth int
		wantDir       string
	}{
		{"no cap picks highest", 0, 1200000, high},
		{"cap between", 1000000, 300000, low},
		{"cap above all", 5000000, 1200000, high},
		{"cap below all picks lowest", 1000, 300000, low},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(context.Background(), srv.URL+"/master.m3u8", Config{MaxBandwidth: tc.maxBandwidth})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got, err := readAll(t, r, 20*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if want := concat(t, tc.wantDir, segmentFiles(t, tc.wantDir)...); !bytes.Equal(got, want) {
				t.Errorf("read %d bytes, not the %d of the %d bit/s variant", len(got), len(want), tc.wantBandwidth)
			}
			if bw := r.Stats().VariantBandwidth; bw != tc.wantBandwidth {
				t.Errorf("VariantBandwidth = %d, want %d", bw, tc.wantBandwidth)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	var hits counter
	failures := 2
	mux := http.NewServeMux()
	mux.HandleFunc("/missing.m3u8", func(w http.ResponseWriter, r *http.Request) {
		hits.hit(r.URL.Path)
		http.NotFound(w, r)
	})
	mux.HandleFunc("/page.m3u8", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!DOCTYPE html>\n<html><body>Channel unavailable</body></html>\n")
	})
	mux.HandleFunc("/flaky.m3u8", func(w http.ResponseWriter, r *http.Request) {
		if hits.hit(r.URL.Path) <= failures {
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-ENDLIST\n")
	})
	mux.HandleFunc("/broken.m3u8", func(w http.ResponseWriter, r *http.Request) {
		hits.hit(r.URL.Path)
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/encrypted.m3u8", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"k\"\n#EXTINF:2,\ns.ts\n#EXT-X-ENDLIST\n")
	})
	srv := serve(t, mux)

	down := serve(t, http.NotFoundHandler())
	downURL := down.URL + "/index.m3u8"
	down.Close() // nothing listens there any more

	tests := []struct {
		name    string
		url     string
		wantErr string // exact, or a prefix when it ends in "…"
		hits    int    // requests expected on the path, if non-zero
	}{
		{"404 is final", srv.URL + "/missing.m3u8", "hls: fetch playlist " + srv.URL + "/missing.m3u8: 404 Not Found", 1},
		{"html", srv.URL + "/page.m3u8", "hls: " + srv.URL + "/page.m3u8: not an HLS playlist", 0},
		{"500 then success", srv.URL + "/flaky.m3u8", "", failures + 1},
		{"503 forever", srv.URL + "/broken.m3u8", "hls: fetch playlist " + srv.URL + "/broken.m3u8: 503 Service Unavailable (after 4 attempts)", 4},
		{"server down", downURL, "hls: fetch playlist " + downURL + ": dial tcp …", 0},
		{"encrypted", srv.URL + "/encrypted.m3u8", "hls: " + srv.URL + "/encrypted.m3u8: SAMPLE-AES encryption not supported", 0},
		{"not http", "ftp://127.0.0.1/x.m3u8", `hls: "ftp://127.0.0.1/x.m3u8" is not an http(s) URL`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(context.Background(), tc.url, quick)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if b, err := readAll(t, r, 5*time.Second); err != nil || len(b) != 0 {
					t.Errorf("read %d bytes, %v from an empty VOD playlist", len(b), err)
				}
				r.Close()
			} else {
				if err == nil {
					r.Close()
					t.Fatalf("Open succeeded, want %q", tc.wantErr)
				}
				msg := err.Error()
				if p, ok := strings.CutSuffix(tc.wantErr, "…"); ok && !strings.HasPrefix(msg, p) || !ok && msg != tc.wantErr {
					t.Errorf("error %q, want %q", msg, tc.wantErr)
				}
				if strings.Contains(msg, "\n") {
					t.Errorf("error %q spans lines", msg)
				}
			}
			if tc.hits != 0 {
				if path := strings.TrimPrefix(tc.url, srv.URL); hits.get(path) != tc.hits {
					t.Errorf("%d requests for %s, want %d", hits.get(path), path, tc.hits)
				}
			}
		})
	}
}

func TestSegmentNotFoundSkipped(t *testing.T) {
	dir := vodFixture(t)
	segs := segmentFiles(t, dir)
	var hits counter
	files := http.FileServer(http.Dir(dir))
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.hit(r.URL.Path)
		if r.URL.Path == "/"+segs[1] {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	}))
	r, err := Open(context.Background(), srv.URL+"/index.m3u8", quick)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := readAll(t, r, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	others := append([]string{segs[0]}, segs[2:]...)
	if want := concat(t, dir, others...); !bytes.Equal(got, want) {
		t.Errorf("read %d bytes, want the %d of %v", len(got), len(want), others)
	}
	if st := r.Stats(); st.SegmentsSkipped != 1 || st.SegmentsFetched != len(segs)-1 {
		t.Errorf("stats = %+v, want 1 skipped", st)
	}
	if n := hits.get("/" + segs[1]); n != 1+segmentNotFoundRetries {
		t.Errorf("missing segment requested %d times, want %d", n, 1+segmentNotFoundRetries)
	}
}

// stallServer serves the VOD fixture, except that the named path sends
// half its body (or nothing, for headersToo) and then blocks until the
// test ends.
func stallServer(t *testing.T, dir, path string, headersToo bool) string {
	release := make(chan struct{})
	files := http.FileServer(http.Dir(dir))
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			files.ServeHTTP(w, r)
			return
		}
		if !headersToo {
			body := readFile(t, filepath.Join(dir, strings.TrimPrefix(path, "/")))
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	return srv.URL
}

func TestStalls(t *testing.T) {
	dir := vodFixture(t)
	seg := "/" + segmentFiles(t, dir)[1]
	cfg := Config{RequestTimeout: 200 * time.Millisecond, Retries: 1, RetryBackoff: time.Millisecond}

	t.Run("mid-segment", func(t *testing.T) {
		base := stallServer(t, dir, seg, false)
		r, err := Open(context.Background(), base+"/index.m3u8", cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		start := time.Now()
		got, err := readAll(t, r, 10*time.Second)
		want := fmt.Sprintf("hls: fetch segment 1 %s%s: stalled: no data for 200ms (after 2 attempts)", base, seg)
		if err == nil || err.Error() != want {
			t.Fatalf("error %v, want %q", err, want)
		}
		if first := concat(t, dir, segmentFiles(t, dir)[0]); !bytes.Equal(got, first) {
			t.Errorf("read %d bytes before the stall, want the %d of the first segment", len(got), len(first))
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("took %v to give up", d)
		}
	})
	t.Run("playlist headers", func(t *testing.T) {
		base := stallServer(t, dir, "/index.m3u8", true)
		_, err := Open(context.Background(), base+"/index.m3u8", cfg)
		want := "hls: fetch playlist " + base + "/index.m3u8: stalled: no data for 200ms (after 2 attempts)"
		if err == nil || err.Error() != want {
			t.Fatalf("error %v, want %q", err, want)
		}
	})
}

func TestClose(t *testing.T) {
	dir := vodFixture(t)
	seg := "/" + segmentFiles(t, dir)[0]

	t.Run("unblocks Read", func(t *testing.T) {
		base := stallServer(t, dir, seg, true)
		r, err := Open(context.Background(), base+"/index.m3u8", Config{})
		if err != nil {
			t.Fatal(err)
		}
		readErr := make(chan error, 1)
		go func() {
			_, err := r.Read(make([]byte, 100))
			readErr <- err
		}()
		closed := make(chan error, 1)
		go func() { closed <- r.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Errorf("Close = %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not return")
		}
		select {
		case err := <-readErr:
			if !errors.Is(err, ErrClosed) {
				t.Errorf("Read = %v, want ErrClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Read still blocked after Close")
		}
	})
	t.Run("with a segment waiting", func(t *testing.T) {
		srv := serve(t, http.FileServer(http.Dir(dir)))
		r, err := Open(context.Background(), srv.URL+"/index.m3u8", Config{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Read(make([]byte, 10)); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if _, err := r.Read(make([]byte, 10)); !errors.Is(err, ErrClosed) {
			t.Errorf("Read after Close = %v, want ErrClosed", err)
		}
		r.Close() // a second Close is harmless
	})
	t.Run("context cancelled", func(t *testing.T) {
		srv := serve(t, http.FileServer(http.Dir(dir)))
		ctx, cancel := context.WithCancel(context.Background())
		r, err := Open(ctx, srv.URL+"/index.m3u8", Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		cancel()
		if _, err := readAll(t, r, 5*time.Second); !errors.Is(err, context.Canceled) {
			t.Errorf("Read after cancel = %v, want context.Canceled", err)
		}
	})
}
