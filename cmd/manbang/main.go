// Command manbang is the set-top box: the full-screen UI that lists what the
// operator offers and plays it, and `manbang play` for playing one stream,
// headless for diagnosis and tests.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/update"
	"github.com/manbang/manbang/operator/update/sdnotify"
	"github.com/manbang/manbang/remote/cec"
	"github.com/manbang/manbang/remote/lirc"
	"github.com/manbang/manbang/remote/sources"
	"github.com/manbang/manbang/ui"
	"github.com/manbang/manbang/ui/app"
	"github.com/manbang/manbang/ui/gfx"
	"github.com/manbang/manbang/ui/i18n"
)

// Every GL call must happen on the main OS thread: lock it before main runs.
func init() { runtime.LockOSThread() }

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `usage:
  manbang [flags]                  the box: show the operator's catalogue and play
  manbang play [flags] URL         play one stream (HLS URL, http .ts URL or file)
  manbang update [flags]           install a newer image from the head-end (root; --mark-good confirms the booted slot)
  manbang version

Run 'manbang -h' or 'manbang play -h' for the flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	var err error
	switch {
	case len(args) > 0 && args[0] == "play":
		err = play(ctx, args[1:], os.Stdout, os.Stderr)
	case len(args) > 0 && args[0] == "update":
		err = updateCmd(ctx, args[1:], os.Stderr)
	case len(args) > 0 && args[0] == "version":
		fmt.Println("manbang", version)
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		fmt.Fprint(os.Stderr, usage)
		err = fmt.Errorf("unknown command %q", args[0])
	default:
		err = box(ctx, args)
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, new(exitError)):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "manbang:", err)
		os.Exit(1)
	}
}

// exitError ends the program with status 1 when the reason was printed
// already.
type exitError struct{}

func (exitError) Error() string { return "exit status 1" }

func newLogger(level string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// box runs the UI against the operator.
func box(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("manbang", flag.ContinueOnError)
	operatorURL := fs.String("operator", os.Getenv("MANBANG_OPERATOR"), "base `URL` of the operator's server (env MANBANG_OPERATOR); default: the one set in Settings")
	operatorCA := fs.String("operator-ca", operator.DefaultCAFile, "PEM `file` of the only certificate authorities trusted for the operator's https (default: the image's, where it has one; else the system's)")
	lang := fs.String("lang", "", "UI language: ko, en or ru (default: the one set in Settings, Korean on a new box)")
	size := fs.String("window", "1280x720", "window size `WxH` when not full screen")
	fullscreen := fs.Bool("fullscreen", false, "full screen on the primary monitor, as on a TV")
	controlAddr := fs.String("control", "", "serve the local control endpoint on this loopback `address` (e.g. 127.0.0.1:0); off when empty")
	remoteAddr := fs.String("remote-addr", os.Getenv("MANBANG_REMOTE"), "the network remote for phones listens on this `address` (e.g. :7080; env MANBANG_REMOTE) while Settings, phone remote, have it on: every client pairs with the code shown there, loopback ones too; none when empty")
	stateDir := fs.String("state", defaultDir(os.Getenv("XDG_STATE_HOME"), ".local/state"), "`DIR` of the settings and what the box remembers")
	cacheDir := fs.String("cache", defaultDir(os.Getenv("XDG_CACHE_HOME"), ".cache"), "`DIR` of the poster and catalogue caches")
	keymaps := fs.String("keymaps", sources.DefaultKeymapDir, "`DIR` of key maps that add remotes or override the built-in maps")
	evdevDir := fs.String("evdev", "/dev/input", "`DIR` of input devices to take remotes from; none: off")
	lircSocket := fs.String("lirc", lirc.DefaultSocket, "lircd's `socket`; none: off")
	cecDevice := fs.String("cec", cec.DefaultDevice, "HDMI-CEC `device` for the TV's remote; none: off")
	oneTouch := fs.Bool("one-touch-play", false, "switch the TV on and to the box at start (HDMI-CEC)")
	unicast := fs.Bool("live-unicast", false, "ask for every live channel as unicast RTP to this box, even where the head-end also sends it to a multicast group (networks without multicast)")
	healthy := fs.String("healthy-marker", "", "`file` to write once Home showed and a video frame played (the image confirms its slot then); off when empty")
	updateRequest := fs.String("update-request", "", "`file` that asks the update service for a check (Settings' firmware update); off when empty")
	updateStatus := fs.String("update-status", defaultStatus, "the update service's status `file`, read with --update-request")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	var media dirList
	fs.Var(&media, "media", "`DIR` under which the viewer's USB sticks and SD cards are mounted, shown on Home as they come and go (repeatable; default: none on a desktop; the device image gives its automount root, /media)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := newLogger(*logLevel, os.Stderr)
	if err != nil {
		return err
	}
	caGiven := false
	fs.Visit(func(f *flag.Flag) { caGiven = caGiven || f.Name == "operator-ca" })
	caFile, err := operator.CAFileFor(*operatorCA, caGiven)
	if err != nil {
		return fmt.Errorf("--operator-ca: %w", err)
	}
	var updater app.Updater
	if *updateRequest != "" {
		updater = update.Requester{RequestPath: *updateRequest, StatusPath: *updateStatus}
	}
	// Under systemd (Type=notify): READY=1 after the first frame, and the
	// watchdog petted from the render loop. Elsewhere it does nothing.
	notifier := sdnotify.New()
	defer notifier.Close()
	if *lang != "" && !i18n.Supported(*lang) {
		return fmt.Errorf("--lang %q: want one of %s", *lang, strings.Join(i18n.Languages, ", "))
	}
	w, h, err := parseSize(*size)
	if err != nil {
		return err
	}
	// Every remote the box has, merged into the one stream of keys the UI
	// reads; the window's keyboard and the control endpoint join it there.
	inputs, err := sources.Start(ctx, sources.Config{
		Evdev:      sources.EvdevConfig{Disable: *evdevDir == "none", Dir: *evdevDir},
		LIRC:       sources.LIRCConfig{Disable: *lircSocket == "none", Socket: *lircSocket},
		CEC:        sources.CECConfig{Disable: *cecDevice == "none", Device: *cecDevice, OneTouchPlay: *oneTouch},
		KeymapDirs: []string{*keymaps},
		Logger:     log,
	})
	if err != nil {
		return err
	}
	defer inputs.Close()
	dev := operator.DefaultDevice()
	dev.Firmware = version
	return ui.Run(ctx, ui.Config{
		Config: app.Config{
			Operator:      *operatorURL,
			OperatorCA:    caFile,
			Lang:          *lang,
			Events:        inputs.Events(),
			Input:         inputs.Input(),
			StateDir:      *stateDir,
			CacheDir:      *cacheDir,
			Device:        dev,
			LiveUnicast:   *unicast,
			Updater:       updater,
			Notifier:      notifier,
			HealthyMarker: *healthy,
			Logger:        log,
			Media:         media,
		},
		Window:  gfx.WindowConfig{Title: "Manbang", Width: w, Height: h, Fullscreen: *fullscreen, VSync: true},
		Control: *controlAddr,
		Remote:  *remoteAddr,
		KeyMap:  inputs.Keymap,
		Started: func(addr string) {
			if addr != "" {
				// Tests and technicians read this line to find the endpoint.
				fmt.Fprintf(os.Stderr, "manbang: control endpoint on http://%s\n", addr)
			}
		},
	})
}

// dirList is a repeatable flag of directories.
type dirList []string

func (d *dirList) String() string { return strings.Join(*d, ",") }

func (d *dirList) Set(v string) error {
	if v == "" {
		return errors.New("empty directory")
	}
	*d = append(*d, filepath.Clean(v))
	return nil
}

// defaultDir is $XDG_..._HOME/manbang, or ~/rel/manbang when it is unset.
func defaultDir(xdg, rel string) string {
	if xdg != "" {
		return filepath.Join(xdg, "manbang")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "manbang")
	}
	return filepath.Join(home, rel, "manbang")
}

func parseSize(s string) (int, int, error) {
	ws, hs, ok := strings.Cut(s, "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 320 || h < 240 || w > 7680 || h > 4320 {
		return 0, 0, fmt.Errorf("window size %q: want WxH such as 1280x720", s)
	}
	return w, h, nil
}
