// Package update is the box's update agent: it asks the head-end for a
// newer image of the box's model and channel, downloads it with resume,
// verifies its signature before anything is written, writes the inactive
// root slot, and switches the boot slot; after the reboot the UI confirms
// the new slot with MarkGood, or the bootloader falls back to the old one
// (package bootenv). A power cut at any step leaves a box that boots.
package update

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/update/bootenv"
	"github.com/manbang/manbang/operator/update/manifest"
)

// Config is what an Agent needs to know about the box.
type Config struct {
	// Server is the head-end's base URL, such as "https://10.0.0.1:8443":
	// https, as is every URL the agent fetches, except to a head-end on
	// this machine (loopback), where TLS protects nothing that the box's
	// own root does not already hold (tests and `make run`).
	Server string
	// Model and Channel select the images ("manbang-arm64", "stable"); a
	// signed manifest must name both.
	Model, Channel string
	// Version is the running image's version (SemVer).
	Version string
	// SecurityVersion is the running image's security version: no image
	// with a lower one is installed, nor one lower than the highest the
	// boot environment remembers (bootenv.SecurityVar).
	SecurityVersion uint64
	// PublicKey verifies the manifests' signatures (the release key).
	PublicKey ed25519.PublicKey
	// CAFile is a PEM file of the CAs the head-end's certificate must
	// chain to; when empty, Client's or the system's roots are trusted.
	CAFile string
	// Slots maps each slot ("A", "B") to its root partition (a block
	// device on the box, a file in tests).
	Slots map[string]string
	// Booted is the slot running now (the kernel command line's
	// manbang.slot=; see BootedSlot).
	Booted string
	// Boot is the boot environment.
	Boot bootenv.Store
	// DownloadDir keeps downloads, partial ones included, across restarts;
	// on the box it is on the data partition.
	DownloadDir string
	// Client makes the requests; default a client without a timeout (the
	// context bounds each call) that trusts CAFile. It cannot be combined
	// with CAFile. Redirects are followed to https URLs only.
	Client *http.Client
	// Logger gets progress; default slog.Default().
	Logger *slog.Logger
	// Progress, if set, is told of each step Update reaches (the names
	// documented there, and "write-chunk" for each MiB written), with the
	// version being installed once it is known.
	Progress func(step, version string)

	// fault, in tests, is called at each step (see step names in Update).
	fault func(step string)
}

// Agent updates the box.
type Agent struct {
	cfg     Config
	server  *url.URL
	version string // the version being installed, once known
}

// Errors of the agent.
var (
	// ErrUnconfirmed is returned by Update while the running slot waits
	// for MarkGood: overwriting the other slot would remove the fallback.
	// It has a method Unconfirmed() bool, for code that cannot import
	// this package (the UI's screens) to tell it with errors.As.
	ErrUnconfirmed error = unconfirmedError{}
	// ErrMismatch is returned when a download or a written slot does not
	// have the signed hash.
	ErrMismatch = errors.New("update: hash mismatch")
	// ErrDowngrade is returned for a signed release that is not newer
	// than the running one, or whose security version is lower than the
	// box's.
	ErrDowngrade = errors.New("update: refusing to downgrade")
	// ErrNotForThisBox is returned for a signed release of another model
	// or channel.
	ErrNotForThisBox = errors.New("update: the release is not for this box")
	// ErrInsecure is returned for a URL that is neither https nor http to
	// a loopback address.
	ErrInsecure = errors.New("update: updates are fetched over https only")
)

type unconfirmedError struct{}

func (unconfirmedError) Error() string     { return "update: the running slot is not confirmed yet" }
func (unconfirmedError) Unconfirmed() bool { return true }

// New checks cfg and returns an agent.
func New(cfg Config) (*Agent, error) {
	u, err := url.Parse(cfg.Server)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return nil, fmt.Errorf("update: server %q is not an https URL", cfg.Server)
	}
	if err := requireHTTPS(u); err != nil {
		return nil, err
	}
	if _, err := manifest.ParseVersion(cfg.Version); err != nil {
		return nil, fmt.Errorf("update: the running image's version: %w", err)
	}
	switch {
	case cfg.Model == "" || cfg.Channel == "":
		return nil, errors.New("update: no model or channel")
	case len(cfg.PublicKey) != ed25519.PublicKeySize:
		return nil, errors.New("update: no public key")
	case cfg.CAFile != "" && cfg.Client != nil:
		return nil, errors.New("update: give either Client or CAFile, not both")
	case !bootenv.Valid(cfg.Booted):
		return nil, fmt.Errorf("update: booted slot %q is not A or B", cfg.Booted)
	case cfg.Slots[cfg.Booted] == "" || cfg.Slots[bootenv.Other(cfg.Booted)] == "":
		return nil, errors.New("update: both slots' partitions are needed")
	case cfg.Boot == nil:
		return nil, errors.New("update: no boot environment")
	case cfg.DownloadDir == "":
		return nil, errors.New("update: no download directory")
	}
	switch {
	case cfg.CAFile != "":
		if cfg.Client, err = operator.PinnedHTTPClient(cfg.CAFile, nil); err != nil {
			return nil, fmt.Errorf("update: %w", err)
		}
	case cfg.Client == nil:
		cfg.Client = &http.Client{}
	default:
		c := *cfg.Client
		cfg.Client = &c
	}
	cfg.Client.CheckRedirect = httpsRedirects
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Agent{cfg: cfg, server: u}, nil
}

// BootedSlot reads the slot the bootloader chose from a kernel command
// line (/proc/cmdline): manbang.slot=A or manbang.slot=B.
func BootedSlot(cmdline string) (string, error) {
	for _, f := range strings.Fields(cmdline) {
		if v, ok := strings.CutPrefix(f, "manbang.slot="); ok && bootenv.Valid(v) {
			return v, nil
		}
	}
	return "", errors.New("update: no manbang.slot=A|B on the kernel command line")
}

func (a *Agent) step(name string) {
	if a.cfg.fault != nil {
		a.cfg.fault(name)
	}
	if a.cfg.Progress != nil {
		a.cfg.Progress(name, a.version)
	}
}

// Result is what Update did.
type Result struct {
	// Version is the image now in Slot; empty when the box was up to date.
	Version string
	// Slot is the slot written, which boots next.
	Slot string
}

// Updated reports whether an image was installed (a reboot starts it).
func (r Result) Updated() bool { return r.Version != "" }

// Update installs the newest image for the box, if there is one, into the
// inactive slot and makes it the next to boot. The steps, each safe to
// interrupt by a power cut:
//
//	check     ask the head-end; nothing to do when up to date
//	verified  manifest and signature fetched and verified
//	download  the image downloaded (resumed) into DownloadDir and hashed
//	marked    the inactive slot marked bad in the boot environment
//	written   the image written to the inactive slot, synced, read back
//	          from the card (after the step "synced")
//	switched  the boot environment points at the new slot, and it keeps
//	          the release's security version if that is higher
func (a *Agent) Update(ctx context.Context) (Result, error) {
	env, err := a.cfg.Boot.Load()
	if err != nil {
		return Result{}, err
	}
	if !bootenv.Confirmed(env, a.cfg.Booted) {
		return Result{}, ErrUnconfirmed
	}
	rel, err := a.Check(ctx)
	if err != nil || rel == nil {
		return Result{}, err
	}
	a.step("check")
	m, err := a.fetchManifest(ctx, rel, env)
	if err != nil {
		return Result{}, err
	}
	a.version = m.Version
	a.step("verified")
	target := bootenv.Other(a.cfg.Booted)
	dev := a.cfg.Slots[target]
	if size, err := deviceSize(dev); err != nil {
		return Result{}, err
	} else if size < m.Update.Size {
		return Result{}, fmt.Errorf("update: slot %s (%s) holds %d bytes, the image needs %d", target, dev, size, m.Update.Size)
	}
	a.cfg.Logger.Info("update: downloading", "version", m.Version, "bytes", m.Update.Size)
	file, err := a.download(ctx, rel.URL, m.Update)
	if err != nil {
		return Result{}, err
	}
	a.step("download")
	if err := a.cfg.Boot.Save(bootenv.MarkBad(env, target)); err != nil {
		return Result{}, fmt.Errorf("update: mark slot %s bad: %w", target, err)
	}
	a.step("marked")
	a.cfg.Logger.Info("update: writing", "slot", target, "device", dev)
	if err := a.writeSlot(ctx, file, dev, m.Update); err != nil {
		return Result{}, err
	}
	a.step("written")
	env, err = a.cfg.Boot.Load()
	if err != nil {
		return Result{}, err
	}
	if err := a.cfg.Boot.Save(bootenv.RaiseSecurityVersion(bootenv.Switch(env, target), m.SecurityVersion)); err != nil {
		return Result{}, fmt.Errorf("update: switch to slot %s: %w", target, err)
	}
	a.step("switched")
	os.Remove(file)
	a.cfg.Logger.Info("update: installed; reboot to start it", "version", m.Version, "slot", target)
	return Result{Version: m.Version, Slot: target}, nil
}

// MarkGood confirms the running slot: the UI calls it once it reached Home
// and played a frame after a boot. Until then the bootloader counts the
// boot as failed.
func (a *Agent) MarkGood() error {
	return MarkGood(a.cfg.Boot, a.cfg.Booted, a.cfg.Logger)
}

// MarkGood confirms the booted slot in the boot environment boot, as
// Agent.MarkGood does, for a confirmation that needs no head-end (the
// box's `manbang update --mark-good`). A nil log means slog.Default().
func MarkGood(boot bootenv.Store, booted string, log *slog.Logger) error {
	if !bootenv.Valid(booted) {
		return fmt.Errorf("update: booted slot %q is not A or B", booted)
	}
	if log == nil {
		log = slog.Default()
	}
	env, err := boot.Load()
	if err != nil {
		return err
	}
	if bootenv.Confirmed(env, booted) {
		return nil
	}
	if err := boot.Save(bootenv.MarkGood(env, booted)); err != nil {
		return fmt.Errorf("update: mark slot %s good: %w", booted, err)
	}
	log.Info("update: slot confirmed", "slot", booted)
	return nil
}

// partialPath is where the download of f is kept, named by its hash so
// that a different release never resumes another's bytes.
func (a *Agent) partialPath(f manifest.File) string {
	return filepath.Join(a.cfg.DownloadDir, f.SHA256+".part")
}
