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
	o, err := open(ctx, getenv, stderr, asIs, nil)
	if err != nil {
		return err
	}
	defer o.db.Close()
	w, done, err := createOutput(*out, stdout)
	if err != nil {
		return err
	}
	n, files, err := writeExport(ctx, o.db, o.cfg, *withMedia, w)
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
func writeExport(ctx context.Context, db *store.DB, cfg Config, withMedia bool, w io.Writer) (rows, files int, err error) {
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
	var assets [][2]string // id, sha256
	err = db.Export(ctx, func(table string, row store.Row) error {
		rows++
		if id, ok := row["id"].(string); ok && table == "media_assets" {
			sum, _ := row["sha256"].(string)
			assets = append(assets, [2]string{id, sum})
		}
		return enc.Encode(exportLine{Table: table, Row: row})
	})
	if err != nil || !withMedia {
		return rows, 0, err
	}
	blobs, err := media.OpenBlobs(cfg.MediaURL, mediaDir(cfg))
	if err != nil {
		return rows, 0, err
	}
	for _, a := range assets {
		id := a[0]
		data, err := media.ReadBlob(ctx, blobs, a[1], id)
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
