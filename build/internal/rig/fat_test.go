package rig

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// A FAT image made with names in Korean, Russian and CP949 mounts
// read-only and reads back as written.
func TestMakeAndMountFAT(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("FUSE mounts need root here (/dev/fuse is root's; CI runs as root)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, []byte("a family video"), 0o644); err != nil {
		t.Fatal(err)
	}
	image := filepath.Join(dir, "stick.img")
	files := map[string]string{
		"영화/가족 여행.mp4":         src,
		"Фильмы/Дача 2024.mkv": src,
		"\xbb\xe7.JPG":         src, // 사 in CP949
		"top.txt":              src,
	}
	if err := MakeFAT(ctx, image, 8, "FAMILY", files); err != nil {
		t.Fatal(err)
	}
	mnt := filepath.Join(dir, "media", "FAMILY")
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	unmount, err := MountFAT(ctx, image, mnt)
	if err != nil {
		t.Fatal(err)
	}
	defer unmount()
	for _, p := range []string{"영화/가족 여행.mp4", "Фильмы/Дача 2024.mkv", "top.txt"} {
		b, err := os.ReadFile(filepath.Join(mnt, p))
		if err != nil || !bytes.Equal(b, []byte("a family video")) {
			t.Errorf("%s: %q, %v", p, b, err)
		}
	}
	names, err := os.ReadDir(mnt)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range names {
		got = append(got, n.Name())
	}
	if cp949 := "\xbb\xe7.JPG"; !slices.Contains(got, cp949) {
		t.Errorf("names %q: want the short name in CP949 bytes %q", got, cp949)
	}
	if err := os.WriteFile(filepath.Join(mnt, "new.txt"), nil, 0o644); err == nil {
		t.Error("wrote to the medium: it is mounted read-write")
	}
	if err := unmount(); err != nil {
		t.Fatal(err)
	}
	if mounted(mnt) {
		t.Error("still mounted after unmount")
	}
}
