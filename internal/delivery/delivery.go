// Package delivery is the public, read-only delivery API under
// /delivery/v1: published documents, series, contributors, feeds, the
// sitemap and preview links. Documents are rendered once, when their live
// revision changes, inside the publishing transaction; reads serve those
// stored bytes from an in-memory cache that every instance drops when the
// delivery version moves. Nothing that is not live is ever in its tables.
package delivery

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/media"
)

// Entry is one delivered document: its pre-rendered JSON and what
// listings filter and sort on.
type Entry struct {
	DocumentID   string
	SeriesID     string
	SeriesSlug   string
	ParentSlug   *string
	Type         string
	Slug         string
	Title        string
	Summary      string
	Revision     int
	PublishedAt  time.Time
	UpdatedAt    time.Time
	Body         []byte
	Topics       []string
	Contributors []string // slugs: credited and byline
	HeroID       *string
}

// Query selects delivered documents, newest first.
type Query struct {
	Series      string // includes the series' children
	Type        string
	Topic       string
	Contributor string
	After       *Position
	Limit       int
}

// Position is where a page of a listing ends.
type Position struct {
	PublishedAt time.Time
	DocumentID  string
}

// Store is what delivery needs from persistence. The write methods run in
// the publishing transaction.
type Store interface {
	PutDelivered(ctx context.Context, e Entry) error
	DeleteDelivered(ctx context.Context, documentID string) error
	BumpDeliveryVersion(ctx context.Context) error

	DeliveryVersion(ctx context.Context) (int64, error)
	SigningKey(ctx context.Context) ([]byte, error)
	FindDelivered(ctx context.Context, seriesSlug, slug string) (Entry, error)
	FindDeliveredPage(ctx context.Context, q Query) (entries []Entry, total int, err error)
	CountDelivered(ctx context.Context) (map[string]int, error) // by series slug, own documents only
	// FindDeliveredIDs lists live documents of a series, crediting a
	// contributor, or showing an asset (whichever is given).
	FindDeliveredIDs(ctx context.Context, seriesSlug, contributor, heroID string) ([]string, error)
	FindAsset(ctx context.Context, id string) (media.Asset, error)

	FindAllSeries(ctx context.Context) ([]content.Series, error)
	FindSeries(ctx context.Context, slug string) (content.Series, error)
	FindContributor(ctx context.Context, slug string) (content.Contributor, error)
	FindContentType(ctx context.Context, name string) (content.ContentType, error)
	FindDocument(ctx context.Context, id string) (content.Document, error)
	FindRevision(ctx context.Context, documentID string, number int) (content.Revision, error)
	DocumentTx(ctx context.Context, fn func(tx content.Store) error) error

	PreviewStore
}
