package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/manbang/manbang/headend"
	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/headend/demo"
	"github.com/manbang/manbang/headend/devices"
	"github.com/manbang/manbang/headend/firmware"
)

// config is the command line of serve.
type config struct {
	addr      string
	data      string
	publicURL string
	secret    string
	mcastIf   string
	liveAddr  string
	demo      bool
	demoOpts  demo.Options
	limits    headend.Limits
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("manbang-headend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: manbang-headend [serve] [--addr HOST:PORT] [--data DIR] [--public-url URL] [--enrolment-secret S] [--multicast-iface IF] [--live-addr HOST:PORT] [--demo [--demo-titles N] [--demo-channels N] [--demo-duration D] [--demo-size WxH]]")
		fmt.Fprintln(stderr, "       manbang-headend ingest FILE --title T [flags]     (ingest --help)")
		fmt.Fprintln(stderr, "       manbang-headend import-epg FILE|URL [flags]       (import-epg --help)")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT`; port 0 picks a free port")
	fs.StringVar(&c.data, "data", defaultDataDir(), "`DIR` of the catalogue; the demo catalogue goes to DIR/demo")
	fs.StringVar(&c.publicURL, "public-url", "", "base `URL` of this server for boxes (default: the Host each box asked)")
	fs.StringVar(&c.secret, "enrolment-secret", "", "boxes must send `SECRET` to register (default: anyone may)")
	fs.StringVar(&c.mcastIf, "multicast-iface", "", "send the channels to their multicast groups on network `INTERFACE` (default: unicast only)")
	fs.StringVar(&c.liveAddr, "live-addr", "", "the live engine sends RTP and takes RTCP on this UDP `HOST:PORT` (default: --addr's IPv4 host, port 0; all addresses with --multicast-iface)")
	c.limits = headend.DefaultLimits()
	fs.DurationVar(&c.limits.ReadHeaderTimeout, "read-header-timeout", c.limits.ReadHeaderTimeout, "drop a client that takes longer to send a request's header")
	fs.DurationVar(&c.limits.ReadTimeout, "read-timeout", c.limits.ReadTimeout, "drop a client that takes longer to send a request, body included")
	fs.DurationVar(&c.limits.WriteTimeout, "write-timeout", c.limits.WriteTimeout, "drop a client that takes longer to take one chunk of an answer (a stream goes on as long as it is read)")
	fs.DurationVar(&c.limits.IdleTimeout, "idle-timeout", c.limits.IdleTimeout, "close a kept-alive connection idle this long")
	fs.IntVar(&c.limits.MaxConns, "max-conns", c.limits.MaxConns, "keep at most `N` connections open; more are closed at once (0: no limit)")
	fs.IntVar(&c.limits.MaxConnsPerAddr, "max-conns-per-addr", c.limits.MaxConnsPerAddr, "keep at most `N` connections open per client IP address (0: no limit)")
	fs.BoolVar(&c.demo, "demo", false, "build the demo catalogue with ffmpeg, or reuse its media if built, and serve it")
	fs.IntVar(&c.demoOpts.Titles, "demo-titles", 0, "build only `N` demo titles, spread over the categories (0: all)")
	fs.IntVar(&c.demoOpts.Channels, "demo-channels", 0, "build only `N` demo channels (0: all, -1: none)")
	fs.DurationVar(&c.demoOpts.Duration, "demo-duration", demo.DefaultDuration, "length of each demo title and channel loop")
	fs.Func("demo-size", fmt.Sprintf("`WxH` of the demo's video (default %dx%d; 1920x1080 for soak tests and benchmarks)", demo.DefaultWidth, demo.DefaultHeight), func(v string) error {
		w, h, ok := strings.Cut(v, "x")
		wi, err1 := strconv.Atoi(w)
		hi, err2 := strconv.Atoi(h)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("%q is not WIDTHxHEIGHT", v)
		}
		c.demoOpts.Width, c.demoOpts.Height = wi, hi
		return nil
	})
	pos, err := parse(fs, args)
	if err != nil {
		return config{}, err
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "unexpected arguments %q\n", pos)
		fs.Usage()
		return config{}, usageError{fmt.Errorf("unexpected arguments %q", pos)}
	}
	return c, nil
}

// serve serves until ctx is done, then shuts down gracefully.
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	store, dir, err := openCatalog(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	mediaDir := filepath.Join(dir, catalog.MediaDirName)
	if err := os.MkdirAll(mediaDir, 0o755); err != nil {
		return err
	}
	devs, err := devices.Open(filepath.Join(dir, devices.FileName))
	if err != nil {
		return err
	}
	defer devs.Close()
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	engine, err := startLive(ctx, store, mediaDir, cfg.mcastIf, liveAddr(cfg), logger)
	if err != nil {
		return err
	}
	defer engine.Close()
	srv, err := headend.New(headend.Config{
		Store:           store,
		Devices:         devs,
		MediaDir:        mediaDir,
		PublicURL:       cfg.publicURL,
		Logger:          logger,
		EnrolmentSecret: cfg.secret,
		Live:            liveStreamer{engine},
		Multicast:       cfg.mcastIf != "",
	})
	if err != nil {
		return err
	}
	defer srv.Close()

	l, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	l = cfg.limits.Listener(l)
	handler, err := withFirmware(srv.Handler(), filepath.Join(cfg.data, "firmware"), logger)
	if err != nil {
		return err
	}
	hs := cfg.limits.HTTPServer(handler)
	hs.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(l) }()
	fmt.Fprintf(stderr, "manbang-headend: serving %d titles and %d channels on http://%s\n", store.Len(), store.ChannelCount(), l.Addr())

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "manbang-headend: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// withFirmware serves the signed device images of dir (docs/IMAGE.md:
// DIR/MODEL/CHANNEL/...) beside the API when dir exists. The firmware
// query needs no token: images are signed, and a box whose token was lost
// must still be able to update.
func withFirmware(api http.Handler, dir string, log *slog.Logger) (http.Handler, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return api, nil
	}
	fw, err := firmware.New(dir, log)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/firmware", fw)
	mux.Handle("GET "+firmware.FilesPrefix, fw)
	mux.Handle("/", api)
	return mux, nil
}

// openCatalog builds the demo catalogue with --demo, else opens the
// catalogue of the data directory, or of its demo directory. It returns
// the catalogue and its directory.
func openCatalog(ctx context.Context, cfg config, stderr io.Writer) (*catalog.Store, string, error) {
	if cfg.demo {
		dir := filepath.Join(cfg.data, "demo")
		fmt.Fprintf(stderr, "manbang-headend: demo catalogue in %s (media not built yet is made with ffmpeg now)\n", dir)
		opts := cfg.demoOpts
		opts.Progress = stderr
		store, err := demo.Build(ctx, dir, opts)
		return store, dir, err
	}
	for _, dir := range []string{cfg.data, filepath.Join(cfg.data, "demo")} {
		store, err := openData(ctx, dir, false, stderr)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		return store, dir, err
	}
	return nil, "", fmt.Errorf("no catalogue in %s (looked for %s and %s); run with --demo to build the demo catalogue, or ingest titles",
		cfg.data, filepath.Join(cfg.data, catalog.FileName), filepath.Join(cfg.data, "demo", catalog.FileName))
}

// liveAddr is where the live engine binds: --live-addr, or else the API's
// host (so a head-end that serves only loopback sends and answers only
// there), on a free port. A multicast sender binds every address, as its
// datagrams leave by the interface named, with that interface's address;
// so does one whose API host is not an IPv4 address (the engine is IPv4).
func liveAddr(c config) string {
	if c.liveAddr != "" {
		return c.liveAddr
	}
	host, _, err := net.SplitHostPort(c.addr)
	if err != nil || c.mcastIf != "" {
		return ":0"
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.Is4() || ip.IsUnspecified() {
		return ":0"
	}
	return net.JoinHostPort(host, "0")
}
