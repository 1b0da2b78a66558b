package store

import (
	"context"
	"time"
)

// RecordLoginAttempt counts one attempt for key, starting a new window
// when the last one expired, and returns the new count and window start.
// It is one statement, so concurrent attempts all count.
func (db *DB) RecordLoginAttempt(ctx context.Context, key string, now time.Time, window time.Duration) (int, time.Time, error) {
	expired := now.Add(-window)
	var row struct {
		Failures    int
		WindowStart time.Time
	}
	err := db.q(ctx).Raw(`
INSERT INTO login_failures (key, failures, window_start) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
  failures = CASE WHEN login_failures.window_start <= ? THEN 1 ELSE login_failures.failures + 1 END,
  window_start = CASE WHEN login_failures.window_start <= ? THEN excluded.window_start ELSE login_failures.window_start END
RETURNING failures, window_start`, key, now, expired, expired).Scan(&row).Error
	return row.Failures, row.WindowStart, wrap(err)
}

// ForgiveLoginAttempt takes back one attempt of key (a good login from a
// shared address should not count against its neighbours).
func (db *DB) ForgiveLoginAttempt(ctx context.Context, key string) error {
	return wrap(db.q(ctx).Exec("UPDATE login_failures SET failures = failures - 1 WHERE key = ? AND failures > 0", key).Error)
}

// ClearLoginFailures forgets the attempts of key after a good login.
func (db *DB) ClearLoginFailures(ctx context.Context, key string) error {
	return wrap(db.q(ctx).Exec("DELETE FROM login_failures WHERE key = ?", key).Error)
}
