package rig

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// PullFAT detaches a FAT image mounted with MountFAT at once, even while
// files of it are open, as the automounter does when a viewer pulls a
// stick out (a lazy unmount): the mount table loses it now, and fusefat
// ends when the last file is closed. The unmount function MountFAT gave
// is not to be called after it.
func PullFAT(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if out, err := exec.Command("fusermount", "-u", "-z", abs).CombinedOutput(); err != nil {
		return fmt.Errorf("pull %s: %v: %s", abs, err, strings.TrimSpace(string(out)))
	}
	return nil
}
