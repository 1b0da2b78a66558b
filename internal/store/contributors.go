package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
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
