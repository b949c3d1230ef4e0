// Package mounts watches the mount table (/proc/self/mountinfo) for the
// viewer's media (USB sticks, SD cards) mounted under the media roots.
package mounts

// A Medium is a file system mounted under one of the media roots.
type Medium struct {
	Path     string // the mount point
	Label    string // the volume label, else the mount point's base name
	FSType   string // "vfat", "fuse.fusefat", "exfat", "ext4"...
	Size     int64  // bytes, from statfs; 0 if unknown
	ReadOnly bool
}
