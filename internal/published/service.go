package published

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/render"
)

// Store is what the live content needs from persistence. The write
// methods run in the publishing transaction.
type Store interface {
	PutDelivered(ctx context.Context, e Entry) error
	DeleteDelivered(ctx context.Context, documentID string) error
	BumpDeliveryVersion(ctx context.Context) error

	DeliveryVersion(ctx context.Context) (int64, error)
	// FindDeliveredIDs lists live documents of a series, crediting a
	// contributor, or showing an asset (whichever is given).
	FindDeliveredIDs(ctx context.Context, seriesSlug, contributor, heroID string) ([]string, error)
	FindDeliveredOlderThan(ctx context.Context, shape int) ([]string, error)
	// FindDeliveredListing returns what listings know of a live document
	// (not its bytes): its address, series, type, topics, contributors.
	FindDeliveredListing(ctx context.Context, documentID string) (Entry, error)
	// RenderedFor and SetRenderedFor keep the stamp of the addresses the
	// delivered documents hold (render.Renderer.Stamp).
	RenderedFor(ctx context.Context) (string, error)
	SetRenderedFor(ctx context.Context, stamp string) error
	FindAsset(ctx context.Context, id string) (media.Asset, error)

	FindSeries(ctx context.Context, slug string) (content.Series, error)
	FindContributor(ctx context.Context, slug string) (content.Contributor, error)
	FindContentType(ctx context.Context, name string) (content.ContentType, error)
	FindDocument(ctx context.Context, id string) (content.Document, error)
	FindRevision(ctx context.Context, documentID string, number int) (content.Revision, error)
	DocumentTx(ctx context.Context, fn func(tx content.Store) error) error

	PreviewStore
	RedirectStore
}

// DocumentReader answers whether an actor may read a document.
type DocumentReader interface {
	Document(ctx context.Context, actor cms.Actor, id string) (content.Document, error)
}

// LiveIndex keeps a search index of the live revisions; it is called in
// the publishing transaction with what was rendered.
type LiveIndex interface {
	PutLive(ctx context.Context, tx content.Store, d render.Document, parent *string) error
	DeleteLive(ctx context.Context, tx content.Store, documentID string) error
}

// Config is what a Service is built with.
type Config struct {
	BaseURL *url.URL
	Logger  *slog.Logger
	// Key is the site's signing key (store.SigningKey): it signs cursors
	// and preview tokens.
	Key []byte
	// Docs checks that an actor may read a document before a preview of
	// it; nil when nobody asks for previews (an import).
	Docs DocumentReader
	// Index is kept in step with what is rendered; nil for none.
	Index LiveIndex
}

// Service keeps what is live: it renders documents into the delivered
// tables, drops the cache when they change, and hands out preview links.
type Service struct {
	store    Store
	docs     DocumentReader
	renderer *render.Renderer
	cache    *cache
	cfg      Config
	index    LiveIndex
	pending  pending
	// localBumps counts the delivery version bumps this instance's own
	// committed changes made since Watch last looked: those it has
	// invalidated already.
	localBumps atomic.Int64
}

// NewService returns a Service.
func NewService(store Store, renderer *render.Renderer, cfg Config) (*Service, error) {
	if len(cfg.Key) == 0 {
		return nil, errors.New("published: no signing key")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, docs: cfg.Docs, renderer: renderer, cache: newCache(cacheBudget), cfg: cfg, index: cfg.Index}, nil
}

// DocumentURL is where the reader site shows a document.
func (s *Service) DocumentURL(seriesSlug, slug string) string {
	return s.renderer.URL(seriesSlug, slug)
}

// Watch drops the cache whenever the delivery version moves, so that a
// publish on another instance shows here within one interval.
func (s *Service) Watch(ctx context.Context, interval time.Duration) {
	var seen int64 = -1
	cms.Every(ctx, interval, func(ctx context.Context) {
		v, err := s.store.DeliveryVersion(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.cfg.Logger.Warn("delivery version check failed", "err", err)
			}
			return
		}
		// The first reading clears too: what was cached before it may
		// predate a change made elsewhere. A move made by this
		// instance's own changes alone was invalidated when they
		// committed; any other is not known, and clears everything.
		local := s.localBumps.Swap(0)
		if v != seen && (seen < 0 || v-seen != local) {
			s.cache.clear()
		}
		seen = v
	})
}
