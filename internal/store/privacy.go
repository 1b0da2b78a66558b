package store

import (
	"context"
	"strings"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

// FindSubscribersAfter pages through subscriptions by id, of one series
// or of all ("").
func (db *DB) FindSubscribersAfter(ctx context.Context, seriesID, afterID string, limit int) ([]newsletter.Subscriber, error) {
	where, args := "sub.id > ?", []any{afterID}
	if seriesID != "" {
		where, args = where+" AND sub.series_id = ?", append(args, seriesID)
	}
	var rows []subscriberRow
	if err := db.q(ctx).Raw(subscriberSelect+" WHERE "+where+" ORDER BY sub.id LIMIT ?", append(args, limit)...).Scan(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]newsletter.Subscriber, len(rows))
	for i, r := range rows {
		out[i] = r.subscriber()
	}
	return out, nil
}

// EraseAddress erases an address in one transaction: its hash goes into
// the suppression list, its subscriptions on every list and every mail to
// it in the outbox are deleted, and the recipient rows of past sends keep
// "erased:" and the hash instead (so their counts stay true and the unique
// (document, address) holds); a row still queued is skipped.
func (db *DB) EraseAddress(ctx context.Context, email string, ev cms.AuditEvent) error {
	email = strings.ToLower(strings.TrimSpace(email))
	hash := newsletter.AddressHash(email)
	return db.InTx(ctx, func(tx *DB) error {
		if err := tx.Suppress(ctx, email, "erased"); err != nil {
			return err
		}
		for _, stmt := range []struct {
			sql  string
			args []any
		}{
			{"DELETE FROM subscribers WHERE LOWER(email) = ?", []any{email}},
			{"DELETE FROM mail_outbox WHERE LOWER(to_addr) = ?", []any{email}},
			{`UPDATE send_recipients SET email = ?, response = CASE WHEN status = 'queued' THEN 'erased' ELSE response END,
  status = CASE WHEN status = 'queued' THEN 'skipped' ELSE status END WHERE LOWER(email) = ?`, []any{"erased:" + hash, email}},
		} {
			if err := tx.q(ctx).Exec(stmt.sql, stmt.args...).Error; err != nil {
				return wrap(err)
			}
		}
		return tx.AddAudit(ctx, ev)
	})
}

// ImportSubscribers inserts the subscriptions whose address is neither
// suppressed nor on the list already; ON CONFLICT DO NOTHING keeps an
// existing one (and one that a sign-up made meanwhile) as it is.
func (db *DB) ImportSubscribers(ctx context.Context, subs []newsletter.Subscriber, audit func([]string) cms.AuditEvent) ([]string, error) {
	out := make([]string, len(subs))
	err := db.InTx(ctx, func(tx *DB) error {
		for i, s := range subs {
			o, err := tx.importSubscriber(ctx, s)
			if err != nil {
				return err
			}
			out[i] = o
		}
		return tx.AddAudit(ctx, audit(out))
	})
	return out, err
}

func (db *DB) importSubscriber(ctx context.Context, s newsletter.Subscriber) (string, error) {
	suppressed, err := db.IsSuppressed(ctx, s.Email)
	if err != nil || suppressed {
		return newsletter.ImportSuppressed, err
	}
	res := db.q(ctx).Exec(`INSERT INTO subscribers (id, email, series_id, status, created_at, updated_at, confirmed_at, consent_basis, consent_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email, series_id) DO NOTHING`,
		s.ID, s.Email, s.SeriesID, s.Status, s.CreatedAt, s.UpdatedAt, s.ConfirmedAt, s.ConsentBasis, s.ConsentAt)
	if res.Error != nil {
		return "", wrap(res.Error)
	}
	if res.RowsAffected == 0 {
		return newsletter.ImportExists, nil
	}
	return newsletter.ImportAdded, nil
}
