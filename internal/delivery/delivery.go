// Package delivery is the public, read-only delivery API under
// /delivery/v1: published documents, series, contributors, feeds, the
// sitemap and preview links. Documents are rendered once, when their live
// revision changes, inside the publishing transaction; reads serve those
// stored bytes from an in-memory cache that every instance drops when the
// delivery version moves. Nothing that is not live is ever in its tables.
package delivery

import (
	"context"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/published"
)

// Store is what delivery needs from persistence. The write methods run in
// the publishing transaction.
type Store interface {
	PutDelivered(ctx context.Context, e published.Entry) error
	DeleteDelivered(ctx context.Context, documentID string) error
	BumpDeliveryVersion(ctx context.Context) error

	DeliveryVersion(ctx context.Context) (int64, error)
	SigningKey(ctx context.Context) ([]byte, error)
	FindDelivered(ctx context.Context, seriesSlug, slug string) (published.Entry, error)
	FindDeliveredPage(ctx context.Context, q published.Query) (entries []published.Entry, total int, err error)
	CountDelivered(ctx context.Context) (map[string]int, error) // by series slug, own documents only
	// FindDeliveredIDs lists live documents of a series, crediting a
	// contributor, or showing an asset (whichever is given).
	FindDeliveredIDs(ctx context.Context, seriesSlug, contributor, heroID string) ([]string, error)
	FindDeliveredOlderThan(ctx context.Context, shape int) ([]string, error)
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
