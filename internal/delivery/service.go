package delivery

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"time"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/render"
)

// Config tunes delivery.
type Config struct {
	BaseURL *url.URL
	// CacheControl is sent with public responses.
	CacheControl string
	Logger       *slog.Logger
	// Key is the site's signing key (store.SigningKey): it signs cursors
	// and preview tokens.
	Key []byte
	// ListEmptySeries lists series with nothing live in GET /series too;
	// off, the list shows only what a reader can open.
	ListEmptySeries bool
}

// Service serves delivered content.
type Service struct {
	store    Store
	previews PreviewStore
	docs     DocumentReader
	renderer *render.Renderer
	cache    *cache
	cfg      Config
	key      []byte // signs cursors and preview tokens
	index    LiveIndex
	search   Searcher
}

// LiveIndex keeps a search index of the live revisions; it is called in
// the publishing transaction with what was rendered.
type LiveIndex interface {
	PutLive(ctx context.Context, tx content.Store, d render.Document, parent *string) error
	DeleteLive(ctx context.Context, tx content.Store, documentID string) error
}

// Searcher answers a public search for the given query parameters.
type Searcher func(ctx context.Context, query url.Values) (any, error)

// SetSearch connects the search index and the search route.
func (s *Service) SetSearch(ix LiveIndex, search Searcher) {
	s.index, s.search = ix, search
}

// NewService returns a Service.
func NewService(store Store, docs DocumentReader, renderer *render.Renderer, cfg Config) (*Service, error) {
	if len(cfg.Key) == 0 {
		return nil, errors.New("delivery: no signing key")
	}
	if cfg.CacheControl == "" {
		cfg.CacheControl = "public, max-age=60, stale-while-revalidate=600"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, previews: store, docs: docs, renderer: renderer, cache: newCache(cacheBudget), cfg: cfg, key: cfg.Key}, nil
}

// Watch drops the cache whenever the delivery version moves, so that a
// publish on another instance shows here within one interval.
func (s *Service) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var seen int64 = -1
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			v, err := s.store.DeliveryVersion(ctx)
			if err != nil {
				if ctx.Err() == nil {
					s.cfg.Logger.Warn("delivery version check failed", "err", err)
				}
				continue
			}
			// The first reading clears too: what was cached before it may
			// predate a change made elsewhere.
			if v != seen {
				s.cache.clear()
				seen = v
			}
		}
	}
}
