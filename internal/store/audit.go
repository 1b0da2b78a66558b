package store

import (
	"context"
	"encoding/json"
	"time"

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
