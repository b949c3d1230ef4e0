package manifest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// semver is the grammar of a SemVer 2.0.0 version (semver.org, the
// regular expression it suggests): MAJOR.MINOR.PATCH without leading
// zeros, an optional pre-release after "-" and optional build metadata
// after "+".
var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// maxVersion bounds a version's length (as a manifest's names are).
const maxVersion = 128

// Version is a parsed SemVer 2.0.0 version.
type Version struct {
	Major, Minor, Patch uint64
	// Pre are the pre-release identifiers ("rc", "1" of 1.4.0-rc.1); a
	// version with any is lower than the same version without.
	Pre []string
	// Build is the build metadata, which precedence ignores.
	Build string
}

// ParseVersion parses a SemVer 2.0.0 version such as "1.4.0",
// "1.4.0-rc.1" or "1.4.0+20260101".
func ParseVersion(s string) (Version, error) {
	if len(s) > maxVersion {
		return Version{}, fmt.Errorf("manifest: version of %d bytes is too long", len(s))
	}
	m := semver.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("manifest: version %q is not SemVer MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]", s)
	}
	var v Version
	for i, p := range []*uint64{&v.Major, &v.Minor, &v.Patch} {
		n, err := strconv.ParseUint(m[i+1], 10, 64)
		if err != nil {
			return Version{}, fmt.Errorf("manifest: version %q: %w", s, err)
		}
		*p = n
	}
	if m[4] != "" {
		v.Pre = strings.Split(m[4], ".")
	}
	v.Build = m[5]
	return v, nil
}

// Compare orders v and w by SemVer precedence: -1, 0 or +1.
func (v Version) Compare(w Version) int {
	for _, c := range [][2]uint64{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if c[0] != c[1] {
			return cmpUint(c[0], c[1])
		}
	}
	switch {
	case len(v.Pre) == 0 && len(w.Pre) == 0:
		return 0
	case len(v.Pre) == 0:
		return 1 // a release is higher than its pre-releases
	case len(w.Pre) == 0:
		return -1
	}
	for i := 0; i < len(v.Pre) && i < len(w.Pre); i++ {
		if c := comparePre(v.Pre[i], w.Pre[i]); c != 0 {
			return c
		}
	}
	return cmpUint(uint64(len(v.Pre)), uint64(len(w.Pre)))
}

// comparePre orders two pre-release identifiers: numeric ones
// numerically and lower than alphanumeric ones, alphanumeric ones in
// ASCII order.
func comparePre(a, b string) int {
	an, aerr := strconv.ParseUint(a, 10, 64)
	bn, berr := strconv.ParseUint(b, 10, 64)
	anum, bnum := isDigits(a), isDigits(b)
	switch {
	case anum && bnum:
		if aerr != nil || berr != nil { // beyond uint64: longer is larger
			if len(a) != len(b) {
				return cmpUint(uint64(len(a)), uint64(len(b)))
			}
			return strings.Compare(a, b)
		}
		return cmpUint(an, bn)
	case anum:
		return -1
	case bnum:
		return 1
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CompareVersions orders two release versions by SemVer 2.0.0 precedence
// (1.4.0-rc.1 < 1.4.0 < 1.4.3 < 1.10.0; build metadata ignored). A
// string that is not a SemVer version is lower than every version, and
// two such strings are compared as text, so that a list sorts the same
// way every time; the update agent refuses them (ParseVersion). It
// returns -1, 0 or +1.
func CompareVersions(a, b string) int {
	va, erra := ParseVersion(a)
	vb, errb := ParseVersion(b)
	switch {
	case erra != nil && errb != nil:
		return strings.Compare(a, b)
	case erra != nil:
		return -1
	case errb != nil:
		return 1
	}
	return va.Compare(vb)
}
