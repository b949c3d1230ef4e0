// Package manifest is the signed description of a Manbang device image: what
// the image is (name, version, model), the hashes of its files and
// partitions, and the ed25519 signature that makes a technician's flashing
// tool and a box's update agent trust it. It also holds the firmware API's
// answer, Release, shared by the head-end and the box.
package manifest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"time"
)

// Format is the manifest format this package reads and writes. Format 2
// added the channel, the security version and the expiry.
const Format = 2

// Manifest describes one release of a device image. Everything a box or a
// technician trusts is reached from it by hash, and it is signed as a whole
// (the exact bytes of the file, see Sign and Verify).
type Manifest struct {
	Format  int    `json:"format"`
	Name    string `json:"name"`    // image name, e.g. "manbang"
	Version string `json:"version"` // release version, e.g. "1.4.0"
	Model   string `json:"model"`   // the box model it runs on, e.g. "manbang-arm64"
	// Channel is the release channel the release is published on
	// ("stable", "beta"): a box takes only its own channel's releases.
	Channel string `json:"channel"`
	// SecurityVersion is a number the release engineer raises when a
	// release fixes a vulnerability that older releases have. A box
	// remembers the highest it installed and refuses any lower one,
	// whatever the versions say.
	SecurityVersion uint64 `json:"security_version"`
	// Expires is when the signature stops vouching for the release: a box
	// refuses an expired manifest, so that an old one cannot be replayed
	// forever. Re-sign a release that must stay installable.
	Expires time.Time `json:"expires"`
	// Image is the whole disk image that manbang-flash writes.
	Image File `json:"image"`
	// Bmap is the block map of Image (bmaptool's XML): which blocks hold
	// data, with a checksum per range.
	Bmap File `json:"bmap"`
	// Partitions are the partitions of Image, in disk order.
	Partitions []Partition `json:"partitions"`
	// Update is the root filesystem that the update agent writes at the
	// start of the inactive root slot.
	Update File `json:"update"`
}

// File is a file of a release, named relative to the manifest.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lowercase hex
}

// Partition is one partition of the disk image.
type Partition struct {
	Name   string `json:"name"` // GPT partition name: root_a, root_b, data
	Offset int64  `json:"offset"`
	Size   int64  `json:"size"`
	// SHA256 is the hash of the partition's bytes in the image, unmapped
	// (zero) blocks included.
	SHA256 string `json:"sha256"`
}

// Release is the head-end's answer to GET /api/v1/firmware when a newer
// image exists for the box's model and channel. URLs are absolute.
type Release struct {
	Version      string `json:"version"`
	URL          string `json:"url"`    // the update artifact (Manifest.Update)
	Size         int64  `json:"size"`   // its size in bytes
	SHA256       string `json:"sha256"` // its hash, lowercase hex
	ManifestURL  string `json:"manifest_url"`
	SignatureURL string `json:"signature_url"`
}

// Errors of Parse.
var (
	ErrSyntax  = errors.New("manifest: not a manifest")
	ErrInvalid = errors.New("manifest: invalid")
	// ErrExpired is returned for a manifest past its expiry (Expired).
	ErrExpired = errors.New("manifest: expired")
)

var (
	hexHash  = regexp.MustCompile(`^[0-9a-f]{64}$`)
	safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$`)
)

// Parse decodes and checks a manifest. It does not check the signature:
// call Verify on the same bytes first.
func Parse(b []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrSyntax)
	}
	if err := m.Check(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Check reports what is wrong with m, if anything.
func (m *Manifest) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	if m.Format != Format {
		return bad("format %d, want %d", m.Format, Format)
	}
	for what, s := range map[string]string{"name": m.Name, "version": m.Version, "model": m.Model, "channel": m.Channel} {
		if !safeName.MatchString(s) {
			return bad("%s %q: want 1-128 letters, digits and ._+~-", what, s)
		}
	}
	if _, err := ParseVersion(m.Version); err != nil {
		return bad("%v", err)
	}
	if m.Expires.IsZero() {
		return bad("no expiry")
	}
	for what, f := range map[string]File{"image": m.Image, "bmap": m.Bmap, "update": m.Update} {
		if err := f.check(); err != nil {
			return bad("%s: %v", what, err)
		}
	}
	var end int64
	names := map[string]bool{}
	for i, p := range m.Partitions {
		switch {
		case !safeName.MatchString(p.Name):
			return bad("partition %d: name %q", i, p.Name)
		case names[p.Name]:
			return bad("partition %q twice", p.Name)
		case p.Offset < end || p.Size <= 0 || p.Offset > m.Image.Size-p.Size:
			return bad("partition %q: offset %d size %d overlaps or leaves the %d-byte image", p.Name, p.Offset, p.Size, m.Image.Size)
		case !hexHash.MatchString(p.SHA256):
			return bad("partition %q: sha256 %q is not 64 lowercase hex digits", p.Name, p.SHA256)
		}
		names[p.Name] = true
		end = p.Offset + p.Size
	}
	return nil
}

func (f File) check() error {
	switch {
	case f.Path == "" || f.Path != path.Base(f.Path) || f.Path == "." || f.Path == ".." || !safeName.MatchString(f.Path):
		return fmt.Errorf("path %q is not a plain file name", f.Path)
	case f.Size <= 0:
		return fmt.Errorf("size %d", f.Size)
	case !hexHash.MatchString(f.SHA256):
		return fmt.Errorf("sha256 %q is not 64 lowercase hex digits", f.SHA256)
	}
	return nil
}

// Partition returns the partition called name.
func (m *Manifest) Partition(name string) (Partition, bool) {
	for _, p := range m.Partitions {
		if p.Name == name {
			return p, true
		}
	}
	return Partition{}, false
}

// Marshal encodes m as indented JSON with a final newline: the bytes to sign.
func (m *Manifest) Marshal() ([]byte, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("manifest: encode: %w", err)
	}
	return append(b, '\n'), nil
}

// Expired reports whether the manifest's signature no longer vouches for
// it at time now: from its Expires on.
func (m *Manifest) Expired(now time.Time) bool { return !now.Before(m.Expires) }

// CheckFresh returns an error wrapping ErrExpired when m has expired at
// now.
func (m *Manifest) CheckFresh(now time.Time) error {
	if m.Expired(now) {
		return fmt.Errorf("%w: release %s's signature expired at %s (the clock says %s); the release must be signed again",
			ErrExpired, m.Version, m.Expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// HashString formats a SHA-256 sum as a manifest writes it.
func HashString(sum []byte) string { return hex.EncodeToString(sum) }
