package cms

import "time"

// AuditEvent records a change to the system outside the document workflow
// (users, roles, series, tokens). Audit events are only ever appended.
type AuditEvent struct {
	ID         int64          `json:"id"`
	ActorID    string         `json:"actor_id"`
	Action     string         `json:"action"`
	ObjectType string         `json:"object_type"`
	ObjectID   string         `json:"object_id"`
	Detail     map[string]any `json:"detail"`
	CreatedAt  time.Time      `json:"created_at"`
}
