package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

type contentTypeRow struct {
	ID        string
	Name      string
	Label     string
	Fields    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (contentTypeRow) TableName() string { return "content_types" }

func (r contentTypeRow) contentType() (content.ContentType, error) {
	ct := content.ContentType{ID: r.ID, Name: r.Name, Label: r.Label, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal([]byte(r.Fields), &ct.Fields); err != nil {
		return ct, wrap(err)
	}
	return ct, nil
}

// CreateContentType inserts a content type with its audit event.
func (db *DB) CreateContentType(ctx context.Context, ct content.ContentType, ev cms.AuditEvent) error {
	fields, err := json.Marshal(ct.Fields)
	if err != nil {
		return wrap(err)
	}
	row := contentTypeRow{ID: ct.ID, Name: ct.Name, Label: ct.Label, Fields: string(fields), CreatedAt: ct.CreatedAt, UpdatedAt: ct.UpdatedAt}
	return db.InTx(ctx, func(tx *DB) error {
		if err := tx.q(ctx).Create(&row).Error; err != nil {
			return wrap(err)
		}
		return tx.AddAudit(ctx, ev)
	})
}

// FindContentType returns the content type with this name.
func (db *DB) FindContentType(ctx context.Context, name string) (content.ContentType, error) {
	var row contentTypeRow
	if err := db.q(ctx).Where("name = ?", name).Take(&row).Error; err != nil {
		return content.ContentType{}, notFound(err, "content type")
	}
	return row.contentType()
}

// FindContentTypes lists every content type by name.
func (db *DB) FindContentTypes(ctx context.Context) ([]content.ContentType, error) {
	var rows []contentTypeRow
	if err := db.q(ctx).Order("name").Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]content.ContentType, 0, len(rows))
	for _, r := range rows {
		ct, err := r.contentType()
		if err != nil {
			return nil, err
		}
		out = append(out, ct)
	}
	return out, nil
}
