// Command manbang-headend is the reference operator server: it serves a
// catalogue, its HLS media and live channels to Manbang boxes over the API
// of docs/API.md, and manages that catalogue.
//
//	manbang-headend --demo                  build (once) and serve the demo catalogue
//	manbang-headend --addr 0.0.0.0:8080     serve the catalogue of the data directory to the LAN
//	manbang-headend ingest FILE --title T   transcode a file into a new title (HLS ladder and poster)
//	manbang-headend import-epg FILE|URL     add an XMLTV guide's programmes to the channels
//
// Its data directory holds the catalogue database (catalog.db), the
// devices database (devices.db) and the media; see package catalog. The
// demo catalogue lives in DATA/demo. A catalog.json of an earlier head-end
// is migrated into catalog.db the first time it is found.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/manbang/manbang/headend/catalog"
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

// run runs the subcommand of args.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "ingest":
			return runIngest(ctx, args[1:], stderr)
		case "import-epg":
			return runImportEPG(ctx, args[1:], stderr)
		case "serve":
			args = args[1:]
		}
	}
	return serve(ctx, args, stderr)
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

// parse parses args with fs, allowing flags after positional arguments,
// and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// openData opens the catalogue of dir: catalog.db, migrated from
// catalog.json the first time. With create, an empty one is made if there
// is neither; without, that is an error wrapping os.ErrNotExist.
func openData(ctx context.Context, dir string, create bool, stderr io.Writer) (*catalog.Store, error) {
	db := filepath.Join(dir, catalog.FileName)
	if _, err := os.Stat(db); err == nil {
		return catalog.Open(db)
	}
	js := filepath.Join(dir, catalog.JSONFileName)
	_, jerr := os.Stat(js)
	if jerr != nil && !create {
		return nil, fmt.Errorf("no catalogue in %s: %w", dir, os.ErrNotExist)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, ".tmp-"+catalog.FileName)
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + s)
	}
	s, err := catalog.Open(tmp)
	if err != nil {
		return nil, err
	}
	if jerr == nil {
		if err := s.LoadJSON(ctx, js); err != nil {
			s.Close()
			return nil, fmt.Errorf("migrate %s: %w", js, err)
		}
		fmt.Fprintf(stderr, "manbang-headend: migrated %d titles from %s to %s\n", s.Len(), js, db)
	}
	if err := s.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, db); err != nil {
		return nil, err
	}
	return catalog.Open(db)
}
