package store

import (
	"context"
	"encoding/hex"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/published"
)

type deliveredRow struct {
	DocumentID  string
	SeriesID    string
	SeriesSlug  string
	ParentSlug  *string
	Type        string
	Slug        string
	Title       string
	Revision    int
	PublishedAt time.Time
	UpdatedAt   time.Time
	Body        string
	Digest      string
	Shape       int
	HeroID      *string
}

func (deliveredRow) TableName() string { return "delivered_documents" }

func (r deliveredRow) entry() published.Entry {
	return published.Entry{DocumentID: r.DocumentID, SeriesID: r.SeriesID, SeriesSlug: r.SeriesSlug,
		ParentSlug: r.ParentSlug, Type: r.Type, Slug: r.Slug, Title: r.Title, Revision: r.Revision,
		PublishedAt: r.PublishedAt, UpdatedAt: r.UpdatedAt, Body: []byte(r.Body), Digest: []byte(r.Digest), Shape: r.Shape, HeroID: r.HeroID}
}

// PutDelivered stores (or replaces) a document's delivered form.
func (db *DB) PutDelivered(ctx context.Context, e published.Entry) error {
	if err := db.DeleteDelivered(ctx, e.DocumentID); err != nil {
		return err
	}
	row := deliveredRow{DocumentID: e.DocumentID, SeriesID: e.SeriesID, SeriesSlug: e.SeriesSlug, ParentSlug: e.ParentSlug,
		Type: e.Type, Slug: e.Slug, Title: e.Title, Revision: e.Revision, PublishedAt: e.PublishedAt.UTC(),
		UpdatedAt: e.UpdatedAt.UTC(), Body: string(e.Body), Digest: string(e.Digest), Shape: e.Shape, HeroID: e.HeroID}
	if err := db.q(ctx).Create(&row).Error; err != nil {
		if cms.IsCode(wrap(err), cms.CodeConflict) {
			return cms.Errorf(cms.CodeConflict, "another live document of series %q has the slug %q", e.SeriesSlug, e.Slug)
		}
		return wrap(err)
	}
	for _, t := range e.Topics {
		if err := db.q(ctx).Exec("INSERT INTO delivered_topics (document_id, topic) VALUES (?, ?)", e.DocumentID, t).Error; err != nil {
			return wrap(err)
		}
	}
	for _, c := range e.Contributors {
		if err := db.q(ctx).Exec("INSERT INTO delivered_contributors (document_id, contributor) VALUES (?, ?)", e.DocumentID, c).Error; err != nil {
			return wrap(err)
		}
	}
	for _, id := range e.Media {
		if err := db.q(ctx).Exec("INSERT INTO delivered_media (document_id, asset_id) VALUES (?, ?)", e.DocumentID, id).Error; err != nil {
			return wrap(err)
		}
	}
	return nil
}

// DeleteDelivered removes a document from delivery.
func (db *DB) DeleteDelivered(ctx context.Context, documentID string) error {
	return wrap(db.q(ctx).Exec("DELETE FROM delivered_documents WHERE document_id = ?", documentID).Error)
}

// ensureSiteState creates the site_state row with a random signing key on
// first use; of two instances racing, one key wins and both read it.
func (db *DB) ensureSiteState(ctx context.Context) error {
	return wrap(db.q(ctx).Exec(
		"INSERT INTO site_state (id, delivery_version, signing_key) VALUES (1, 0, ?) ON CONFLICT (id) DO NOTHING",
		cms.RandomToken(32)).Error)
}

// DeliveryVersion returns the counter BumpDeliveryVersion moves.
func (db *DB) DeliveryVersion(ctx context.Context) (int64, error) {
	var v []int64
	err := db.q(ctx).Raw("SELECT delivery_version FROM site_state WHERE id = 1").Scan(&v).Error
	if err != nil || len(v) == 0 {
		return 0, wrap(err)
	}
	return v[0], nil
}

// RenderedFor returns what the delivered documents were last rendered for
// (render.Renderer.Stamp); empty before any rendering recorded it.
func (db *DB) RenderedFor(ctx context.Context) (string, error) {
	if err := db.ensureSiteState(ctx); err != nil {
		return "", err
	}
	var v []string
	err := db.q(ctx).Raw("SELECT rendered_for FROM site_state WHERE id = 1").Scan(&v).Error
	if err != nil || len(v) == 0 {
		return "", wrap(err)
	}
	return v[0], nil
}

// SetRenderedFor records what the delivered documents are rendered for.
func (db *DB) SetRenderedFor(ctx context.Context, stamp string) error {
	return wrap(db.q(ctx).Exec("UPDATE site_state SET rendered_for = ? WHERE id = 1", stamp).Error)
}

// SigningKey returns the site's HMAC key, creating it on first use.
func (db *DB) SigningKey(ctx context.Context) ([]byte, error) {
	if err := db.ensureSiteState(ctx); err != nil {
		return nil, err
	}
	var key string
	if err := db.q(ctx).Raw("SELECT signing_key FROM site_state WHERE id = 1").Scan(&key).Error; err != nil {
		return nil, wrap(err)
	}
	return hex.DecodeString(key)
}

// FindDelivered returns the live document with this series and slug.
func (db *DB) FindDelivered(ctx context.Context, seriesSlug, slug string) (published.Entry, error) {
	var row deliveredRow
	err := db.q(ctx).Where("series_slug = ? AND slug = ?", seriesSlug, slug).Take(&row).Error
	return row.entry(), notFound(err, "document")
}

func deliveredWhere(q published.Query) (string, []any) {
	where := []string{"1 = 1"}
	var args []any
	if q.Series != "" {
		where = append(where, "(d.series_slug = ? OR d.parent_slug = ?)")
		args = append(args, q.Series, q.Series)
	}
	if q.Type != "" {
		where = append(where, "d.type = ?")
		args = append(args, q.Type)
	}
	if q.Topic != "" {
		where = append(where, "EXISTS (SELECT 1 FROM delivered_topics t WHERE t.document_id = d.document_id AND t.topic = ?)")
		args = append(args, q.Topic)
	}
	if q.Contributor != "" {
		where = append(where, "EXISTS (SELECT 1 FROM delivered_contributors c WHERE c.document_id = d.document_id AND c.contributor = ?)")
		args = append(args, q.Contributor)
	}
	return strings.Join(where, " AND "), args
}

// FindDeliveredListing returns what listings know of a live document —
// its address, series, type, topics and contributors — without its
// bytes: what a change to it touches in the delivery cache.
func (db *DB) FindDeliveredListing(ctx context.Context, documentID string) (published.Entry, error) {
	var row deliveredRow
	err := db.q(ctx).Select("document_id, series_id, series_slug, parent_slug, type, slug").
		Where("document_id = ?", documentID).Take(&row).Error
	if err != nil {
		return published.Entry{}, notFound(err, "document")
	}
	e := row.entry()
	if err := db.q(ctx).Raw("SELECT topic FROM delivered_topics WHERE document_id = ?", documentID).Scan(&e.Topics).Error; err != nil {
		return published.Entry{}, wrap(err)
	}
	if err := db.q(ctx).Raw("SELECT contributor FROM delivered_contributors WHERE document_id = ?", documentID).Scan(&e.Contributors).Error; err != nil {
		return published.Entry{}, wrap(err)
	}
	return e, nil
}

// FindDeliveredPage returns up to q.Limit+1 live documents, newest first,
// after q.After, and the exact number matching q's filters.
func (db *DB) FindDeliveredPage(ctx context.Context, q published.Query) ([]published.Entry, int, error) {
	where, args := deliveredWhere(q)
	var total int64
	if err := db.q(ctx).Raw("SELECT COUNT(*) FROM delivered_documents d WHERE "+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, wrap(err)
	}
	if a := q.After; a != nil {
		where += " AND (d.published_at < ? OR (d.published_at = ? AND d.document_id < ?))"
		args = append(args, a.PublishedAt, a.PublishedAt, a.DocumentID)
	}
	args = append(args, q.Limit+1)
	var rows []deliveredRow
	err := db.q(ctx).Raw("SELECT d.* FROM delivered_documents d WHERE "+where+
		" ORDER BY d.published_at DESC, d.document_id DESC LIMIT ?", args...).Scan(&rows).Error
	if err != nil {
		return nil, 0, wrap(err)
	}
	out := make([]published.Entry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, int(total), nil
}

// CountDelivered counts live documents per series (children not added).
func (db *DB) CountDelivered(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		SeriesSlug string
		N          int
	}
	err := db.q(ctx).Raw("SELECT series_slug, COUNT(*) AS n FROM delivered_documents GROUP BY series_slug").Scan(&rows).Error
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.SeriesSlug] = r.N
	}
	return out, wrap(err)
}

// FindDeliveredIDs lists live documents of a series (with its children),
// crediting a contributor, or showing an asset.
func (db *DB) FindDeliveredIDs(ctx context.Context, seriesSlug, contributor, heroID string) ([]string, error) {
	where, args := deliveredWhere(published.Query{Series: seriesSlug, Contributor: contributor})
	if heroID != "" {
		where += " AND d.hero_id = ?"
		args = append(args, heroID)
	}
	var ids []string
	err := db.q(ctx).Raw("SELECT d.document_id FROM delivered_documents d WHERE "+where, args...).Scan(&ids).Error
	return ids, wrap(err)
}

// FindDeliveredOlderThan lists live documents rendered with a delivered
// shape older than shape.
func (db *DB) FindDeliveredOlderThan(ctx context.Context, shape int) ([]string, error) {
	// Every start asks this, and the answer is nearly always none: the
	// oldest shape, read from the end of the shape index, tells at once.
	// Without it SQLite scanned the table, and since shape is stored after
	// the rendered bodies, it read every document's overflow pages (4 s
	// and the whole file through the page cache at 10,000 documents).
	var oldest []int
	if err := db.q(ctx).Raw("SELECT COALESCE(MIN(shape), ?) FROM delivered_documents", shape).Scan(&oldest).Error; err != nil {
		return nil, wrap(err)
	}
	if len(oldest) == 0 || oldest[0] >= shape {
		return nil, nil
	}
	var ids []string
	// No ORDER BY: sorting by document_id made SQLite walk the whole
	// table in key order instead of looking up the few rows in the shape
	// index.
	err := db.q(ctx).Raw("SELECT document_id FROM delivered_documents WHERE shape < ?", shape).Scan(&ids).Error
	return ids, wrap(err)
}

type previewRow struct {
	ID         string
	DocumentID string
	CreatedBy  string
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	Uses       int
	LastUsedAt *time.Time
	CreatedAt  time.Time
}

func (previewRow) TableName() string { return "preview_links" }

func (r previewRow) link() published.PreviewLink {
	return published.PreviewLink{ID: r.ID, DocumentID: r.DocumentID, CreatedBy: r.CreatedBy, ExpiresAt: r.ExpiresAt,
		RevokedAt: r.RevokedAt, Uses: r.Uses, LastUsedAt: r.LastUsedAt, CreatedAt: r.CreatedAt}
}

// CreatePreviewLink stores a preview link.
func (db *DB) CreatePreviewLink(ctx context.Context, l published.PreviewLink) error {
	row := previewRow{ID: l.ID, DocumentID: l.DocumentID, CreatedBy: l.CreatedBy, ExpiresAt: l.ExpiresAt, CreatedAt: l.CreatedAt}
	return wrap(db.q(ctx).Create(&row).Error)
}

// FindPreviewLink returns one preview link.
func (db *DB) FindPreviewLink(ctx context.Context, id string) (published.PreviewLink, error) {
	var row previewRow
	err := db.q(ctx).Where("id = ?", id).Take(&row).Error
	return row.link(), notFound(err, "preview link")
}

// FindPreviewLinks lists a document's preview links, newest first.
func (db *DB) FindPreviewLinks(ctx context.Context, documentID string) ([]published.PreviewLink, error) {
	var rows []previewRow
	if err := db.q(ctx).Where("document_id = ?", documentID).Order("created_at DESC").Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]published.PreviewLink, len(rows))
	for i, r := range rows {
		out[i] = r.link()
	}
	return out, nil
}

// RevokePreviewLink ends a document's preview link.
func (db *DB) RevokePreviewLink(ctx context.Context, documentID, id string, at time.Time) error {
	res := db.q(ctx).Exec("UPDATE preview_links SET revoked_at = ? WHERE id = ? AND document_id = ? AND revoked_at IS NULL", at, id, documentID)
	if res.Error != nil {
		return wrap(res.Error)
	}
	if res.RowsAffected == 0 {
		return cms.NotFound("preview link")
	}
	return nil
}

// TouchPreviewLink records a use of a preview link.
func (db *DB) TouchPreviewLink(ctx context.Context, id string, at time.Time) error {
	return wrap(db.q(ctx).Exec("UPDATE preview_links SET uses = uses + 1, last_used_at = ? WHERE id = ?", at, id).Error)
}
