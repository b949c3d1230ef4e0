package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/update"
	"github.com/manbang/manbang/operator/update/bootenv"
	"github.com/manbang/manbang/operator/update/manifest"
)

// publicKey is the base64 ed25519 key that signs the images this box
// accepts, set at build time with -ldflags "-X main.publicKey=...".
var publicKey string

// Where the box keeps the update's files (docs/IMAGE.md): the download on
// the data partition in a directory only root writes, the status and the
// request in RAM, the configuration, keys and CA on the read-only root.
const (
	defaultDownloadDir = "/data/manbang-update"
	defaultStatus      = "/run/manbang-update/status.json"
	defaultRequest     = "/run/manbang/update-request"
	defaultRelease     = "/etc/manbang-release"
	defaultUpdateConf  = "/etc/manbang/update.conf"
	defaultUIUser      = "manbang"
)

// updateCmd is `manbang update`: the root service that installs a newer
// image from the head-end into the other slot, and with --mark-good
// confirms the slot the box booted. It writes what it does to the status
// file the UI shows.
func updateCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("manbang update", flag.ContinueOnError)
	fs.SetOutput(stderr)
	confPath := fs.String("config", defaultUpdateConf, "the update `file` on the read-only root: SERVER= (the head-end's https URL) and CHANNEL= lines")
	server := fs.String("server", "", "the head-end's base https `URL` (default: SERVER= of --config)")
	model := fs.String("model", "", "the box's model (default: MODEL= of --release)")
	channel := fs.String("channel", "", "the release channel (default: CHANNEL= of --config, else stable)")
	current := fs.String("version", "", "the running image's version (default: this binary's, else VERSION= of --release)")
	release := fs.String("release", defaultRelease, "the image's release `file` (NAME=, VERSION=, MODEL=, SECURITY_VERSION= lines)")
	keyFile := fs.String("key", "", "the public key `file` images must be signed with (default: the key built in)")
	caFlag := fs.String("operator-ca", operator.DefaultCAFile, "PEM `file` of the only certificate authorities trusted for the head-end's https (default: the image's, where it has one; else the system's)")
	uiUser := fs.String("request-owner", defaultUIUser, "the `user` (name or uid) the UI runs as: a request file is taken only if it owns it")
	slotA := fs.String("slot-a", "/dev/disk/by-partlabel/root_a", "slot A's root `partition`")
	slotB := fs.String("slot-b", "/dev/disk/by-partlabel/root_b", "slot B's root `partition`")
	bootEnv := fs.String("bootenv", envOr("MANBANG_BOOTENV", "fw"), "the boot environment: fw (U-Boot's, through fw_printenv and fw_setenv) or file:PATH (env MANBANG_BOOTENV)")
	cmdline := fs.String("cmdline", "/proc/cmdline", "the kernel command line `file` that names the booted slot (manbang.slot=)")
	downloadDir := fs.String("download-dir", defaultDownloadDir, "`DIR` that keeps downloads across restarts")
	statusPath := fs.String("status", defaultStatus, "the status `file` the UI reads")
	requestPath := fs.String("request", defaultRequest, "the request `file` the UI writes to ask for a check")
	markGood := fs.Bool("mark-good", false, "confirm the booted slot (the UI came up healthy) instead of updating")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("update: unexpected arguments %q", fs.Args())
	}
	log, err := newLogger(*logLevel, stderr)
	if err != nil {
		return err
	}
	boot, err := bootStore(*bootEnv)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(*cmdline)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	booted, err := update.BootedSlot(string(b))
	if err != nil {
		return err
	}
	if *markGood {
		return update.MarkGood(boot, booted, log)
	}
	// What this root service acts on comes from its flags and from root's
	// files on the read-only root, never from a file the UI may write
	// (the UI's settings on /data choose nothing here).
	conf, err := readConf(*confPath)
	if err != nil {
		return err
	}
	if *server == "" {
		*server = conf["SERVER"]
	}
	if *channel == "" {
		*channel = cmp.Or(conf["CHANNEL"], "stable")
	}
	rel, err := readConf(*release)
	if err != nil {
		return err
	}
	if *model == "" {
		*model = rel["MODEL"]
	}
	if *current == "" {
		*current = version
		if *current == "dev" && rel["VERSION"] != "" {
			*current = rel["VERSION"]
		}
	}
	var secver uint64
	if v := rel["SECURITY_VERSION"]; v != "" {
		if secver, err = strconv.ParseUint(v, 10, 64); err != nil {
			return fmt.Errorf("update: SECURITY_VERSION=%q of %s is not a number", v, *release)
		}
	}
	pub, err := manifest.LoadPublicKey(*keyFile, publicKey)
	if err != nil {
		return err
	}
	// The request is the UI's: only its ID is taken, if the file is a
	// small regular file of the UI's user in the expected form.
	readRequest := func() string {
		if _, err := os.Lstat(*requestPath); errors.Is(err, iofs.ErrNotExist) {
			return ""
		}
		owner, err := lookupUID(*uiUser)
		if err != nil {
			log.Warn("update: request ignored", "err", err)
			return ""
		}
		id, err := update.ReadRequest(*requestPath, owner)
		if err != nil {
			if !errors.Is(err, update.ErrNoRequest) {
				log.Warn("update: request ignored", "err", err)
			}
			return ""
		}
		return id
	}
	request := readRequest()
	status := func(s update.Status) {
		s.Time = time.Now().UTC()
		if err := update.WriteStatus(*statusPath, s); err != nil {
			log.Warn("update status", "err", err)
		}
	}
	status(update.Status{State: update.StateChecking})
	caGiven := false
	fs.Visit(func(f *flag.Flag) { caGiven = caGiven || f.Name == "operator-ca" })
	caFile, err := operator.CAFileFor(*caFlag, caGiven)
	if err != nil {
		err = fmt.Errorf("update: --operator-ca: %w", err)
	} else if *server == "" {
		err = fmt.Errorf("update: no update server: set SERVER=https://... in %s", *confPath)
	}
	var agent *update.Agent
	if err == nil {
		agent, err = update.New(update.Config{
			Server: *server, Model: *model, Channel: *channel, Version: *current, SecurityVersion: secver,
			PublicKey: pub, CAFile: caFile,
			Slots:  map[string]string{"A": *slotA, "B": *slotB},
			Booted: booted, Boot: boot, DownloadDir: *downloadDir, Logger: log,
			Progress: func(step, v string) {
				switch step {
				case "verified":
					status(update.Status{State: update.StateDownloading, Version: v})
				case "marked":
					status(update.Status{State: update.StateWriting, Version: v})
				}
			},
		})
	}
	if err != nil {
		// The request is answered even so: the UI says what is missing.
		status(update.Status{State: update.StateFailed, Error: err.Error(), Request: readRequest()})
		return err
	}
	res, err := agent.Update(ctx)
	// A request made while this run went on is answered by it too.
	if r := readRequest(); r != "" {
		request = r
	}
	switch {
	case errors.Is(err, update.ErrUnconfirmed):
		log.Info("update: the running slot is not confirmed yet; not updating", "slot", booted)
		status(update.Status{State: update.StateUnconfirmed, Request: request})
		return nil
	case err != nil:
		status(update.Status{State: update.StateFailed, Error: err.Error(), Request: request})
		return err
	case res.Updated():
		status(update.Status{State: update.StateInstalled, Version: res.Version, Request: request})
	default:
		log.Info("update: up to date", "version", *current)
		status(update.Status{State: update.StateUpToDate, Version: *current, Request: request})
	}
	return nil
}

// bootStore is the boot environment named by --bootenv.
func bootStore(s string) (bootenv.Store, error) {
	if s == "fw" {
		return bootenv.FwEnv{}, nil
	}
	if p, ok := strings.CutPrefix(s, "file:"); ok && p != "" {
		return bootenv.File{Path: p}, nil
	}
	return nil, fmt.Errorf("update: --bootenv %q: want fw or file:PATH", s)
}

// maxConf bounds a configuration file.
const maxConf = 64 << 10

// readConf reads KEY=VALUE lines (# comments) of a root-owned file on the
// read-only root (the release file, the update configuration); a missing
// file is empty. As OpenSSH's StrictModes, it refuses a file that is not
// regular, belongs to neither root nor this process's user, or that
// others may write: such a file would let someone else steer root.
func readConf(path string) (map[string]string, error) {
	m := map[string]string{}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, iofs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	switch {
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("update: %s is not a regular file", path)
	case !ok || (sys.Uid != 0 && int(sys.Uid) != os.Geteuid()):
		return nil, fmt.Errorf("update: %s belongs to uid %d, not to root: refused", path, sys.Uid)
	case st.Mode().Perm()&0o022 != 0:
		return nil, fmt.Errorf("update: others may write %s (mode %v): refused", path, st.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxConf+1))
	if err != nil {
		return nil, fmt.Errorf("update: %s: %w", path, err)
	}
	if len(b) > maxConf {
		return nil, fmt.Errorf("update: %s is over %d bytes", path, maxConf)
	}
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = strings.Trim(v, `"`)
		}
	}
	return m, nil
}

// lookupUID is the uid of a user given by name or number.
func lookupUID(name string) (int, error) {
	if n, err := strconv.Atoi(name); err == nil && n >= 0 {
		return n, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return 0, fmt.Errorf("update: --request-owner: %w", err)
	}
	return strconv.Atoi(u.Uid)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
