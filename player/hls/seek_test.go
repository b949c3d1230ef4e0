package hls

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestSeek(t *testing.T) {
	dir := vodFixture(t) // three 2-second segments
	segs := segmentFiles(t, dir)
	srv := serve(t, http.FileServer(http.Dir(dir)))
	r, err := Open(context.Background(), srv.URL+"/index.m3u8", Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.Seekable() || r.Duration() != 6*time.Second {
		t.Fatalf("seekable %v, duration %v; want a 6s VOD", r.Seekable(), r.Duration())
	}
	if _, err := r.Read(make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at        time.Duration
		wantStart time.Duration
		wantFrom  int
	}{
		{3 * time.Second, 2 * time.Second, 1},
		{0, 0, 0},
		{4 * time.Second, 4 * time.Second, 2},
		{time.Hour, 4 * time.Second, 2},
		{-time.Second, 0, 0},
	}
	for _, tc := range tests {
		start, err := r.Seek(tc.at)
		if err != nil || start != tc.wantStart {
			t.Fatalf("Seek(%v) = %v, %v; want %v", tc.at, start, err, tc.wantStart)
		}
		got, err := readAll(t, r, 20*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if want := concat(t, dir, segs[tc.wantFrom:]...); !bytes.Equal(got, want) {
			t.Errorf("after Seek(%v): read %d bytes, want the %d from segment %d", tc.at, len(got), len(want), tc.wantFrom)
		}
	}
}

// Interrupt unblocks a Read waiting for a stalled segment; a Seek then
// makes the stream readable again.
func TestInterruptThenSeek(t *testing.T) {
	dir := vodFixture(t)
	segs := segmentFiles(t, dir)
	base := stallServer(t, dir, "/"+segs[0], true)
	r, err := Open(context.Background(), base+"/index.m3u8", Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	readErr := make(chan error, 1)
	go func() {
		_, err := r.Read(make([]byte, 100))
		readErr <- err
	}()
	r.Interrupt()
	select {
	case err := <-readErr:
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("Read = %v, want ErrInterrupted", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read still blocked after Interrupt")
	}
	if _, err := r.Read(make([]byte, 100)); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Read after Interrupt = %v, want ErrInterrupted", err)
	}
	if _, err := r.Seek(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, r, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if want := concat(t, dir, segs[1:]...); !bytes.Equal(got, want) {
		t.Errorf("read %d bytes after the seek, want %d", len(got), len(want))
	}
}

func TestSeekLive(t *testing.T) {
	dir := liveFixture(t)
	ls := &liveServer{dir: dir, files: segmentFiles(t, dir), step: func(n int) (int, int, bool) { return n, n + 3, false }}
	srv := serve(t, ls)
	r, err := Open(context.Background(), srv.URL+"/live.m3u8", Config{clock: newFakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Seekable() || r.Duration() != 0 {
		t.Errorf("live: seekable %v, duration %v", r.Seekable(), r.Duration())
	}
	if _, err := r.Seek(time.Second); !errors.Is(err, ErrNotSeekable) {
		t.Errorf("Seek on live = %v, want ErrNotSeekable", err)
	}
}
