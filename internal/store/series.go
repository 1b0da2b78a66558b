package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

type seriesRow struct {
	ID          string
	Slug        string
	Name        string
	Kind        string
	Description string
	About       string
	ParentID    *string
	// RequiresCredit is a publish gate (content.Series.RequiresCredit).
	RequiresCredit string
	// ApprovalsRequired is 1 or 2 (migration 00018).
	ApprovalsRequired int
	CreatedAt         time.Time
	UpdatedAt         time.Time
	ParentSlug        *string `gorm:"->"`
}

func (seriesRow) TableName() string { return "series" }

func (r seriesRow) series() content.Series {
	return content.Series{ID: r.ID, Slug: r.Slug, Name: r.Name, Kind: r.Kind, Description: r.Description,
		About: r.About, ParentID: r.ParentID, Parent: r.ParentSlug, ApprovalsRequired: r.ApprovalsRequired,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, RequiresCredit: r.RequiresCredit}
}

func seriesRowOf(s content.Series) seriesRow {
	return seriesRow{ID: s.ID, Slug: s.Slug, Name: s.Name, Kind: s.Kind, Description: s.Description,
		About: s.About, ParentID: s.ParentID, ApprovalsRequired: max(s.ApprovalsRequired, 1),
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, RequiresCredit: s.RequiresCredit}
}

const seriesSelect = `SELECT s.*, p.slug AS parent_slug FROM series s LEFT JOIN series p ON p.id = s.parent_id`

// CreateSeries inserts a series with its audit event.
func (db *DB) CreateSeries(ctx context.Context, s content.Series, ev cms.AuditEvent) error {
	row := seriesRowOf(s)
	return db.InTx(ctx, func(tx *DB) error {
		if err := tx.q(ctx).Omit("ParentSlug").Create(&row).Error; err != nil {
			return wrap(err)
		}
		return tx.AddAudit(ctx, ev)
	})
}

// UpdateSeries writes a series' fields with its audit event.
func (db *DB) UpdateSeries(ctx context.Context, s content.Series, ev cms.AuditEvent) error {
	return db.InTx(ctx, func(tx *DB) error {
		err := tx.q(ctx).Exec(`UPDATE series SET name = ?, kind = ?, description = ?, about = ?, parent_id = ?,
  approvals_required = ?, updated_at = ? WHERE id = ?`,
			s.Name, s.Kind, s.Description, s.About, s.ParentID, max(s.ApprovalsRequired, 1), s.UpdatedAt, s.ID).Error
		if err != nil {
			return wrap(err)
		}
		err = tx.q(ctx).Exec(`UPDATE series SET requires_credit = ? WHERE id = ?`, s.RequiresCredit, s.ID).Error
		if err != nil {
			return wrap(err)
		}
		return tx.AddAudit(ctx, ev)
	})
}

// FindSeries returns the series with this slug.
func (db *DB) FindSeries(ctx context.Context, slug string) (content.Series, error) {
	var row seriesRow
	res := db.q(ctx).Raw(seriesSelect+" WHERE s.slug = ?", slug).Scan(&row)
	if res.Error != nil {
		return content.Series{}, wrap(res.Error)
	}
	if res.RowsAffected == 0 {
		return content.Series{}, cms.NotFound("series")
	}
	return row.series(), nil
}

// FindAllSeries lists every series by name.
func (db *DB) FindAllSeries(ctx context.Context) ([]content.Series, error) {
	var rows []seriesRow
	if err := db.q(ctx).Raw(seriesSelect + " ORDER BY s.name, s.slug").Scan(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]content.Series, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.series())
	}
	return out, nil
}
