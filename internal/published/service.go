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
	// BumpDeliveryVersion moves the delivery version and tells every
	// instance what changed once the transaction commits (none named:
	// anything may have).
	BumpDeliveryVersion(ctx context.Context, changes ...Change) error

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
	// ListenRetry is the first wait before Watch reconnects a lost
	// change listener, doubling after each failure (0: 100 ms).
	ListenRetry time.Duration
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
	// listening is set while Watch hears of changes as they commit.
	listening atomic.Bool
	pending   pending
	// localBumps counts the delivery version bumps this instance's own
	// committed changes made since the poll last looked: those it has
	// invalidated already.
	localBumps atomic.Int64
	// origin marks the changes this instance announces (Change.Origin).
	origin string
}

// NewService returns a Service.
func NewService(store Store, renderer *render.Renderer, cfg Config) (*Service, error) {
	if len(cfg.Key) == 0 {
		return nil, errors.New("published: no signing key")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, docs: cfg.Docs, renderer: renderer, cache: newCache(cacheBudget), cfg: cfg, index: cfg.Index,
		origin: cms.RandomToken(8)}, nil
}

// DocumentURL is where the reader site shows a document.
func (s *Service) DocumentURL(seriesSlug, slug string) string {
	return s.renderer.URL(seriesSlug, slug)
}
