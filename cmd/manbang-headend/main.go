// Command manbang-headend is the reference operator server: it serves a
// catalog and its HLS media to Manbang boxes over the API of docs/API.md.
//
//	manbang-headend --demo                  build (once) and serve the demo catalog
//	manbang-headend --addr 0.0.0.0:8080     serve an existing catalog to the LAN
//
// It looks for its catalog in DATA/catalog.json, then DATA/demo/catalog.json,
// with each title's media beside it in media/. See package catalog.
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
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/manbang/manbang/headend"
	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/headend/demo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	var usage usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, &usage):
		os.Exit(2) // the flag package has said what is wrong
	default:
		fmt.Fprintln(os.Stderr, "manbang-headend:", err)
		os.Exit(1)
	}
}

// usageError is a bad command line.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// config is the command line.
type config struct {
	addr      string
	data      string
	publicURL string
	demo      bool
	demoOpts  demo.Options
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("manbang-headend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: manbang-headend [--addr HOST:PORT] [--data DIR] [--public-url URL] [--demo [--demo-titles N] [--demo-duration D]]")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT`; port 0 picks a free port")
	fs.StringVar(&c.data, "data", defaultDataDir(), "`DIR` of the catalog; the demo catalog goes to DIR/demo")
	fs.StringVar(&c.publicURL, "public-url", "", "base `URL` of this server for boxes (default: the Host each box asked)")
	fs.BoolVar(&c.demo, "demo", false, "build the demo catalog with ffmpeg, or reuse it if built, and serve it")
	fs.IntVar(&c.demoOpts.Titles, "demo-titles", 0, "build only `N` demo titles, spread over the categories (0: all)")
	fs.DurationVar(&c.demoOpts.Duration, "demo-duration", demo.DefaultDuration, "length of each demo title")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config{}, err
		}
		return config{}, usageError{err}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments %q\n", fs.Args())
		fs.Usage()
		return config{}, usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	return c, nil
}

// defaultDataDir is $XDG_CACHE_HOME/manbang-headend or
// ~/.cache/manbang-headend.
func defaultDataDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "manbang-headend")
}

// run serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	store, dir, err := openCatalog(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := headend.New(headend.Config{
		Store:     store,
		MediaDir:  filepath.Join(dir, catalog.MediaDirName),
		PublicURL: cfg.publicURL,
		Logger:    logger,
	})
	if err != nil {
		return err
	}
	defer srv.Close()

	l, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(l) }()
	fmt.Fprintf(stderr, "manbang-headend: serving %d titles on http://%s\n", store.Len(), l.Addr())

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

// openCatalog builds or loads the demo catalog with --demo, else loads the
// catalog of the data directory. It returns the catalog and its directory.
func openCatalog(ctx context.Context, cfg config, stderr io.Writer) (*catalog.Store, string, error) {
	if cfg.demo {
		dir := filepath.Join(cfg.data, "demo")
		fmt.Fprintf(stderr, "manbang-headend: demo catalog in %s (titles not built yet are made with ffmpeg now)\n", dir)
		opts := cfg.demoOpts
		opts.Progress = stderr
		store, err := demo.Build(ctx, dir, opts)
		return store, dir, err
	}
	for _, dir := range []string{cfg.data, filepath.Join(cfg.data, "demo")} {
		path := filepath.Join(dir, catalog.FileName)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		store, err := catalog.Load(path)
		return store, dir, err
	}
	return nil, "", fmt.Errorf("no catalog in %s (looked for %s and %s); run with --demo to build the demo catalog",
		cfg.data, filepath.Join(cfg.data, catalog.FileName), filepath.Join(cfg.data, "demo", catalog.FileName))
}
