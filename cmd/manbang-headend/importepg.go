package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/manbang/manbang/headend/epg"
)

// runImportEPG adds the programmes of an XMLTV guide, a file or a URL, to
// the channels of the catalogue.
func runImportEPG(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("manbang-headend import-epg", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: manbang-headend import-epg FILE|URL [--data DIR] [--lang LANG]")
		fs.PrintDefaults()
	}
	data := fs.String("data", defaultDataDir(), "`DIR` of the catalogue")
	lang := fs.String("lang", "ko", "`LANG`uage of guide texts that do not say theirs")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError{fmt.Errorf("want one FILE or URL, got %q", pos)}
	}
	in, err := openGuide(ctx, pos[0])
	if err != nil {
		return err
	}
	defer in.Close()
	store, err := openData(ctx, *data, false, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	st, err := epg.Import(ctx, store, in, epg.Options{Lang: *lang})
	for _, p := range st.Problems {
		fmt.Fprintln(stderr, "manbang-headend: skipped:", p)
	}
	if len(st.Unmatched) > 0 {
		fmt.Fprintf(stderr, "manbang-headend: guide channels without a catalogue channel: %s\n", strings.Join(st.Unmatched, ", "))
	}
	fmt.Fprintf(stderr, "manbang-headend: imported %d programmes of %d channels (%d skipped) in %.1fs\n",
		st.Programmes, st.Channels, st.Skipped, time.Since(start).Seconds())
	return err
}

// openGuide opens a file, or GETs an http(s) URL.
func openGuide(ctx context.Context, src string) (io.ReadCloser, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return os.Open(src)
	}
	req, err := http.NewRequestWithContext(ctx, "GET", src, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", src, resp.Status)
	}
	return resp.Body, nil
}
