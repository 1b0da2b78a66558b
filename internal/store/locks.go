package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/content"
)

// TakeLock gives holderID the document's lock in one statement, so that
// of two instances racing for a free lock one wins: the upsert only
// replaces a lock that is the holder's own, lapsed, or taken over.
func (db *DB) TakeLock(ctx context.Context, documentID, holderID string, now time.Time, lease time.Duration, takeOver bool) (content.Lock, bool, error) {
	err := db.q(ctx).Exec(`INSERT INTO document_locks (document_id, holder_id, since, expires_at) VALUES (?, ?, ?, ?)
ON CONFLICT (document_id) DO UPDATE SET holder_id = excluded.holder_id, expires_at = excluded.expires_at,
  since = CASE WHEN document_locks.holder_id = excluded.holder_id AND document_locks.expires_at > ? THEN document_locks.since ELSE excluded.since END
WHERE document_locks.holder_id = excluded.holder_id OR document_locks.expires_at <= ? OR ?`,
		documentID, holderID, now, now.Add(lease), now, now, takeOver).Error
	if err != nil {
		return content.Lock{}, false, wrap(err)
	}
	l, err := db.FindLock(ctx, documentID, now)
	if err != nil || l == nil {
		return content.Lock{}, false, err
	}
	return *l, l.HolderID == holderID, nil
}

// FindLock returns the document's live lock with its holder's name.
func (db *DB) FindLock(ctx context.Context, documentID string, now time.Time) (*content.Lock, error) {
	var rows []struct {
		HolderID   string
		HolderName string
		Since      time.Time
		ExpiresAt  time.Time
	}
	err := db.q(ctx).Raw(`SELECT l.holder_id, u.name AS holder_name, l.since, l.expires_at FROM document_locks l
JOIN users u ON u.id = l.holder_id WHERE l.document_id = ? AND l.expires_at > ?`, documentID, now).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, wrap(err)
	}
	r := rows[0]
	return &content.Lock{HolderID: r.HolderID, HolderName: r.HolderName, Since: r.Since.UTC(), ExpiresAt: r.ExpiresAt.UTC()}, nil
}

// ReleaseLock removes the holder's lock of the document.
func (db *DB) ReleaseLock(ctx context.Context, documentID, holderID string) error {
	return wrap(db.q(ctx).Exec("DELETE FROM document_locks WHERE document_id = ? AND holder_id = ?", documentID, holderID).Error)
}
