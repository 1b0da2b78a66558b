package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/store"
)

func runImport(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "wordpress" {
		return runImportWordPress(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "ghost" {
		return runImportGhost(ctx, args[1:], getenv, stdout, stderr)
	}
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
	// The file opens before the database, so that a wrong path changes
	// nothing.
	var input *os.File
	openInput := func(Config) (err error) {
		if *in != "-" {
			if input, err = os.Open(*in); err != nil {
				return fmt.Errorf("import: %w", err)
			}
		}
		return nil
	}
	o, err := open(ctx, getenv, stderr, migrated, openInput)
	if input != nil {
		defer input.Close()
	}
	if err != nil {
		return err
	}
	defer o.db.Close()
	r := stdin
	if input != nil {
		r = input
	}
	res, err := readExport(ctx, o.db, o.cfg, bufio.NewReader(r))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s; %d media files; rendered and indexed %d live documents\n", summarize(res.counts), res.files, res.live)
	return nil
}

// importResult is what an import wrote.
type importResult struct {
	counts      map[string]int // rows per table
	files, live int
}

// readExport imports an export all or nothing. A first pass reads the
// whole file: it checks every row (store.ImportCheck) and spools it to a
// private temporary file, and checks every media file against its
// asset's row and stages it beside the media folder. Only then does one
// transaction write the rows, apply the domain's rules to them, render
// what readers get from the revisions (deriveImported) and move the staged
// files into place. Anything that fails rolls the rows back and removes
// the files, so the database stays empty for the next attempt.
func readExport(ctx context.Context, db *store.DB, cfg Config, r io.Reader) (res importResult, err error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := readHeader(ctx, db, dec); err != nil {
		return res, err
	}
	check, err := db.NewImportCheck(ctx)
	if err != nil {
		return res, err
	}
	blobs, err := media.NewFolder(mediaDir(cfg))
	if err != nil {
		return res, err
	}
	batch, err := blobs.NewBatch()
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, batch.Close()) }()
	sp, err := newSpool()
	if err != nil {
		return res, err
	}
	defer sp.Close()
	f := &importFile{check: check, spool: sp, batch: batch, assets: map[string]assetFile{}}
	if cfg.MediaURL != "" {
		if f.bucket, err = media.OpenBucket(cfg.MediaURL); err != nil {
			return res, err
		}
	}
	if err := f.read(dec); err != nil {
		return res, err
	}
	if _, err := check.Done(); err != nil {
		return res, err
	}
	rows, err := sp.rows()
	if err != nil {
		return res, err
	}
	res.counts, err = db.Import(ctx, rows, func(tx *store.DB) error {
		var err error
		if res.live, err = deriveImported(ctx, tx, cfg, f); err != nil {
			return err
		}
		return batch.Place()
	})
	if err != nil {
		return importResult{}, err
	}
	batch.Keep()
	res.files = f.files
	return res, nil
}

// readHeader checks that the stream is an export this build reads.
func readHeader(ctx context.Context, db *store.DB, dec *json.Decoder) error {
	var h exportHeader
	if err := dec.Decode(&h); err != nil || h.Masthead != "export" {
		return fmt.Errorf("import: not a Masthead export (%v)", err)
	}
	schema, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if h.Format != exportFormat || h.Schema != schema {
		return fmt.Errorf("import: the export is format %d of schema %d; this build reads format %d of schema %d (import with the build that exported, or export again)",
			h.Format, h.Schema, exportFormat, schema)
	}
	return nil
}

// importFile is the first pass over an export and what it learnt.
type importFile struct {
	check *store.ImportCheck
	spool *spool
	batch *media.Batch
	// bucket, when MASTHEAD_MEDIA_URL names one, takes the files instead
	// of the batch: written before the rows commit, as uploads are, and
	// left to the orphan sweep if they never do.
	bucket media.Blobs

	assets map[string]assetFile // the media_assets rows
	files  int                  // media files staged
}

// assetFile is what a media_assets row says its file is.
type assetFile struct {
	sha256 string
	size   int64
}

// read reads every line after the header.
func (f *importFile) read(dec *json.Decoder) error {
	for line := 2; ; line++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return nil
		} else if err != nil {
			return cms.Errorf(cms.CodeInvalid, "import: line %d: %v", line, err)
		}
		if err := f.line(line, raw); err != nil {
			return err
		}
	}
}

// line takes one line: a table row, or a media file after all rows.
func (f *importFile) line(n int, raw json.RawMessage) error {
	if !utf8.Valid(raw) {
		// The decoder would quietly turn such bytes into U+FFFD.
		return cms.Errorf(cms.CodeInvalid, "import: line %d holds bytes that are not UTF-8", n)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var l exportLine
	if err := dec.Decode(&l); err != nil {
		return cms.Errorf(cms.CodeInvalid, "import: line %d: %v", n, err)
	}
	switch {
	case l.Media != "" && l.Table == "" && l.Row == nil:
		return f.media(n, l)
	case l.Table != "" && l.Media == "" && l.Data == nil:
		if f.files > 0 {
			return cms.Errorf(cms.CodeInvalid, "import: line %d: a table row after the media files", n)
		}
		return f.row(raw, l)
	}
	return cms.Errorf(cms.CodeInvalid, "import: line %d is neither a table row nor a media file", n)
}

func (f *importFile) row(raw json.RawMessage, l exportLine) error {
	if err := f.check.Row(l.Table, l.Row); err != nil {
		return err
	}
	id, _ := l.Row["id"].(string)
	switch l.Table {
	case "media_assets":
		sum, _ := l.Row["sha256"].(string)
		n, _ := l.Row["size"].(json.Number)
		size, _ := n.Int64()
		f.assets[id] = assetFile{sha256: sum, size: size}
	}
	return f.spool.write(raw)
}

// media stages one file once it is known to be an asset's: a valid id
// with a row, and the bytes that row's size and SHA-256 describe.
func (f *importFile) media(n int, l exportLine) error {
	if !media.ValidID(l.Media) {
		return cms.Errorf(cms.CodeInvalid, "import: line %d: %q is not a media id (32 lower-case hex digits)", n, l.Media)
	}
	a, ok := f.assets[l.Media]
	if !ok {
		return cms.Errorf(cms.CodeInvalid, "import: line %d: media %s has no media_assets row in the export", n, l.Media)
	}
	sum := sha256.Sum256(l.Data)
	if hex.EncodeToString(sum[:]) != a.sha256 || int64(len(l.Data)) != a.size {
		return cms.Errorf(cms.CodeInvalid, "import: line %d: the bytes of media %s are not the file its media_assets row describes (size and SHA-256)", n, l.Media)
	}
	put := func() error { return f.batch.Put(l.Media, l.Data) }
	if f.bucket != nil {
		put = func() error { return f.bucket.Put(context.Background(), a.sha256, l.Data) }
	}
	if err := put(); err != nil {
		return fmt.Errorf("import: line %d: %w", n, err)
	}
	f.files++
	return nil
}

// spool keeps the checked rows between the two passes in a temporary file
// only its owner may read (an export holds password hashes).
type spool struct {
	f *os.File
	w *bufio.Writer
}

func newSpool() (*spool, error) {
	f, err := os.CreateTemp("", "masthead-import-*.ndjson")
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	return &spool{f: f, w: bufio.NewWriter(f)}, nil
}

func (s *spool) write(raw []byte) error {
	if _, err := s.w.Write(raw); err != nil {
		return fmt.Errorf("import: spool: %w", err)
	}
	return s.w.WriteByte('\n')
}

// rows rereads the spooled rows, one per call, for store.Import.
func (s *spool) rows() (func() (string, store.Row, bool, error), error) {
	if err := s.w.Flush(); err != nil {
		return nil, fmt.Errorf("import: spool: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("import: spool: %w", err)
	}
	dec := json.NewDecoder(bufio.NewReader(s.f))
	dec.UseNumber()
	return func() (string, store.Row, bool, error) {
		var l exportLine
		if err := dec.Decode(&l); err == io.EOF {
			return "", nil, false, nil
		} else if err != nil {
			return "", nil, false, fmt.Errorf("import: spool: %w", err)
		}
		return l.Table, l.Row, true, nil
	}, nil
}

// Close removes the spool.
func (s *spool) Close() error {
	return errors.Join(s.f.Close(), os.Remove(s.f.Name()))
}
