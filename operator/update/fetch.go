package update

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/manbang/manbang/operator/update/bootenv"
	"github.com/manbang/manbang/operator/update/manifest"
)

// maxSmall bounds the answers read into memory (API, manifest, signature).
const maxSmall = 1 << 20

// Check asks the head-end for a newer image; it returns nil when the box
// is up to date.
func (a *Agent) Check(ctx context.Context) (*manifest.Release, error) {
	q := url.Values{"model": {a.cfg.Model}, "channel": {a.cfg.Channel}, "current": {a.cfg.Version}}
	u := a.server.JoinPath("/api/v1/firmware")
	u.RawQuery = q.Encode()
	body, status, err := a.get(ctx, u.String())
	if err != nil {
		return nil, err
	}
	if status == http.StatusNoContent {
		return nil, nil
	}
	var rel manifest.Release
	if err := json.Unmarshal(body, &rel); err != nil {
		return nil, fmt.Errorf("update: firmware answer: %w", err)
	}
	if rel.Version == "" || rel.URL == "" || rel.ManifestURL == "" || rel.SignatureURL == "" {
		return nil, errors.New("update: firmware answer lacks version or URLs")
	}
	if _, err := manifest.ParseVersion(rel.Version); err != nil {
		return nil, fmt.Errorf("update: firmware answer: %w", err)
	}
	if manifest.CompareVersions(rel.Version, a.cfg.Version) <= 0 {
		return nil, nil // the head-end offers nothing newer
	}
	return &rel, nil
}

// fetchManifest gets the release's manifest, verifies the release key's
// signature of it, then what the signed manifest says against the box and
// its boot environment env: this model and channel, not expired, newer
// than the running version, and a security version no lower than the
// image's or the highest the box installed.
func (a *Agent) fetchManifest(ctx context.Context, rel *manifest.Release, env bootenv.Env) (*manifest.Manifest, error) {
	now := time.Now()
	b, _, err := a.get(ctx, a.resolve(rel.ManifestURL))
	if err != nil {
		return nil, err
	}
	sig, _, err := a.get(ctx, a.resolve(rel.SignatureURL))
	if err != nil {
		return nil, err
	}
	m, err := manifest.Verify(a.cfg.PublicKey, b, sig)
	if err != nil {
		return nil, fmt.Errorf("update: release %s: %w", rel.Version, err)
	}
	floor := max(a.cfg.SecurityVersion, env.SecurityVersion())
	switch {
	case m.Model != a.cfg.Model:
		return nil, fmt.Errorf("%w: release %s is for model %q, not %q", ErrNotForThisBox, m.Version, m.Model, a.cfg.Model)
	case m.Channel != a.cfg.Channel:
		return nil, fmt.Errorf("%w: release %s is signed for channel %q, this box follows %q", ErrNotForThisBox, m.Version, m.Channel, a.cfg.Channel)
	case m.Version != rel.Version:
		return nil, fmt.Errorf("update: the head-end offers %s but its signed manifest says %s", rel.Version, m.Version)
	case m.Expired(now):
		return nil, fmt.Errorf("update: %w", m.CheckFresh(now))
	case manifest.CompareVersions(m.Version, a.cfg.Version) <= 0:
		return nil, fmt.Errorf("%w from %s to %s", ErrDowngrade, a.cfg.Version, m.Version)
	case m.SecurityVersion < floor:
		return nil, fmt.Errorf("%w: release %s has security version %d, this box has installed %d", ErrDowngrade, m.Version, m.SecurityVersion, floor)
	}
	return m, nil
}

// requireHTTPS refuses a URL that is not https, but for plain http to a
// head-end on this machine: a loopback address, which no other machine
// can answer for, as the UI's operator client allows it (operator's
// ErrInsecure). An attacker on the network could otherwise stall the box
// on an old release, or feed it a file to hash until the disk fills; the
// signature alone stops neither.
func requireHTTPS(u *url.URL) error {
	switch {
	case u.Host == "":
		return fmt.Errorf("update: %s has no host", u.Redacted())
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && loopbackHost(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInsecure, u.Redacted())
}

// loopbackHost reports whether host names this machine.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// requireHTTPSString is requireHTTPS of a URL string.
func requireHTTPSString(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	return requireHTTPS(u)
}

// httpsRedirects is the client's CheckRedirect: to https (or loopback
// http) targets only, at most 10 of them, as net/http's default.
func httpsRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("update: stopped after 10 redirects")
	}
	if err := requireHTTPS(req.URL); err != nil {
		return fmt.Errorf("redirect: %w", err)
	}
	return nil
}

func (a *Agent) resolve(ref string) string {
	u, err := a.server.Parse(ref)
	if err != nil {
		return ref
	}
	return u.String()
}

// get fetches a small document; 200 and 204 are success.
func (a *Agent) get(ctx context.Context, u string) ([]byte, int, error) {
	if err := requireHTTPSString(u); err != nil {
		return nil, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("update: %w", err)
	}
	resp, err := a.cfg.Client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("update: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return nil, resp.StatusCode, fmt.Errorf("update: GET %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxSmall+1))
	if err != nil {
		return nil, 0, fmt.Errorf("update: GET %s: %w", u, err)
	}
	if len(b) > maxSmall {
		return nil, 0, fmt.Errorf("update: GET %s: answer over %d bytes", u, maxSmall)
	}
	return b, resp.StatusCode, nil
}

// download fetches f into DownloadDir, resuming a partial file with an
// HTTP Range request, and returns the path of the complete file once its
// size and hash are those of the manifest. A file with the wrong hash is
// removed. The partial file survives errors and restarts.
func (a *Agent) download(ctx context.Context, ref string, f manifest.File) (string, error) {
	if err := privateDir(a.cfg.DownloadDir); err != nil {
		return "", err
	}
	a.removeStale(f)
	path := a.partialPath(f)
	out, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return "", fmt.Errorf("update: %w", err)
	}
	defer out.Close()
	have, err := out.Seek(0, io.SeekEnd)
	if err != nil {
		return "", fmt.Errorf("update: %w", err)
	}
	if have > f.Size {
		have = 0
	}
	if have < f.Size {
		if err := a.fetchRange(ctx, a.resolve(ref), out, have, f.Size); err != nil {
			if errors.Is(err, errNoSpace) {
				os.Remove(path)
			}
			return "", err
		}
	}
	if err := out.Sync(); err != nil {
		return "", fmt.Errorf("update: sync download: %w", err)
	}
	sum, err := hashFile(out, f.Size)
	if err != nil {
		return "", err
	}
	if sum != f.SHA256 {
		os.Remove(path)
		return "", fmt.Errorf("%w: download of %s has sha256 %s, the manifest says %s", ErrMismatch, f.Path, sum, f.SHA256)
	}
	return path, nil
}

// privateDir makes dir, the download directory, if it is missing, and
// makes sure it is a directory (not a link) of this process's user that
// nobody else may enter: mode 0700, also when it was made wider.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("update: download directory: %w", err)
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("update: download directory: %w", err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	switch {
	case !st.IsDir():
		return fmt.Errorf("update: download directory %s is not a directory (%s)", dir, st.Mode().Type())
	case ok && int(sys.Uid) != os.Geteuid():
		return fmt.Errorf("update: download directory %s belongs to uid %d, not to this service (uid %d)", dir, sys.Uid, os.Geteuid())
	case st.Mode().Perm() != 0o700:
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("update: download directory: %w", err)
		}
	}
	return nil
}

var errNoSpace = errors.New("no space left for the download")

// fetchRange appends bytes from offset have up to size to out.
func (a *Agent) fetchRange(ctx context.Context, u string, out *os.File, have, size int64) error {
	if err := requireHTTPSString(u); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	resp, err := a.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("update: download: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		start, ok := rangeStart(resp.Header.Get("Content-Range"))
		if !ok || start != have {
			return fmt.Errorf("update: download: asked for bytes from %d, got %q", have, resp.Header.Get("Content-Range"))
		}
	case resp.StatusCode == http.StatusOK:
		have = 0 // the server ignores ranges: start over
	default:
		return fmt.Errorf("update: download %s: %s", u, resp.Status)
	}
	if err := out.Truncate(have); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	w := &offsetWriter{f: out, off: have, fault: a.step}
	n, err := io.Copy(w, io.LimitReader(resp.Body, size-have))
	switch {
	case isNoSpace(err):
		return fmt.Errorf("update: download: %w (%d bytes needed in %s): %v", errNoSpace, size, a.cfg.DownloadDir, err)
	case err != nil:
		return fmt.Errorf("update: download interrupted at byte %d of %d (resumes next time): %w", have+n, size, err)
	case have+n < size:
		return fmt.Errorf("update: download ended at byte %d of %d (resumes next time): %w", have+n, size, io.ErrUnexpectedEOF)
	}
	return nil
}

// offsetWriter writes at increasing offsets and reports each chunk to the
// fault hook as the step "download-chunk".
type offsetWriter struct {
	f     *os.File
	off   int64
	fault func(string)
}

func (w *offsetWriter) Write(p []byte) (int, error) {
	n, err := w.f.WriteAt(p, w.off)
	w.off += int64(n)
	if err == nil {
		w.fault("download-chunk")
	}
	return n, err
}

func rangeStart(cr string) (int64, bool) {
	rest, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return 0, false
	}
	first, _, ok := strings.Cut(rest, "-")
	n, err := strconv.ParseInt(first, 10, 64)
	return n, ok && err == nil
}

// removeStale deletes partial downloads of other releases.
func (a *Agent) removeStale(keep manifest.File) {
	entries, _ := os.ReadDir(a.cfg.DownloadDir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".part") && e.Name() != keep.SHA256+".part" {
			os.Remove(filepath.Join(a.cfg.DownloadDir, e.Name()))
		}
	}
}

func hashFile(r io.ReaderAt, size int64) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		return "", fmt.Errorf("update: hash: %w", err)
	}
	return manifest.HashString(h.Sum(nil)), nil
}
