package evdev

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
)

// fileOpener opens plain files and FIFOs as devices. A file whose name
// has "kbd" in it is a keyboard; the others are remotes.
type fileOpener struct {
	mu      sync.Mutex
	grabbed []string
}

type fileDevice struct {
	*os.File
	o *fileOpener
}

func (o *fileOpener) Open(path string) (Device, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return &fileDevice{f, o}, nil
}

func (d *fileDevice) Info() (Info, error) {
	var info Info
	if strings.Contains(d.Name(), "kbd") {
		info.Keys.Add(keyNames["KEY_A"])
	} else {
		info.Keys.Add(keyNames["KEY_OK"])
	}
	return info, nil
}

func (d *fileDevice) Grab() error {
	d.o.mu.Lock()
	defer d.o.mu.Unlock()
	d.o.grabbed = append(d.o.grabbed, filepath.Base(d.Name()))
	return nil
}

var testKeys = map[uint16]remote.Key{0x160: remote.KeyOK, 0x67: remote.KeyUp, 0x18e: remote.KeyRed}

// fifo makes a FIFO outside dir, opens it for writing, and moves it into
// dir as name: the source must never see it without a writer, which would
// read as the end of the device.
func fifo(t testing.TB, dir, name string) *os.File {
	t.Helper()
	tmp := filepath.Join(t.TempDir(), name)
	if err := syscall.Mkfifo(tmp, 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	return w
}

func records(code uint16, values ...int32) []byte {
	var b []byte
	for _, v := range values {
		b = AppendRecord(b, Record{Time: time.Now(), Type: evKey, Code: code, Value: v})
		b = AppendRecord(b, Record{Time: time.Now(), Type: evSyn, Code: synReport})
	}
	return b
}

type run struct {
	events chan remote.Event
	cancel context.CancelFunc
	done   chan error
	opener *fileOpener
}

func start(t *testing.T, dir string, rescan time.Duration) *run {
	t.Helper()
	r := &run{events: make(chan remote.Event, 64), done: make(chan error, 1), opener: &fileOpener{}}
	var ctx context.Context
	ctx, r.cancel = context.WithCancel(context.Background())
	src := New(Config{Dir: dir, Keys: testKeys, Opener: r.opener, Rescan: rescan, Logger: slog.New(slog.DiscardHandler)})
	go func() { r.done <- src.Run(ctx, func(ev remote.Event) { r.events <- ev }) }()
	t.Cleanup(func() {
		r.cancel()
		select {
		case <-r.done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not end after its context")
		}
	})
	return r
}

func (r *run) expect(t *testing.T, key remote.Key, action remote.Action, source string) {
	t.Helper()
	select {
	case ev := <-r.events:
		if ev.Key != key || ev.Action != action || ev.Source != source {
			t.Fatalf("got %v %v from %s; want %v %v from %s", ev.Key, ev.Action, ev.Source, key, action, source)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no event within 5 s; want %v %v from %s", key, action, source)
	}
}

func write(t *testing.T, w io.Writer, b []byte) {
	t.Helper()
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
}

func TestSourceReadsRemotesPresentAndPluggedLater(t *testing.T) {
	dir := t.TempDir()
	first := fifo(t, dir, "event0")
	kbd := fifo(t, dir, "event1-kbd")
	r := start(t, dir, time.Hour) // only inotify can find the second remote
	src0 := "evdev:" + filepath.Join(dir, "event0")

	write(t, kbd, records(0x160, 1, 0)) // not a remote: never read
	write(t, first, records(0x160, 1, 2, 2, 0))
	r.expect(t, remote.KeyOK, remote.Press, src0)
	r.expect(t, remote.KeyOK, remote.Repeat, src0)
	r.expect(t, remote.KeyOK, remote.Repeat, src0)
	r.expect(t, remote.KeyOK, remote.Release, src0)

	second := fifo(t, dir, "event7")
	write(t, second, records(0x18e, 1, 0))
	src7 := "evdev:" + filepath.Join(dir, "event7")
	r.expect(t, remote.KeyRed, remote.Press, src7)
	r.expect(t, remote.KeyRed, remote.Release, src7)

	// Unmapped keys and a stray release say nothing; then a held key is
	// released when the device goes away.
	write(t, second, records(0x1, 1, 0))
	write(t, second, records(0x67, 0))
	write(t, second, records(0x67, 1))
	r.expect(t, remote.KeyUp, remote.Press, src7)
	os.Remove(filepath.Join(dir, "event7"))
	second.Close()
	r.expect(t, remote.KeyUp, remote.Release, src7)

	r.opener.mu.Lock()
	defer r.opener.mu.Unlock()
	if strings.Join(r.opener.grabbed, ",") != "event0,event7" {
		t.Errorf("grabbed %v; want the two remotes only", r.opener.grabbed)
	}
}

func TestSourceReleasesHeldKeysWhenEventsAreDropped(t *testing.T) {
	dir := t.TempDir()
	w := fifo(t, dir, "event3")
	r := start(t, dir, time.Hour)
	src := "evdev:" + filepath.Join(dir, "event3")
	b := records(0x67, 1)
	b = AppendRecord(b, Record{Type: evSyn, Code: synDropped})
	write(t, w, b)
	r.expect(t, remote.KeyUp, remote.Press, src)
	r.expect(t, remote.KeyUp, remote.Release, src)
}

func TestSourceReadsARecordedFileOnceAndSplitRecords(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "event4"), records(0x160, 1, 0), 0o600); err != nil {
		t.Fatal(err)
	}
	r := start(t, dir, 10*time.Millisecond) // rescans often: the file must not be read again
	src4 := "evdev:" + filepath.Join(dir, "event4")
	r.expect(t, remote.KeyOK, remote.Press, src4)
	r.expect(t, remote.KeyOK, remote.Release, src4)

	// A record split across writes is put back together.
	w := fifo(t, dir, "event5")
	b := records(0x67, 1)
	write(t, w, b[:5])
	write(t, w, b[5:])
	r.expect(t, remote.KeyUp, remote.Press, "evdev:"+filepath.Join(dir, "event5"))
	select {
	case ev := <-r.events:
		t.Errorf("unexpected %v %v from %s", ev.Key, ev.Action, ev.Source)
	default:
	}
}

func TestSourceWithoutDirectoryWaitsForIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "input")
	r := start(t, dir, 10*time.Millisecond)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w := fifo(t, dir, "event0")
	write(t, w, records(0x160, 1))
	r.expect(t, remote.KeyOK, remote.Press, "evdev:"+filepath.Join(dir, "event0"))
}

// byteDevice is a device that reads a fixed byte string.
type byteDevice struct{ io.Reader }

func (byteDevice) Info() (Info, error) { return Info{}, nil }
func (byteDevice) Grab() error         { return nil }
func (byteDevice) Close() error        { return nil }

// FuzzRead feeds arbitrary device bytes through the record reader: never a
// panic, and never a release or repeat of a key not pressed.
func FuzzRead(f *testing.F) {
	f.Add(records(0x160, 1, 2, 0))
	f.Add(append(records(0x67, 1), AppendRecord(nil, Record{Type: evSyn, Code: synDropped})...))
	f.Add([]byte("not records at all"))
	s := New(Config{Keys: testKeys, Logger: slog.New(slog.DiscardHandler)})
	f.Fuzz(func(t *testing.T, b []byte) {
		held := map[remote.Key]bool{}
		err := s.read(byteDevice{strings.NewReader(string(b))}, "fuzz", func(ev remote.Event) {
			switch ev.Action {
			case remote.Press, remote.Repeat:
				held[ev.Key] = true
			case remote.Release:
				if !held[ev.Key] {
					t.Fatalf("release of %v, not held", ev.Key)
				}
				delete(held, ev.Key)
			}
		})
		if !errors.Is(err, io.EOF) {
			t.Fatalf("read ended with %v; want EOF", err)
		}
		if len(held) != 0 {
			t.Fatalf("keys still held at the end: %v", held)
		}
	})
}
