package store

import (
	"context"
	"time"
)

// CountHit counts one hit for key in fixed windows of the given length,
// starting a new window when the last one ended, and returns the new count
// and when the window ends. It is one statement, so concurrent hits, on
// every instance, all count. The sign-in and sign-up throttles share it;
// their keys start with "login:" and "signup:".
//
// Starting a window also deletes every key whose window has ended: they
// count for nothing any more, and without it the table would keep a row
// for every client address that ever tried.
func (db *DB) CountHit(ctx context.Context, key string, now time.Time, window time.Duration) (int, time.Time, error) {
	now = now.UTC()
	var row struct {
		Hits      int
		WindowEnd time.Time
	}
	err := db.q(ctx).Raw(`
INSERT INTO rate_windows (key, hits, window_end) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
  hits = CASE WHEN rate_windows.window_end <= ? THEN 1 ELSE rate_windows.hits + 1 END,
  window_end = CASE WHEN rate_windows.window_end <= ? THEN excluded.window_end ELSE rate_windows.window_end END
RETURNING hits, window_end`, key, now.Add(window), now, now).Scan(&row).Error
	if err != nil {
		return 0, time.Time{}, wrap(err)
	}
	if row.Hits == 1 {
		if err := db.q(ctx).Exec("DELETE FROM rate_windows WHERE window_end <= ?", now).Error; err != nil {
			return 0, time.Time{}, wrap(err)
		}
	}
	return row.Hits, row.WindowEnd, nil
}

// ForgiveHit takes back one hit of key (a good sign-in from a shared
// address should not count against its neighbours).
func (db *DB) ForgiveHit(ctx context.Context, key string) error {
	return wrap(db.q(ctx).Exec("UPDATE rate_windows SET hits = hits - 1 WHERE key = ? AND hits > 0", key).Error)
}

// ClearHits forgets the hits of key (after a good sign-in).
func (db *DB) ClearHits(ctx context.Context, key string) error {
	return wrap(db.q(ctx).Exec("DELETE FROM rate_windows WHERE key = ?", key).Error)
}
