package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/headend/ingest"
	"github.com/manbang/manbang/operator"
)

// ingestFlags is the command line of ingest.
type ingestFlags struct {
	data, id, lang, category, categoryName string
	series                                 string
	rating, spoken, audio                  string
	year, season, episode, rungs           int
	replace                                bool
	names, descs                           map[string]*string
}

// runIngest transcodes a file into a new title of the catalogue.
func runIngest(ctx context.Context, args []string, stderr io.Writer) error {
	f := ingestFlags{names: map[string]*string{}, descs: map[string]*string{}}
	fs := flag.NewFlagSet("manbang-headend ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: manbang-headend ingest FILE --title NAME [--title-ko NAME] [--category ID] [flags]")
		fs.PrintDefaults()
	}
	fs.StringVar(&f.data, "data", defaultDataDir(), "`DIR` of the catalogue")
	fs.StringVar(&f.id, "id", "", "the title's `ID` (default: made from its name)")
	fs.StringVar(&f.lang, "lang", "en", "`LANG`uage of --title and --description")
	names := map[string]string{"": "its name", "ko": "its Korean name", "en": "its English name", "ru": "its Russian name"}
	for _, l := range []string{"", "ko", "en", "ru"} {
		flagName, descName := "title", "description"
		if l != "" {
			flagName, descName = "title-"+l, "description-"+l
		}
		f.names[l] = fs.String(flagName, "", "`NAME`: "+names[l])
		f.descs[l] = fs.String(descName, "", "`TEXT`: "+strings.Replace(names[l], "name", "description", 1))
	}
	fs.StringVar(&f.category, "category", "imported", "`ID` of the title's category; made if missing")
	fs.StringVar(&f.categoryName, "category-name", "", "`NAME` of a category made by --category (default: the ID)")
	fs.StringVar(&f.series, "series", "", "`ID` of the series the title is an episode of; made if missing")
	fs.IntVar(&f.season, "season", 0, "season `N` of an episode")
	fs.IntVar(&f.episode, "episode", 0, "episode `N` within its season")
	fs.IntVar(&f.year, "year", 0, "`YEAR` of the title")
	fs.StringVar(&f.rating, "rating", "", "age `RATING`: ALL, 12, 15 or 19")
	fs.StringVar(&f.spoken, "language", "", "spoken `LANG`uage (ISO 639-1)")
	fs.StringVar(&f.audio, "audio", "aac", "audio `CODEC`: aac or mp3")
	fs.IntVar(&f.rungs, "rungs", ingest.DefaultRungs, "at most `N` renditions (capped at the source's height)")
	fs.BoolVar(&f.replace, "replace", false, "replace the media of a title with the same ID")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError{fmt.Errorf("want one FILE, got %q", pos)}
	}
	input := pos[0]
	t := operator.Title{Name: operator.Text{}, Description: operator.Text{}, CategoryID: f.category,
		Year: f.year, Rating: f.rating, Language: f.spoken, SeriesID: f.series, Season: f.season, Episode: f.episode}
	for l, v := range f.names {
		if *v != "" {
			t.Name[or(l, f.lang)] = *v
		}
	}
	for l, v := range f.descs {
		if *v != "" {
			t.Description[or(l, f.lang)] = *v
		}
	}
	if *f.names[f.lang] != "" && *f.names[""] != "" {
		t.Name[f.lang] = *f.names[f.lang] // --title-xx wins over --title
	}
	if len(t.Name) == 0 {
		fs.Usage()
		return usageError{errors.New("no --title")}
	}
	t.ID = f.id
	if t.ID == "" {
		t.ID = slug(t.Name.In("en"))
	}
	if !catalog.ValidID(t.ID) || !catalog.ValidID(t.CategoryID) || (t.SeriesID != "" && !catalog.ValidID(t.SeriesID)) {
		return usageError{fmt.Errorf("IDs are letters, digits, - and _: %q, %q, %q", t.ID, t.CategoryID, t.SeriesID)}
	}
	if _, err := os.Stat(input); err != nil {
		return err
	}

	store, err := openData(ctx, f.data, true, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.Title(ctx, t.ID); err == nil && !f.replace {
		return fmt.Errorf("title %q exists; give another --id, or --replace", t.ID)
	}
	mediaDir := filepath.Join(f.data, catalog.MediaDirName)
	if err := os.MkdirAll(mediaDir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(mediaDir, ".tmp-ingest-"+t.ID+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	fmt.Fprintf(stderr, "manbang-headend: ingesting %s as %q (%s)\n", input, t.ID, t.Name.In(f.lang))
	last := -1
	start := time.Now()
	res, err := ingest.Run(ctx, ingest.Options{
		Input: input, Dir: filepath.Join(tmp, "media"), Rungs: f.rungs, AudioCodec: f.audio,
		Progress: func(done, total time.Duration) {
			pct := 0
			if total > 0 {
				pct = int(100 * done / total)
			}
			if pct != last {
				last = pct
				fmt.Fprintf(stderr, "\r%s", ingest.Bar(done, total, 40))
			}
		},
	})
	if last >= 0 {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return err
	}
	final := filepath.Join(mediaDir, t.ID)
	if f.replace {
		if err := os.RemoveAll(final); err != nil {
			return err
		}
	}
	if err := os.Rename(filepath.Join(tmp, "media"), final); err != nil {
		return fmt.Errorf("media of %q: %w", t.ID, err)
	}
	t.DurationSec = int((res.Source.Duration + time.Second/2) / time.Second)
	t.PosterURL = t.ID + "/" + ingest.PosterName
	err = store.Write(ctx, func(w *catalog.Writer) error {
		if _, err := store.Category(ctx, t.CategoryID); errors.Is(err, catalog.ErrNotFound) {
			name := or(f.categoryName, t.CategoryID)
			if err := w.AddCategory(operator.Category{ID: t.CategoryID, Name: operator.Text{f.lang: name}}); err != nil {
				return err
			}
		}
		if t.SeriesID != "" {
			if _, err := store.Series(ctx, t.SeriesID); errors.Is(err, catalog.ErrNotFound) {
				if err := w.AddSeries(operator.Series{ID: t.SeriesID, CategoryID: t.CategoryID, Name: operator.Text{f.lang: t.SeriesID}, PosterURL: t.PosterURL}); err != nil {
					return err
				}
			}
		}
		return w.AddTitle(t)
	})
	if err != nil {
		os.RemoveAll(final)
		return err
	}
	var rs []string
	for _, r := range res.Renditions {
		rs = append(rs, r.Name)
	}
	fmt.Fprintf(stderr, "manbang-headend: added %q (%s, %v, renditions %s) in %.1fs\n", t.ID, t.Name.In(f.lang),
		res.Source.Duration.Round(time.Second), strings.Join(rs, " "), time.Since(start).Seconds())
	return nil
}

// or returns s, or def if s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// slug makes an ID of a name: lower-case ASCII letters and digits with
// dashes between words; a name without any gets a hash.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= 48 {
			break
		}
	}
	if b.Len() == 0 {
		sum := sha256.Sum256([]byte(name))
		return "title-" + hex.EncodeToString(sum[:4])
	}
	return b.String()
}
