package update

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// resident is how many of f's pages are in the page cache (mincore).
func resident(t *testing.T, f *os.File, size int) int {
	t.Helper()
	m, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	page := os.Getpagesize()
	vec := make([]byte, (size+page-1)/page)
	if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Fatalf("mincore: %v", e)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}

// TestDropCache: after a slot is written and synced, dropCache leaves
// none of its pages in the page cache, so the read-back that follows
// reads the card, not what was just written to memory (issue 21,
// finding 12). A file on tmpfs has no card behind it and keeps its pages.
func TestDropCache(t *testing.T) {
	dir := t.TempDir()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	if st.Type == unix.TMPFS_MAGIC {
		dir = "." // the package's directory, on a disk
	}
	f, err := os.CreateTemp(dir, "slot-*")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	const size = 4 << 20
	if _, err := f.Write(make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	before := resident(t, f, size)
	if before == 0 {
		t.Fatalf("the file system of %s kept none of the pages just written: the test shows nothing there", filepath.Dir(f.Name()))
	}
	if err := dropCache(f); err != nil {
		t.Fatal(err)
	}
	if after := resident(t, f, size); after != 0 {
		t.Errorf("%d of %d pages still cached after dropCache (%d before)", after, size/os.Getpagesize(), before)
	}
}
