package store

import (
	"context"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

type redirectRow struct {
	ID         string
	Path       string
	DocumentID string
	Source     string
	CreatedAt  time.Time
}

func (redirectRow) TableName() string { return "redirects" }

// PutRedirect keeps a redirect; one for the same path now points to r's
// document.
func (db *DB) PutRedirect(ctx context.Context, r content.Redirect) error {
	return wrap(db.q(ctx).Exec(`INSERT INTO redirects (id, path, document_id, source, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (path) DO UPDATE SET document_id = excluded.document_id, source = excluded.source
		WHERE redirects.document_id <> excluded.document_id`,
		r.ID, r.Path, r.DocumentID, r.Source, r.CreatedAt.UTC()).Error)
}

// PutRedirects keeps many redirects, a few hundred to a statement.
func (db *DB) PutRedirects(ctx context.Context, rs []content.Redirect) error {
	// One statement may not name a path twice (PostgreSQL refuses to
	// update a row twice): the last one given wins.
	last := make(map[string]int, len(rs))
	for i, r := range rs {
		last[r.Path] = i
	}
	var rows []string
	var args []any
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		err := db.q(ctx).Exec(`INSERT INTO redirects (id, path, document_id, source, created_at) VALUES `+strings.Join(rows, ", ")+`
			ON CONFLICT (path) DO UPDATE SET document_id = excluded.document_id, source = excluded.source
			WHERE redirects.document_id <> excluded.document_id`, args...).Error
		rows, args = rows[:0], args[:0]
		return wrap(err)
	}
	for i, r := range rs {
		if last[r.Path] != i {
			continue
		}
		rows = append(rows, "(?, ?, ?, ?, ?)")
		args = append(args, r.ID, r.Path, r.DocumentID, r.Source, r.CreatedAt.UTC())
		if len(rows) == 200 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// FindRedirects pages through the redirects, newest first, and counts them.
func (db *DB) FindRedirects(ctx context.Context, limit, offset int) ([]content.Redirect, int, error) {
	var total int64
	if err := db.q(ctx).Model(&redirectRow{}).Count(&total).Error; err != nil {
		return nil, 0, wrap(err)
	}
	var rows []redirectRow
	if err := db.q(ctx).Order("created_at DESC, id").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
		return nil, 0, wrap(err)
	}
	out := make([]content.Redirect, len(rows))
	for i, r := range rows {
		out[i] = content.Redirect{ID: r.ID, Path: r.Path, DocumentID: r.DocumentID, Source: r.Source, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, int(total), nil
}

// DeleteRedirect removes a redirect with its audit event.
func (db *DB) DeleteRedirect(ctx context.Context, id string, ev cms.AuditEvent) error {
	return db.InTx(ctx, func(tx *DB) error {
		res := tx.q(ctx).Where("id = ?", id).Delete(&redirectRow{})
		if res.Error != nil {
			return wrap(res.Error)
		}
		if res.RowsAffected == 0 {
			return cms.NotFound("redirect")
		}
		return tx.AddAudit(ctx, ev)
	})
}

// LiveRedirect is a redirect whose document is live, with where it is.
type liveRedirectRow struct {
	Path       string
	SeriesSlug string
	Slug       string
}

// FindRedirectTarget returns the series and slug of the live document an
// old path redirects to; not found when there is none or it is not live.
func (db *DB) FindRedirectTarget(ctx context.Context, path string) (series, slug string, err error) {
	var rows []liveRedirectRow
	err = db.q(ctx).Raw(`SELECT r.path, d.series_slug, d.slug FROM redirects r
		JOIN delivered_documents d ON d.document_id = r.document_id WHERE r.path = ?`, path).Scan(&rows).Error
	if err != nil {
		return "", "", wrap(err)
	}
	if len(rows) == 0 {
		return "", "", cms.NotFound("redirect")
	}
	return rows[0].SeriesSlug, rows[0].Slug, nil
}

// FindLiveRedirects lists every redirect to a live document: path, then
// its series and slug, in path order.
func (db *DB) FindLiveRedirects(ctx context.Context) ([][3]string, error) {
	var rows []liveRedirectRow
	err := db.q(ctx).Raw(`SELECT r.path, d.series_slug, d.slug FROM redirects r
		JOIN delivered_documents d ON d.document_id = r.document_id ORDER BY r.path`).Scan(&rows).Error
	if err != nil {
		return nil, wrap(err)
	}
	out := make([][3]string, len(rows))
	for i, r := range rows {
		out[i] = [3]string{r.Path, r.SeriesSlug, r.Slug}
	}
	return out, nil
}

// FindDeliveredPath returns where a live document is delivered now (its
// series and slug); not found when it is not live.
func (db *DB) FindDeliveredPath(ctx context.Context, documentID string) (series, slug string, err error) {
	var row deliveredRow
	err = db.q(ctx).Select("series_slug", "slug").Where("document_id = ?", documentID).Take(&row).Error
	return row.SeriesSlug, row.Slug, notFound(err, "document")
}
