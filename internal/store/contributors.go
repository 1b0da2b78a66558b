package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

type contributorRow struct {
	ID        string
	Slug      string
	Name      string
	Bio       string
	UserID    *string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (contributorRow) TableName() string { return "contributors" }

// CreateContributor inserts a contributor with its audit event.
func (db *DB) CreateContributor(ctx context.Context, c content.Contributor, ev cms.AuditEvent) error {
	row := contributorRow(c)
	return db.InTx(ctx, func(tx *DB) error {
		if err := tx.q(ctx).Create(&row).Error; err != nil {
			return wrap(err)
		}
		return tx.AddAudit(ctx, ev)
	})
}

// UpdateContributor writes a contributor's fields with its audit event.
func (db *DB) UpdateContributor(ctx context.Context, c content.Contributor, ev cms.AuditEvent) error {
	return db.InTx(ctx, func(tx *DB) error {
		err := tx.q(ctx).Exec("UPDATE contributors SET name = ?, bio = ?, user_id = ?, updated_at = ? WHERE id = ?",
			c.Name, c.Bio, c.UserID, c.UpdatedAt, c.ID).Error
		if err != nil {
			return wrap(err)
		}
		return tx.AddAudit(ctx, ev)
	})
}

// FindContributor returns the contributor with this slug.
func (db *DB) FindContributor(ctx context.Context, slug string) (content.Contributor, error) {
	var row contributorRow
	if err := db.q(ctx).Where("slug = ?", slug).Take(&row).Error; err != nil {
		return content.Contributor{}, notFound(err, "contributor")
	}
	return content.Contributor(row), nil
}

// FindContributors lists every contributor by name.
func (db *DB) FindContributors(ctx context.Context) ([]content.Contributor, error) {
	var rows []contributorRow
	if err := db.q(ctx).Order("name, slug").Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]content.Contributor, 0, len(rows))
	for _, r := range rows {
		out = append(out, content.Contributor(r))
	}
	return out, nil
}

// FindLiveCrediting lists the live documents that credit the contributor
// or name them in their byline, as delivered.
func (db *DB) FindLiveCrediting(ctx context.Context, contributor string) ([]content.LiveUse, error) {
	rows, err := db.liveUses(ctx, "EXISTS (SELECT 1 FROM delivered_contributors dc WHERE dc.document_id = d.id AND dc.contributor = ?)", contributor)
	if err != nil {
		return nil, err
	}
	out := make([]content.LiveUse, len(rows))
	for i, r := range rows {
		out[i] = content.LiveUse{DocumentID: r.ID, SeriesPath: r.path(), State: workflow.State(r.State), HeadRevision: r.HeadRevision}
	}
	return out, nil
}

// liveUseRow is a live document with what deciding about it needs.
type liveUseRow struct {
	ID           string
	State        string
	HeadRevision int
	SeriesSlug   string
	ParentSlug   *string
}

// path is the document's series as an authorization domain.
func (r liveUseRow) path() string {
	if r.ParentSlug != nil {
		return *r.ParentSlug + "/" + r.SeriesSlug
	}
	return r.SeriesSlug
}

// liveUses lists the delivered (live) documents matching where, with
// their series as they are now, by id.
func (db *DB) liveUses(ctx context.Context, where string, args ...any) ([]liveUseRow, error) {
	var rows []liveUseRow
	err := db.q(ctx).Raw(`SELECT d.id, d.state, d.head_revision, s.slug AS series_slug, p.slug AS parent_slug
FROM documents d
JOIN delivered_documents dd ON dd.document_id = d.id
JOIN series s ON s.id = d.series_id
LEFT JOIN series p ON p.id = s.parent_id
WHERE `+where+` ORDER BY d.id`, args...).Scan(&rows).Error
	return rows, wrap(err)
}
