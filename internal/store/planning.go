package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// DatabaseNow returns the database's clock, read in the caller's
// transaction. An embargo is compared to it rather than to the app's
// clock: several instances share one database but not one clock, and a
// skewed instance must not let a document out a second early. On
// PostgreSQL now() is the transaction's start, which is before its commit,
// so the comparison errs on the side of holding back.
func (db *DB) DatabaseNow(ctx context.Context) (time.Time, error) {
	if db.dialect == Postgres {
		var now time.Time
		err := db.q(ctx).Raw("SELECT now()").Row().Scan(&now)
		return now.UTC(), wrap(err)
	}
	var raw string
	if err := db.q(ctx).Raw("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')").Row().Scan(&raw); err != nil {
		return time.Time{}, wrap(err)
	}
	now, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: database time %q: %w", raw, err)
	}
	return now, nil
}

// FindExpiredDocuments lists the live documents whose expiry has come.
func (db *DB) FindExpiredDocuments(ctx context.Context, now time.Time) ([]string, error) {
	var ids []string
	err := db.q(ctx).Raw("SELECT id FROM documents WHERE expires_at <= ? AND live_revision IS NOT NULL ORDER BY expires_at",
		now).Scan(&ids).Error
	return ids, wrap(err)
}

// FindPlanned lists the documents of f with a schedule, an embargo end or
// an expiry in [from, to), for the calendar. f.Visible restricts them to
// what the caller may see.
func (db *DB) FindPlanned(ctx context.Context, f content.DocumentFilter, from, to time.Time) ([]content.Document, error) {
	where, args := documentWhere(f)
	query := documentSelect + " WHERE " + strings.Join(where, " AND ") + ` AND (
  (d.state = ? AND d.scheduled_for >= ? AND d.scheduled_for < ?)
  OR (d.embargo_until >= ? AND d.embargo_until < ?)
  OR (d.expires_at >= ? AND d.expires_at < ?))
ORDER BY d.id LIMIT ?`
	args = append(args, string(workflow.Scheduled), from, to, from, to, from, to, f.Limit)
	return db.findDocuments(ctx, db.q(ctx).Raw(query, args...))
}
