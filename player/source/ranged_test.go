package source

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/manbang/manbang/player/hls"
)

// rangedBody is a body whose every byte says where it is.
func rangedBody(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7 / 5)
	}
	return b
}

func openRanged(t *testing.T, h http.Handler) Ranged {
	t.Helper()
	rc, err := Open(t.Context(), serveHandler(t, h)+"/clip.ts", Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close() })
	r, ok := rc.(Ranged)
	if !ok {
		t.Fatalf("%T is not Ranged", rc)
	}
	return r
}

// Reads at offsets and restarts, against a server that answers Range
// requests (http.ServeContent).
func TestRanged(t *testing.T) {
	body := rangedBody(300_000)
	r := openRanged(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		http.ServeContent(w, req, "clip.ts", time.Time{}, bytes.NewReader(body))
	}))
	if r.Size() != int64(len(body)) {
		t.Errorf("Size = %d, want %d", r.Size(), len(body))
	}
	cases := []struct {
		off  int64
		n    int
		want int
		err  error
	}{
		{0, 100, 100, nil},
		{12345, 70_000, 70_000, nil},
		{int64(len(body)) - 10, 100, 10, io.EOF},
		{int64(len(body)), 10, 0, io.EOF},
	}
	for _, c := range cases {
		p := make([]byte, c.n)
		n, err := r.ReadAt(p, c.off)
		if n != c.want || !errors.Is(err, c.err) && !(c.err == nil && err == nil) {
			t.Errorf("ReadAt(%d bytes at %d) = %d, %v; want %d, %v", c.n, c.off, n, err, c.want, c.err)
		}
		if !bytes.Equal(p[:n], body[c.off:c.off+int64(n)]) {
			t.Errorf("ReadAt(%d bytes at %d): wrong bytes", c.n, c.off)
		}
	}
	for _, off := range []int64{200_000, 5, 0} {
		if err := r.Restart(off); err != nil {
			t.Fatalf("Restart(%d): %v", off, err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, body[off:]) {
			t.Errorf("after Restart(%d): %d bytes, %v; want the body from there", off, len(got), err)
		}
	}
	if err := r.Restart(int64(len(body)) + 1); err == nil {
		t.Error("Restart past the end succeeded")
	}
}

// A server that sends the whole body for a Range request cannot be read
// at an offset, and says so.
func TestRangedNoRanges(t *testing.T) {
	r := openRanged(t, &cuttingServer{body: rangedBody(10_000), noRange: true})
	if _, err := r.ReadAt(make([]byte, 10), 100); !errors.Is(err, ErrNoRanges) {
		t.Errorf("ReadAt = %v, want ErrNoRanges", err)
	}
	// The stream itself is still whole.
	if got, err := io.ReadAll(r); err != nil || len(got) != 10_000 {
		t.Errorf("read %d bytes, %v", len(got), err)
	}
}

// Interrupt ends a Read waiting on a silent server at once; Reads fail
// until Restart, which reads again.
func TestRangedInterrupt(t *testing.T) {
	body := rangedBody(50_000)
	first := make(chan struct{}, 1)
	first <- struct{}{}
	r := openRanged(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-first: // the first request: a little, then silence
			w.Header().Set("Content-Length", itoa(len(body)))
			w.Write(body[:1000])
			w.(http.Flusher).Flush()
			<-req.Context().Done()
		default:
			http.ServeContent(w, req, "clip.ts", time.Time{}, bytes.NewReader(body))
		}
	}))
	if _, err := io.ReadFull(r, make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.Read(make([]byte, 100))
		done <- err
	}()
	r.Interrupt()
	select {
	case err := <-done:
		if !errors.Is(err, hls.ErrInterrupted) {
			t.Errorf("interrupted Read = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Interrupt did not end the Read")
	}
	if _, err := r.Read(make([]byte, 10)); !errors.Is(err, hls.ErrInterrupted) {
		t.Errorf("Read after Interrupt = %v", err)
	}
	if err := r.Restart(40_000); err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, body[40_000:]) {
		t.Errorf("after Restart: %d bytes, %v", len(got), err)
	}
}

// Interrupt ends a ReadAt waiting on a silent server too.
func TestRangedInterruptReadAt(t *testing.T) {
	body := rangedBody(50_000)
	asked := make(chan struct{}, 1)
	r := openRanged(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Range") == "" {
			http.ServeContent(w, req, "clip.ts", time.Time{}, bytes.NewReader(body))
			return
		}
		asked <- struct{}{}
		<-req.Context().Done()
	}))
	done := make(chan error, 1)
	go func() {
		_, err := r.ReadAt(make([]byte, 100), 1000)
		done <- err
	}()
	select {
	case <-asked:
	case <-time.After(5 * time.Second):
		t.Fatal("no Range request")
	}
	r.Interrupt()
	select {
	case err := <-done:
		if !errors.Is(err, hls.ErrInterrupted) {
			t.Errorf("interrupted ReadAt = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Interrupt did not end the ReadAt")
	}
}
