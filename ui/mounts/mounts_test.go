package mounts

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A table as a box has it: the root, /proc, a tmpfs over the media root,
// a stick (with a space in its label, escaped) and an SD card below it,
// a FUSE-mounted FAT image, and a bind mount of a stick elsewhere.
const table = `22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw
23 22 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw
40 22 0:38 / /media rw,nosuid,nodev shared:20 - tmpfs tmpfs rw,mode=755
41 40 8:17 / /media/MY\040STICK ro,nosuid,nodev,noexec,relatime shared:21 - vfat /dev/sdb1 ro,fmask=0022,codepage=437,iocharset=utf8
42 40 179:33 / /media/SD ro,nosuid,nodev,noexec,relatime shared:22 - exfat /dev/mmcblk1p1 rw
43 40 0:39 / /media/FAMILY ro,nosuid,nodev,relatime - fuse.fusefat fusefat ro,user_id=0,group_id=0
44 22 8:17 / /mnt/elsewhere ro,relatime shared:21 - vfat /dev/sdb1 ro
`

func TestParse(t *testing.T) {
	es, err := Parse([]byte(table))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 7 {
		t.Fatalf("%d entries, want 7", len(es))
	}
	st := es[3]
	if st.MountPoint != "/media/MY STICK" || st.FSType != "vfat" || st.Source != "/dev/sdb1" || !st.ReadOnly() {
		t.Errorf("the stick: %+v", st)
	}
	if es[2].ReadOnly() {
		t.Errorf("the tmpfs is read-write: %+v", es[2])
	}
	if !es[4].ReadOnly() {
		t.Error("a mount read-only over a read-write file system is read-only")
	}
}

func TestParseBadLines(t *testing.T) {
	for _, tc := range []struct {
		name, table string
		good        int
	}{
		{"no separator", "41 40 8:17 / /media/a ro shared:21 vfat /dev/sdb1 ro\n", 0},
		{"too short", "41 40 8:17 / /media/a ro - vfat\n", 0},
		{"cut escape", "41 40 8:17 / /media/a\\04 ro - vfat /dev/sdb1 ro\n", 0},
		{"bad escape", "41 40 8:17 / /media/a\\9zz ro - vfat /dev/sdb1 ro\n", 0},
		{"escape past a byte", "41 40 8:17 / /media/a\\777 ro - vfat /dev/sdb1 ro\n", 0},
		{"relative mount point", "41 40 8:17 / media/a ro - vfat /dev/sdb1 ro\n", 0},
		{"one bad among good", "garbage\n" + table, 7},
		{"blank lines", "\n\n" + table + "\n", 7},
		{"no last newline", table[:len(table)-1], 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, err := Parse([]byte(tc.table))
			if len(es) != tc.good {
				t.Errorf("%d entries, want %d", len(es), tc.good)
			}
			bad := tc.good == 0 || tc.name == "one bad among good"
			if bad && !errors.Is(err, errLine) {
				t.Errorf("error %v, want a malformed line", err)
			}
			if !bad && err != nil {
				t.Errorf("error %v", err)
			}
		})
	}
}

func TestUnder(t *testing.T) {
	es, _ := Parse([]byte(table))
	for _, tc := range []struct {
		name  string
		roots []string
		want  []string
	}{
		{"the media root", []string{"/media"}, []string{"/media/FAMILY", "/media/MY STICK", "/media/SD"}},
		{"the root itself is no medium", []string{"/media/SD"}, nil},
		{"a prefix is not a parent", []string{"/med"}, nil},
		{"two roots", []string{"/mnt", "/media/MY STICK/.."}, []string{"/media/FAMILY", "/media/MY STICK", "/media/SD", "/mnt/elsewhere"}},
		{"no roots", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var roots []string
			for _, r := range tc.roots {
				roots = append(roots, filepath.Clean(r))
			}
			var got []string
			for _, m := range Under(es, roots) {
				got = append(got, m.Path)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	ms := Under(es, []string{"/media"})
	if ms[1].Label != "MY STICK" || ms[1].FSType != "vfat" || !ms[1].ReadOnly {
		t.Errorf("the stick: %+v", ms[1])
	}
}

func TestUdevUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`MY\x20STICK`:              "MY STICK",
		`\xec\x98\x81\xed\x99\x94`: "영화",
		`PLAIN`:                    "PLAIN",
		`cut\x2`:                   `cut\x2`,
		`bad\xzz`:                  `bad\xzz`,
	} {
		if got := udevUnescape(in); got != want {
			t.Errorf("udevUnescape(%q) = %q, want %q", in, got, want)
		}
	}
}

// A table file read at the start gives the media at once.
func TestWatchReadsTheTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mountinfo")
	if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := watch(path, []string{"/media"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if ms := w.Media(); len(ms) != 3 || w.Err() != nil {
		t.Errorf("media %+v, error %v", ms, w.Err())
	}
}

// Mounting and unmounting a real file system under a media root is
// reported, without polling, and Close ends the watcher.
func TestWatchMounts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a file system needs root (CI runs as root)")
	}
	root := t.TempDir()
	w, err := Watch([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if ms := w.Media(); len(ms) != 0 {
		t.Fatalf("media before any mount: %+v", ms)
	}
	stick := filepath.Join(root, "STICK")
	if err := os.Mkdir(stick, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", stick, "tmpfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=4m"); err != nil {
		t.Fatalf("mount a tmpfs: %v", err)
	}
	mounted := true
	defer func() {
		if mounted {
			unix.Unmount(stick, unix.MNT_DETACH)
		}
	}()
	ms := next(t, w, "the mount")
	if len(ms) != 1 || ms[0].Path != stick || ms[0].FSType != "tmpfs" || ms[0].Label != "STICK" || !ms[0].ReadOnly || ms[0].Size != 4<<20 {
		t.Fatalf("after the mount: %+v", ms)
	}
	if err := unix.Unmount(stick, 0); err != nil {
		t.Fatal(err)
	}
	mounted = false
	if ms := next(t, w, "the unmount"); len(ms) != 0 {
		t.Fatalf("after the unmount: %+v", ms)
	}
	done := make(chan struct{})
	go func() { w.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the watcher")
	}
}

// next waits for the watcher's next change.
func next(t *testing.T, w *Watcher, what string) []Medium {
	t.Helper()
	select {
	case ms := <-w.Changes():
		return ms
	case <-time.After(10 * time.Second):
		t.Fatalf("no change reported after %s", what)
		return nil
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(table))
	f.Add([]byte("41 40 8:17 / /media/a\\040b ro - vfat /dev/sdb1 ro\n"))
	f.Add([]byte("1 2 3 4 5 6 - 7\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, _ := Parse(b)
		for _, e := range es {
			if len(e.MountPoint) == 0 || e.MountPoint[0] != '/' {
				t.Fatalf("mount point %q", e.MountPoint)
			}
		}
		Under(es, []string{"/media", "/"})
	})
}
