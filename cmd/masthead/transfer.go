package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/store"
)

// exportFormat is the version of the NDJSON layout below.
const exportFormat = 1

// exportHeader is an export's first line.
type exportHeader struct {
	Masthead  string    `json:"masthead"` // always "export"
	Format    int       `json:"format"`
	Schema    int64     `json:"schema"` // the newest migration of the source
	Dialect   string    `json:"dialect"`
	CreatedAt time.Time `json:"created_at"`
}

// exportLine is every later line: a table row, or a media file (after
// all rows).
type exportLine struct {
	Table string    `json:"table,omitempty"`
	Row   store.Row `json:"row,omitempty"`
	Media string    `json:"media,omitempty"` // the asset id
	Data  []byte    `json:"data,omitempty"`  // the file, base64 in JSON
}

func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "file to write (must not exist); - for standard output")
	withMedia := fs.Bool("media", true, "include the media files")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *out == "" {
		fs.Usage()
		return usageError{errors.New("export: --out is required")}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	w, done, err := createOutput(*out, stdout)
	if err != nil {
		return err
	}
	n, files, err := writeExport(ctx, db, mediaDir(cfg), *withMedia, w)
	if err = errors.Join(err, done()); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported %d rows and %d media files; the export holds password and token hashes and the signing key: keep it private\n", n, files)
	return nil
}

func mediaDir(cfg Config) string { return filepath.Join(cfg.DataDir, "media") }

// createOutput opens the export's destination: a new file only readable
// by its owner (the export holds secrets), or stdout for "-".
func createOutput(path string, stdout io.Writer) (*bufio.Writer, func() error, error) {
	if path == "-" {
		w := bufio.NewWriter(stdout)
		return w, w.Flush, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("export: %w", err)
	}
	w := bufio.NewWriter(f)
	return w, func() error { return errors.Join(w.Flush(), f.Close()) }, nil
}

// writeExport writes the header, every row, then the media files.
func writeExport(ctx context.Context, db *store.DB, dir string, withMedia bool, w io.Writer) (rows, files int, err error) {
	schema, err := db.SchemaVersion(ctx)
	if err != nil {
		return 0, 0, err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	err = enc.Encode(exportHeader{Masthead: "export", Format: exportFormat, Schema: schema, Dialect: db.Dialect(),
		CreatedAt: time.Now().UTC()})
	if err != nil {
		return 0, 0, err
	}
	var assets []string
	err = db.Export(ctx, func(table string, row store.Row) error {
		rows++
		if id, ok := row["id"].(string); ok && table == "media_assets" {
			assets = append(assets, id)
		}
		return enc.Encode(exportLine{Table: table, Row: row})
	})
	if err != nil || !withMedia {
		return rows, 0, err
	}
	blobs, err := media.NewFolder(dir)
	if err != nil {
		return rows, 0, err
	}
	for _, id := range assets {
		data, err := readBlob(ctx, blobs, id)
		if err != nil {
			return rows, files, fmt.Errorf("export: media %s: %w", id, err)
		}
		if err := enc.Encode(exportLine{Media: id, Data: data}); err != nil {
			return rows, files, err
		}
		files++
	}
	return rows, files, nil
}

func readBlob(ctx context.Context, blobs *media.Folder, id string) ([]byte, error) {
	f, err := blobs.Open(ctx, id)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func runImport(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "export file to read; - for standard input")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *in == "" {
		fs.Usage()
		return usageError{errors.New("import: --in is required")}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	r := stdin
	if *in != "-" {
		f, err := os.Open(*in)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		r = f
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	counts, files, err := readExport(ctx, db, mediaDir(cfg), bufio.NewReader(r))
	if err != nil {
		return err
	}
	// Building the app renders anything of an older delivered shape; the
	// public search index is rebuilt from the delivered documents.
	a, appDB, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer appDB.Close()
	indexed, err := a.Search.Reindex(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s; %d media files; indexed %d live documents\n", summarize(counts), files, indexed)
	return nil
}

// readExport checks the header, imports the rows in one transaction and
// then stores the media files.
func readExport(ctx context.Context, db *store.DB, dir string, r io.Reader) (map[string]int, int, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var h exportHeader
	if err := dec.Decode(&h); err != nil || h.Masthead != "export" {
		return nil, 0, fmt.Errorf("import: not a Masthead export (%v)", err)
	}
	schema, err := db.SchemaVersion(ctx)
	if err != nil {
		return nil, 0, err
	}
	if h.Format != exportFormat || h.Schema != schema {
		return nil, 0, fmt.Errorf("import: the export is format %d of schema %d; this build reads format %d of schema %d (import with the build that exported, or export again)",
			h.Format, h.Schema, exportFormat, schema)
	}
	var pending *exportLine // the first media line ends the rows
	next := func() (string, store.Row, bool, error) {
		var l exportLine
		if err := dec.Decode(&l); err == io.EOF {
			return "", nil, false, nil
		} else if err != nil {
			return "", nil, false, cms.Errorf(cms.CodeInvalid, "import: line after %d bytes: %v", dec.InputOffset(), err)
		}
		if l.Media != "" {
			pending = &l
			return "", nil, false, nil
		}
		return l.Table, l.Row, true, nil
	}
	counts, err := db.Import(ctx, next)
	if err != nil || pending == nil {
		return counts, 0, err
	}
	blobs, err := media.NewFolder(dir)
	if err != nil {
		return counts, 0, err
	}
	files := 0
	for l := pending; l != nil; {
		if l.Media == "" {
			return counts, files, errors.New("import: a table row after the media files")
		}
		if err := blobs.Put(ctx, l.Media, l.Data); err != nil {
			return counts, files, err
		}
		files++
		var more exportLine
		if err := dec.Decode(&more); err == io.EOF {
			break
		} else if err != nil {
			return counts, files, fmt.Errorf("import: media file: %w", err)
		}
		l = &more
	}
	return counts, files, nil
}

// summarize lists row counts by table, in name order.
func summarize(counts map[string]int) string {
	names := make([]string, 0, len(counts))
	total := 0
	for name, n := range counts {
		names = append(names, fmt.Sprintf("%s %d", name, n))
		total += n
	}
	sort.Strings(names)
	return fmt.Sprintf("%d rows (%s)", total, strings.Join(names, ", "))
}
