package mounts

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// A Medium is a file system mounted under one of the media roots.
type Medium struct {
	Path     string // the mount point
	Label    string // the volume label, else the mount point's base name
	FSType   string // "vfat", "fuse.fusefat", "exfat", "ext4"...
	Size     int64  // bytes, from statfs; 0 if unknown
	ReadOnly bool
}

// MountInfo is the mount table Watch reads.
const MountInfo = "/proc/self/mountinfo"

// byLabel is where udev links block devices by their volume label.
const byLabel = "/dev/disk/by-label"

// A Watcher reports the media mounted under its roots as they come and
// go. Watch starts it; Close ends it.
type Watcher struct {
	roots []string
	// table is the open mount table, a plain descriptor: an os.File
	// would be in the runtime's epoll set, whose wakeups call the
	// table's poll and so take the change events this poll waits for.
	table   int
	wake    [2]int // a pipe: Close writes, the poll wakes
	changes chan []Medium
	done    chan struct{}
	once    sync.Once

	mu    sync.Mutex
	media []Medium
	err   error
}

// Watch starts watching the mount table for media under roots (each
// mount strictly below one of them); Close ends it. The roots need not
// exist yet.
func Watch(roots []string) (*Watcher, error) {
	return watch(MountInfo, roots)
}

func watch(table string, roots []string) (*Watcher, error) {
	w := &Watcher{changes: make(chan []Medium, 1), done: make(chan struct{})}
	for _, r := range roots {
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, fmt.Errorf("media root %q: %w", r, err)
		}
		w.roots = append(w.roots, filepath.Clean(abs))
	}
	fd, err := unix.Open(table, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("mount table %s: %w", table, err)
	}
	w.table = fd
	if err := unix.Pipe2(w.wake[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("mount watcher: %w", err)
	}
	w.media, w.err = w.read()
	go w.run()
	return w, nil
}

// Media returns the media mounted now, sorted by Path.
func (w *Watcher) Media() []Medium {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.media)
}

// Err returns why the mount table could not be read last, or nil.
func (w *Watcher) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Changes is sent the media mounted after each change of them: a buffer
// of one, the latest list replacing one not yet taken.
func (w *Watcher) Changes() <-chan []Medium { return w.changes }

// Close stops the watcher and waits for it.
func (w *Watcher) Close() error {
	w.once.Do(func() {
		unix.Write(w.wake[1], []byte{0})
		<-w.done
		unix.Close(w.table)
		unix.Close(w.wake[0])
		unix.Close(w.wake[1])
	})
	return nil
}

// run waits for the kernel to say the table changed (POLLPRI|POLLERR on
// the open table), reads it again and sends the media if they changed.
func (w *Watcher) run() {
	defer close(w.done)
	fds := []unix.PollFd{
		{Fd: int32(w.table), Events: unix.POLLPRI | unix.POLLERR},
		{Fd: int32(w.wake[0]), Events: unix.POLLIN},
	}
	for {
		_, err := unix.Poll(fds, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil || fds[1].Revents != 0 {
			return
		}
		if fds[0].Revents == 0 {
			continue
		}
		media, rerr := w.read()
		w.mu.Lock()
		same := slices.Equal(media, w.media)
		w.media, w.err = media, rerr
		w.mu.Unlock()
		if same {
			continue
		}
		select { // the latest replaces one not taken
		case <-w.changes:
		default:
		}
		w.changes <- slices.Clone(media)
	}
}

// read reads the table from its start and returns the media in it.
func (w *Watcher) read() ([]Medium, error) {
	b, err := io.ReadAll(io.NewSectionReader(fdReader(w.table), 0, maxTable))
	if err != nil {
		return nil, fmt.Errorf("mount table: %w", err)
	}
	entries, perr := Parse(b)
	media := Under(entries, w.roots)
	for i := range media {
		media[i].Size = size(media[i].Path)
	}
	if perr != nil {
		perr = fmt.Errorf("mount table: %w", perr)
	}
	return media, perr
}

// Under returns the media of entries mounted strictly below one of
// roots, sorted by path, without their sizes. A mount point mounted over
// again counts once, as its last mount.
func Under(entries []Entry, roots []string) []Medium {
	seen := map[string]int{}
	var out []Medium
	for _, e := range entries {
		if !below(e.MountPoint, roots) {
			continue
		}
		m := Medium{Path: e.MountPoint, Label: label(e), FSType: e.FSType, ReadOnly: e.ReadOnly()}
		if i, ok := seen[m.Path]; ok {
			out[i] = m
			continue
		}
		seen[m.Path] = len(out)
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Medium) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// below says whether p is strictly below one of roots.
func below(p string, roots []string) bool {
	for _, r := range roots {
		if r == "/" {
			if p != "/" {
				return true
			}
			continue
		}
		if strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

// label is the volume label of the mount's device, as udev links it in
// /dev/disk/by-label, else the mount point's name (the automounter
// names mount points by label).
func label(e Entry) string {
	if strings.HasPrefix(e.Source, "/dev/") {
		if dev, err := filepath.EvalSymlinks(e.Source); err == nil {
			if links, err := os.ReadDir(byLabel); err == nil {
				for _, l := range links {
					if t, err := filepath.EvalSymlinks(filepath.Join(byLabel, l.Name())); err == nil && t == dev {
						return udevUnescape(l.Name())
					}
				}
			}
		}
	}
	return filepath.Base(e.MountPoint)
}

// udevUnescape undoes udev's \xNN escapes in a by-label link's name.
func udevUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if v, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// fdReader reads a descriptor at an offset.
type fdReader int

func (f fdReader) ReadAt(p []byte, off int64) (int, error) {
	for {
		n, err := unix.Pread(int(f), p, off)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// size returns the size of the file system at path, 0 if unknown.
func size(path string) int64 {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0
	}
	bs := st.Frsize
	if bs <= 0 {
		bs = st.Bsize
	}
	return int64(st.Blocks) * bs
}
