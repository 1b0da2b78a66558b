package wordpress

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// Record is what an import made of one object of a source: the document,
// asset or contributor, and a digest of what it was made from.
type Record struct {
	Source   string
	Kind     string // post, attachment, author
	Key      string // the post id, the author login
	TargetID string
	Digest   string
}

// Store keeps the records of what imports made.
type Store interface {
	FindImportRecords(ctx context.Context, source string) ([]Record, error)
	PutImportRecords(ctx context.Context, rs []Record) error
}

// Options are how a file is imported.
type Options struct {
	Series             string // the series documents go to; "" creates one from the site's title
	Type               string // the content type of posts (pages are "page"); "" is article
	MediaDir           string // a copy of wp-content/uploads
	FetchMedia         bool   // fetch attachments over HTTP through Fetch
	DryRun             bool
	CategoriesAsSeries bool
	// BatchSize is how many documents one transaction writes (0: 200).
	BatchSize int
	// Progress is told of each item done, of total.
	Progress func(done, total int)
}

// Deps are the services an import writes through.
type Deps struct {
	Content *content.Service
	Media   *media.Service
	Store   Store
	Jobs    JobStore
	Logger  *slog.Logger
	// Fetch gets an attachment's bytes over HTTP (the webhook's guarded
	// client); nil refuses --fetch-media.
	Fetch func(ctx context.Context, rawURL string) (io.ReadCloser, error)
	// MediaURL is where Masthead serves an asset, for images in bodies.
	MediaURL func(id string) string
}

// Importer imports WordPress exports.
type Importer struct{ d Deps }

// New returns an Importer on d.
func New(d Deps) *Importer { return &Importer{d: d} }

// Import reads the export in f twice: a first pass checks the whole file
// (a malformed or foreign file stops the run with its line and column
// before anything is written) and learns its authors, terms and
// attachments; the second maps each post and page to a document, in
// batches of one transaction each. actor is the admin who imports.
func (im *Importer) Import(ctx context.Context, actor cms.Actor, f io.ReadSeeker, opt Options) (*Report, error) {
	if opt.Type == "" {
		opt.Type = "article"
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 200
	}
	if opt.FetchMedia && im.d.Fetch == nil {
		return nil, cms.Invalid("fetch_media", "fetching media is not available here")
	}
	sc, err := scan(f)
	if err != nil {
		return nil, err
	}
	if _, err := im.d.Content.ContentType(ctx, opt.Type); err != nil {
		return nil, cms.Invalid("type", fmt.Sprintf("no content type %q", opt.Type))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("wordpress: %w", err)
	}
	run, err := im.newRun(ctx, actor, sc, opt)
	if err != nil {
		return nil, err
	}
	if err := run.catalog(); err != nil {
		return nil, err
	}
	if err := run.attachments(); err != nil {
		return nil, err
	}
	if err := run.posts(NewReader(f)); err != nil {
		return nil, err
	}
	return run.report, nil
}

// Check reads a whole export and returns its first problem (with its
// line and column), or nil: a command checks the file before it changes
// anything, the first admin included.
func Check(r io.Reader) error {
	_, err := scan(r)
	return err
}

// scanned is what the first pass learnt.
type scanned struct {
	site        Site
	authors     []*Author
	categories  map[string]*Term
	terms       int
	attachments []*Item
	items       int // items to do in the second pass
}

// scan reads the whole file once, checking it.
func scan(r io.Reader) (*scanned, error) {
	sc := &scanned{categories: map[string]*Term{}}
	rd := NewReader(r)
	for {
		v, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case *Author:
			sc.authors = append(sc.authors, x)
		case *Term:
			sc.terms++
			if x.Taxonomy == "category" {
				sc.categories[x.Slug] = x
			}
		case *Item:
			sc.items++
			if x.Type == "attachment" {
				x.Encoded = nil // the second pass needs the rest only
				sc.attachments = append(sc.attachments, x)
			}
		}
	}
	sc.site = rd.Site()
	if sc.site.Version == "" {
		return nil, &Error{Line: 1, Column: 1, Err: errors.New("not a WordPress export (WXR): no wp:wxr_version")}
	}
	return sc, nil
}

// sourceOf is the key of a site's objects: its blog URL, as written.
func sourceOf(s Site) string {
	for _, v := range []string{s.BaseBlogURL, s.Link, s.BaseSiteURL} {
		if v = strings.TrimRight(strings.TrimSpace(v), "/"); v != "" {
			return v
		}
	}
	return "wordpress"
}

// run is one import under way.
type run struct {
	im      *Importer
	ctx     context.Context
	actor   cms.Actor
	opt     Options
	sc      *scanned
	source  string
	records map[string]Record // kind/key → record
	report  *Report

	series      string            // the default series
	topSeries   map[string]string // top-level category slug → series, with --categories-as-series
	authors     map[string]string // login → contributor slug
	assets      map[string]string // attachment id → asset id
	assetByPath map[string]string // attachment URL path → asset id
	slugs       map[string]string // series/slug → post id, to keep slugs unique
	seen        map[string]bool   // post ids read
	done        int
	now         time.Time
}

func (im *Importer) newRun(ctx context.Context, actor cms.Actor, sc *scanned, opt Options) (*run, error) {
	r := &run{im: im, ctx: ctx, actor: actor, opt: opt, sc: sc, source: sourceOf(sc.site),
		records: map[string]Record{}, topSeries: map[string]string{}, authors: map[string]string{},
		assets: map[string]string{}, assetByPath: map[string]string{}, slugs: map[string]string{}, seen: map[string]bool{}, now: time.Now().UTC()}
	r.report = &Report{Site: sc.site.Title, Source: r.source, DryRun: opt.DryRun, Items: sc.items,
		Terms: sc.terms, ByState: map[string]int{}, Skipped: []Note{}, Altered: []Note{}, HeroesWithoutLicence: []Note{}}
	recs, err := im.d.Store.FindImportRecords(ctx, r.source)
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		r.records[rec.Kind+"/"+rec.Key] = rec
	}
	return r, nil
}

func (r *run) progress() {
	r.done++
	if r.opt.Progress != nil {
		r.opt.Progress(r.done, r.sc.items)
	}
}

// digest is a stable hash of what an object was made from.
func digest(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// remember keeps a record for the next run (nothing in a dry run).
func (r *run) remember(rs ...Record) error {
	if r.opt.DryRun || len(rs) == 0 {
		return nil
	}
	for _, rec := range rs {
		r.records[rec.Kind+"/"+rec.Key] = rec
	}
	return r.im.d.Store.PutImportRecords(r.ctx, rs)
}

// mediaPath is an attachment URL's path below wp-content/uploads (or its
// whole path), the key images in bodies are matched by.
func mediaPath(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	p, err := url.PathUnescape(u.EscapedPath())
	if err != nil {
		p = u.Path
	}
	if i := strings.Index(p, "/wp-content/uploads/"); i >= 0 {
		return p[i+len("/wp-content/uploads/"):]
	}
	return strings.TrimPrefix(p, "/")
}

// stateName is how the report counts states.
func stateName(s workflow.State) string { return string(s) }
