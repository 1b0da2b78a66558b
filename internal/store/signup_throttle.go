package store

import (
	"context"
	"time"
)

// RecordSignupAttempt counts one sign-up for key in windows of the given
// length, starting a new window when the last one ended, and returns the
// new count and when the window ends. It is one statement, so concurrent
// sign-ups, on every instance, all count.
//
// Starting a window also deletes every key whose window has ended: they
// count for nothing any more, and without it the table would keep a row
// for every client address that ever signed up.
func (db *DB) RecordSignupAttempt(ctx context.Context, key string, now time.Time, window time.Duration) (int, time.Time, error) {
	now = now.UTC()
	var row struct {
		Attempts  int
		WindowEnd time.Time
	}
	err := db.q(ctx).Raw(`
INSERT INTO signup_attempts (key, attempts, window_end) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
  attempts = CASE WHEN signup_attempts.window_end <= ? THEN 1 ELSE signup_attempts.attempts + 1 END,
  window_end = CASE WHEN signup_attempts.window_end <= ? THEN excluded.window_end ELSE signup_attempts.window_end END
RETURNING attempts, window_end`, key, now.Add(window), now, now).Scan(&row).Error
	if err != nil {
		return 0, time.Time{}, wrap(err)
	}
	if row.Attempts == 1 {
		if err := db.q(ctx).Exec("DELETE FROM signup_attempts WHERE window_end <= ?", now).Error; err != nil {
			return 0, time.Time{}, wrap(err)
		}
	}
	return row.Attempts, row.WindowEnd, nil
}
