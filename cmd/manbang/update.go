package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/manbang/manbang/operator/update"
	"github.com/manbang/manbang/operator/update/bootenv"
	"github.com/manbang/manbang/operator/update/manifest"
)

// publicKey is the base64 ed25519 key that signs the images this box
// accepts, set at build time with -ldflags "-X main.publicKey=...".
var publicKey string

// Where the box keeps the update's files (docs/IMAGE.md): the download on
// the data partition in a directory only root writes, the status and the
// request in RAM.
const (
	defaultDownloadDir = "/data/manbang-update"
	defaultStatus      = "/run/manbang-update/status.json"
	defaultRequest     = "/run/manbang/update-request"
	defaultRelease     = "/etc/manbang-release"
	defaultSettings    = "/data/manbang/manbang.env"
)

// updateCmd is `manbang update`: the root service that installs a newer
// image from the head-end into the other slot, and with --mark-good
// confirms the slot the box booted. It writes what it does to the status
// file the UI shows.
func updateCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("manbang update", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", os.Getenv("MANBANG_OPERATOR"), "the head-end's base `URL` (env MANBANG_OPERATOR; default: MANBANG_OPERATOR= of --settings)")
	settings := fs.String("settings", defaultSettings, "the box's settings `file`, of which only MANBANG_OPERATOR= and MANBANG_UPDATE_CHANNEL= are read")
	model := fs.String("model", "", "the box's model (default: MODEL= of --release)")
	channel := fs.String("channel", envOr("MANBANG_UPDATE_CHANNEL", "stable"), "the release channel (env MANBANG_UPDATE_CHANNEL)")
	current := fs.String("version", "", "the running image's version (default: this binary's, else VERSION= of --release)")
	release := fs.String("release", defaultRelease, "the image's release `file` (NAME=, VERSION=, MODEL= lines)")
	keyFile := fs.String("key", "", "the public key `file` images must be signed with (default: the key built in)")
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
	// The settings file is the unprivileged UI's: this root service takes
	// two values from it and nothing else (never as its environment).
	set := readRelease(*settings)
	if *server == "" {
		*server = set["MANBANG_OPERATOR"]
	}
	if os.Getenv("MANBANG_UPDATE_CHANNEL") == "" && set["MANBANG_UPDATE_CHANNEL"] != "" && !flagSet(fs, "channel") {
		*channel = set["MANBANG_UPDATE_CHANNEL"]
	}
	rel := readRelease(*release)
	if *model == "" {
		*model = rel["MODEL"]
	}
	if *current == "" {
		*current = version
		if *current == "dev" && rel["VERSION"] != "" {
			*current = rel["VERSION"]
		}
	}
	pub, err := manifest.LoadPublicKey(*keyFile, publicKey)
	if err != nil {
		return err
	}
	request := update.ReadRequest(*requestPath)
	status := func(s update.Status) {
		s.Time = time.Now().UTC()
		if err := update.WriteStatus(*statusPath, s); err != nil {
			log.Warn("update status", "err", err)
		}
	}
	status(update.Status{State: update.StateChecking})
	agent, err := update.New(update.Config{
		Server: *server, Model: *model, Channel: *channel, Version: *current, PublicKey: pub,
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
	if err != nil {
		// The request is answered even so: the UI says what is missing.
		status(update.Status{State: update.StateFailed, Error: err.Error(), Request: update.ReadRequest(*requestPath)})
		return err
	}
	res, err := agent.Update(ctx)
	// A request made while this run went on is answered by it too.
	if r := update.ReadRequest(*requestPath); r != "" {
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

// readRelease reads KEY=VALUE lines (the release file, the settings
// file); a missing file is empty.
func readRelease(path string) map[string]string {
	m := map[string]string{}
	b, err := os.ReadFile(path)
	if err != nil {
		return m
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), "="); ok {
			m[k] = strings.Trim(v, `"`)
		}
	}
	return m
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
