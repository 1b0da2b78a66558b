package store

import (
	"context"
	"time"
)

// LoginFailures returns the failures recorded for key in a window that
// started after since; an older window counts as none.
func (db *DB) LoginFailures(ctx context.Context, key string, since time.Time) (int, time.Time, error) {
	var row struct {
		Failures    int
		WindowStart time.Time
	}
	res := db.q(ctx).Table("login_failures").Where("key = ? AND window_start > ?", key, since).Limit(1).Find(&row)
	if res.Error != nil || res.RowsAffected == 0 {
		return 0, time.Time{}, wrap(res.Error)
	}
	return row.Failures, row.WindowStart, nil
}

// RecordLoginFailure counts one failure for key, starting a new window
// when the last one has expired. One statement, so concurrent failures all
// count.
func (db *DB) RecordLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration) error {
	expired := now.Add(-window)
	return wrap(db.q(ctx).Exec(`
INSERT INTO login_failures (key, failures, window_start) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
  failures = CASE WHEN login_failures.window_start <= ? THEN 1 ELSE login_failures.failures + 1 END,
  window_start = CASE WHEN login_failures.window_start <= ? THEN excluded.window_start ELSE login_failures.window_start END`,
		key, now, expired, expired).Error)
}

// ClearLoginFailures forgets the failures of key after a good login.
func (db *DB) ClearLoginFailures(ctx context.Context, key string) error {
	return wrap(db.q(ctx).Exec("DELETE FROM login_failures WHERE key = ?", key).Error)
}
