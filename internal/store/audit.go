package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/audit"
	"github.com/masthead-cms/masthead/internal/cms"
)

type auditRow struct {
	ID         int64 `gorm:"primaryKey"`
	ActorID    string
	Action     string
	ObjectType string
	ObjectID   string
	Detail     string
	CreatedAt  time.Time
}

func (auditRow) TableName() string { return "audit_events" }

// AddAudit appends an audit event.
func (db *DB) AddAudit(ctx context.Context, ev cms.AuditEvent) error {
	detail, err := json.Marshal(ev.Detail)
	if err != nil {
		return wrap(err)
	}
	if ev.Detail == nil {
		detail = []byte("{}")
	}
	row := auditRow{ActorID: ev.ActorID, Action: ev.Action, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID,
		Detail: string(detail), CreatedAt: time.Now().UTC()}
	return wrap(db.q(ctx).Create(&row).Error)
}

// FindAudit lists audit events, newest first, at most limit.
func (db *DB) FindAudit(ctx context.Context, limit int) ([]cms.AuditEvent, error) {
	var rows []auditRow
	if err := db.q(ctx).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]cms.AuditEvent, 0, len(rows))
	for _, r := range rows {
		ev := cms.AuditEvent{ID: r.ID, ActorID: r.ActorID, Action: r.Action, ObjectType: r.ObjectType,
			ObjectID: r.ObjectID, CreatedAt: r.CreatedAt}
		_ = json.Unmarshal([]byte(r.Detail), &ev.Detail)
		out = append(out, ev)
	}
	return out, nil
}

// FindAuditEvents lists the audit events of f, newest first, one more
// than f.Limit so the caller knows whether another page exists.
func (db *DB) FindAuditEvents(ctx context.Context, f audit.Filter) ([]cms.AuditEvent, error) {
	q := db.q(ctx).Model(&auditRow{})
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if strings.HasSuffix(f.Action, ".") {
		q = q.Where("action LIKE ? ESCAPE '\\'", escapeLike(f.Action)+"%")
	} else if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.From != nil {
		q = q.Where("created_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("created_at < ?", *f.To)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	if f.DocumentSeries != nil {
		q = q.Where("object_type = 'document' AND object_id IN (SELECT id FROM documents WHERE series_id IN ?)", nonEmpty(f.DocumentSeries))
	}
	var rows []auditRow
	if err := q.Order("id DESC").Limit(f.Limit + 1).Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]cms.AuditEvent, 0, len(rows))
	for _, r := range rows {
		ev := cms.AuditEvent{ID: r.ID, ActorID: r.ActorID, Action: r.Action, ObjectType: r.ObjectType,
			ObjectID: r.ObjectID, CreatedAt: r.CreatedAt.UTC(), Detail: map[string]any{}}
		_ = json.Unmarshal([]byte(r.Detail), &ev.Detail)
		out = append(out, ev)
	}
	return out, nil
}
