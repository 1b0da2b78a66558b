// Package site is the reader site served at the root: the home page,
// series, documents at their delivered urls, contributors, topics,
// search, the mailing-list sign-up form and a 404 page, as server-rendered
// html/template pages with one stylesheet and no script.
//
// It reads only what is live, through internal/published (the delivered
// documents and the delivery cache, with the same ETag, 304, gzip and
// Cache-Control as the delivery API), never a draft. It holds Echo
// handlers and imports domain packages and internal/server, never the
// store or another HTTP package; the newsroom's preview reaches its
// templates through Site.PreviewPage, which the app wires in.
package site

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/search"
)

// Reader is what the pages read of the delivered tables and the catalog;
// the store satisfies it.
type Reader interface {
	FindDelivered(ctx context.Context, seriesSlug, slug string) (published.Entry, error)
	FindDeliveredPage(ctx context.Context, q published.Query) (entries []published.Entry, total int, err error)
	FindAllSeries(ctx context.Context) ([]content.Series, error)
	FindSeries(ctx context.Context, slug string) (content.Series, error)
	FindContributor(ctx context.Context, slug string) (content.Contributor, error)
	FindContentType(ctx context.Context, name string) (content.ContentType, error)
}

// Searcher answers a public search (search.Service.Search).
type Searcher func(ctx context.Context, p search.Params) (search.Result, error)

// Config tunes the site.
type Config struct {
	BaseURL *url.URL
	// CacheControl is sent with public pages, as with delivery JSON.
	CacheControl string
	// Location is the site's time zone for dates; nil is UTC.
	Location *time.Location
	// ThemeDir, when set, holds templates and a stylesheet whose files
	// replace the embedded ones of the same names.
	ThemeDir string
	Logger   *slog.Logger
}

// Site serves the reader site's pages.
type Site struct {
	live   *published.Service
	store  Reader
	search Searcher
	cfg    Config
	theme  *theme
}

// New parses the templates (the theme's where it has them) and returns
// the site. A template that does not parse fails here, naming the file
// and line, never at a reader's request.
func New(live *published.Service, store Reader, find Searcher, cfg Config) (*Site, error) {
	if cfg.CacheControl == "" {
		cfg.CacheControl = "public, max-age=60, stale-while-revalidate=600"
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.BaseURL == nil {
		cfg.BaseURL, _ = url.Parse("http://localhost:8080")
	}
	s := &Site{live: live, store: store, search: find, cfg: cfg}
	t, err := loadTheme(cfg.ThemeDir, s.funcs())
	if err != nil {
		return nil, err
	}
	s.theme = t
	return s, nil
}

// base is the site's address without a trailing slash.
func (s *Site) base() string { return s.cfg.BaseURL.String() }
