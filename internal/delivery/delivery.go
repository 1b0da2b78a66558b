// Package delivery is the public, read-only delivery API under
// /delivery/v1: published documents, series, contributors, feeds, the
// sitemap and preview links. It holds only Echo handlers: what is live,
// how it is rendered and cached and how preview links work belong to
// internal/published, which this package calls. It imports domain
// packages and internal/server, never the store or another HTTP package.
package delivery

import (
	"context"
	"log/slog"
	"net/url"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/render"
)

// Reader is what the handlers read of the delivered tables and the
// catalog; the store satisfies it.
type Reader interface {
	FindDelivered(ctx context.Context, seriesSlug, slug string) (published.Entry, error)
	FindDeliveredPage(ctx context.Context, q published.Query) (entries []published.Entry, total int, err error)
	CountDelivered(ctx context.Context) (map[string]int, error) // by series slug, own documents only
	FindAllSeries(ctx context.Context) ([]content.Series, error)
	FindSeries(ctx context.Context, slug string) (content.Series, error)
	FindContributor(ctx context.Context, slug string) (content.Contributor, error)
	FindContentTypes(ctx context.Context) ([]content.ContentType, error)
	FindContentType(ctx context.Context, name string) (content.ContentType, error)
}

// Searcher answers a public search for the given query parameters.
type Searcher func(ctx context.Context, query url.Values) (any, error)

// Config tunes the delivery API.
type Config struct {
	BaseURL *url.URL
	// CacheControl is sent with public responses.
	CacheControl string
	Logger       *slog.Logger
	// Key is the site's signing key (store.SigningKey): the site feed's
	// permanent id is derived from it.
	Key []byte
	// ListEmptySeries lists series with nothing live in GET /series too;
	// off, the list shows only what a reader can open.
	ListEmptySeries bool
	// Search answers GET /search; nil, the route is not found.
	Search Searcher
	// TimeZone is the IANA name of the site's time zone ("" is UTC),
	// ReaderSite whether Masthead serves the reader site, PublicURL the
	// pattern of document urls when a front end of the newsroom's own
	// serves them: what GET /site tells front ends.
	TimeZone   string
	ReaderSite bool
	PublicURL  string
	// PreviewPage renders a preview link as the reader site's document
	// page, for browsers; nil, previews are JSON only. PreviewPolicy is
	// the Content-Security-Policy sent with it.
	PreviewPage   func(ctx context.Context, d render.Document) ([]byte, error)
	PreviewPolicy string
}

// Handler serves the delivery API's routes.
type Handler struct {
	live  *published.Service
	store Reader
	cfg   Config
	site  *published.Cached // GET /site, from settings
}

// New returns the delivery API's handlers over live content.
func New(live *published.Service, store Reader, cfg Config) *Handler {
	if cfg.CacheControl == "" {
		cfg.CacheControl = "public, max-age=60, stale-while-revalidate=600"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{live: live, store: store, cfg: cfg}
	h.site = h.siteResponse()
	return h
}
