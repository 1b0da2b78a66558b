package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/auth"
)

// CreateSession stores a session row.
func (db *DB) CreateSession(ctx context.Context, s auth.Session) error {
	return wrap(db.q(ctx).Table("sessions").Create(&s).Error)
}

// FindSession returns the session with this id (the cookie's hash).
func (db *DB) FindSession(ctx context.Context, id string) (auth.Session, error) {
	var s auth.Session
	err := db.q(ctx).Table("sessions").Where("id = ?", id).Take(&s).Error
	return s, notFound(err, "session")
}

// DeleteSession removes one session; removing a missing one is no error.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return wrap(db.q(ctx).Exec("DELETE FROM sessions WHERE id = ?", id).Error)
}

// DeleteUserSessions signs a user out everywhere.
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) error {
	return wrap(db.q(ctx).Exec("DELETE FROM sessions WHERE user_id = ?", userID).Error)
}

// DeleteExpiredSessions removes sessions that ended before now.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	return wrap(db.q(ctx).Exec("DELETE FROM sessions WHERE expires_at < ?", now).Error)
}
