package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

// FindSeriesByID returns the series with this id.
func (db *DB) FindSeriesByID(ctx context.Context, id string) (content.Series, error) {
	var row seriesRow
	res := db.q(ctx).Raw(seriesSelect+" WHERE s.id = ?", id).Scan(&row)
	if res.Error != nil {
		return content.Series{}, wrap(res.Error)
	}
	if res.RowsAffected == 0 {
		return content.Series{}, cms.NotFound("series")
	}
	return row.series(), nil
}

type settingsRow struct {
	SeriesID        string
	Enabled         bool
	FromName        string
	FromAddress     string
	ReplyTo         string
	SendOnPublish   bool
	Footer          string
	IncludeChildren bool
	UpdatedAt       time.Time
}

// FindSettings returns a series' newsletter settings, all off when none
// were saved.
func (db *DB) FindSettings(ctx context.Context, seriesID string) (newsletter.Settings, error) {
	var r settingsRow
	if err := db.q(ctx).Raw("SELECT * FROM newsletter_settings WHERE series_id = ?", seriesID).Scan(&r).Error; err != nil {
		return newsletter.Settings{}, wrap(err)
	}
	return newsletter.Settings{Enabled: r.Enabled, FromName: r.FromName, FromAddress: r.FromAddress, ReplyTo: r.ReplyTo,
		SendOnPublish: r.SendOnPublish, Footer: r.Footer, IncludeChildren: r.IncludeChildren}, nil
}

// SaveSettings upserts a series' newsletter settings with their audit
// event.
func (db *DB) SaveSettings(ctx context.Context, seriesID string, s newsletter.Settings, ev cms.AuditEvent) error {
	return db.InTx(ctx, func(tx *DB) error {
		err := tx.q(ctx).Exec(`INSERT INTO newsletter_settings (series_id, enabled, from_name, from_address, reply_to, send_on_publish, footer, include_children, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (series_id) DO UPDATE SET enabled = excluded.enabled, from_name = excluded.from_name, from_address = excluded.from_address,
  reply_to = excluded.reply_to, send_on_publish = excluded.send_on_publish, footer = excluded.footer,
  include_children = excluded.include_children, updated_at = excluded.updated_at`,
			seriesID, s.Enabled, s.FromName, s.FromAddress, s.ReplyTo, s.SendOnPublish, s.Footer, s.IncludeChildren, time.Now().UTC()).Error
		if err != nil {
			return wrap(err)
		}
		return tx.AddAudit(ctx, ev)
	})
}

// CreateSend inserts a send unless its (document, series) has one: the
// unique constraint decides, so racing publishes create one.
func (db *DB) CreateSend(ctx context.Context, s newsletter.Send) (bool, error) {
	res := db.q(ctx).Exec(`INSERT INTO edition_sends (id, document_id, series_id, status, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (document_id, series_id) DO NOTHING`, s.ID, s.DocumentID, s.SeriesID, s.Status, s.CreatedAt)
	return res.RowsAffected == 1, wrap(res.Error)
}

// DocumentLive returns a document's series id and whether it is live.
func (db *DB) DocumentLive(ctx context.Context, id string) (string, bool, error) {
	var row struct {
		SeriesID     string
		LiveRevision *int
	}
	res := db.q(ctx).Raw("SELECT series_id, live_revision FROM documents WHERE id = ?", id).Scan(&row)
	if res.Error != nil {
		return "", false, wrap(res.Error)
	}
	if res.RowsAffected == 0 {
		return "", false, cms.NotFound("document")
	}
	return row.SeriesID, row.LiveRevision != nil, nil
}

type sendRow struct {
	ID, DocumentID, SeriesID, Series, Status, Reason string
	Recipients, Sent, Failed, Bounced, Skipped       int
	CreatedAt                                        time.Time
	StartedAt, FinishedAt                            *time.Time
}

func (r sendRow) send() newsletter.Send {
	return newsletter.Send{ID: r.ID, DocumentID: r.DocumentID, SeriesID: r.SeriesID, Series: r.Series, Status: r.Status,
		Reason: r.Reason, Recipients: r.Recipients, Sent: r.Sent, Failed: r.Failed, Bounced: r.Bounced, Skipped: r.Skipped,
		CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
}

// sendSelect reads sends with their progress, counted from their rows.
const sendSelect = `SELECT e.id, e.document_id, e.series_id, s.slug AS series, e.status, e.reason, e.created_at, e.started_at, e.finished_at,
  COALESCE(c.recipients, 0) AS recipients, COALESCE(c.sent, 0) AS sent, COALESCE(c.failed, 0) AS failed,
  COALESCE(c.bounced, 0) AS bounced, COALESCE(c.skipped, 0) AS skipped
FROM edition_sends e JOIN series s ON s.id = e.series_id
LEFT JOIN (SELECT send_id, COUNT(*) AS recipients,
    SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END) AS sent, SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,
    SUM(CASE WHEN status = 'bounced' THEN 1 ELSE 0 END) AS bounced, SUM(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END) AS skipped
  FROM send_recipients GROUP BY send_id) c ON c.send_id = e.id`

// FindSend returns one send with its progress.
func (db *DB) FindSend(ctx context.Context, id string) (newsletter.Send, error) {
	var row sendRow
	res := db.q(ctx).Raw(sendSelect+" WHERE e.id = ?", id).Scan(&row)
	if res.Error != nil {
		return newsletter.Send{}, wrap(res.Error)
	}
	if res.RowsAffected == 0 {
		return newsletter.Send{}, cms.NotFound("send")
	}
	return row.send(), nil
}

// FindSends lists sends, newest first.
func (db *DB) FindSends(ctx context.Context, f newsletter.SendFilter, limit int) ([]newsletter.Send, error) {
	where, args := " WHERE 1 = 1", []any{}
	if f.DocumentID != "" {
		where, args = where+" AND e.document_id = ?", append(args, f.DocumentID)
	}
	if f.Series != "" {
		where, args = where+" AND s.slug = ?", append(args, f.Series)
	}
	if f.Status != "" {
		where, args = where+" AND e.status = ?", append(args, f.Status)
	}
	var rows []sendRow
	if err := db.q(ctx).Raw(sendSelect+where+" ORDER BY e.created_at DESC, e.id LIMIT ?", append(args, limit)...).Scan(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]newsletter.Send, len(rows))
	for i, r := range rows {
		out[i] = r.send()
	}
	return out, nil
}

type recipientRow struct {
	ID, SendID, DocumentID, SubscriberID, Email, Status, Response, MessageID string
	Attempts                                                                 int
	LeaseUntil, UpdatedAt                                                    time.Time
}

func (recipientRow) TableName() string { return "send_recipients" }

func (r recipientRow) recipient() newsletter.Recipient {
	return newsletter.Recipient{ID: r.ID, SendID: r.SendID, DocumentID: r.DocumentID, SubscriberID: r.SubscriberID,
		Email: r.Email, Status: r.Status, Attempts: r.Attempts, Response: r.Response, MessageID: r.MessageID, UpdatedAt: r.UpdatedAt}
}

func recipients(rows []recipientRow) []newsletter.Recipient {
	out := make([]newsletter.Recipient, len(rows))
	for i, r := range rows {
		out[i] = r.recipient()
	}
	return out
}

// FindRecipients pages through a send's recipients by id.
func (db *DB) FindRecipients(ctx context.Context, sendID, status, after string, limit int) ([]newsletter.Recipient, error) {
	q := db.q(ctx).Where("send_id = ? AND id > ?", sendID, after)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	var rows []recipientRow
	if err := q.Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	return recipients(rows), nil
}

var errTaken = errors.New("store: taken by another worker")

// StartSend starts the oldest queued send: it moves it to sending and
// freezes its audience (the confirmed, unsuppressed subscribers of this
// moment) in one transaction, so that a worker killed halfway leaves it
// queued. Of several workers, the conditional update lets one start it.
func (db *DB) StartSend(ctx context.Context, now time.Time) (newsletter.Send, bool, error) {
	var ids []string
	err := db.q(ctx).Raw("SELECT id FROM edition_sends WHERE status = 'queued' ORDER BY created_at, id LIMIT 5").Scan(&ids).Error
	if err != nil {
		return newsletter.Send{}, false, wrap(err)
	}
	for _, id := range ids {
		err := db.InTx(ctx, func(tx *DB) error {
			res := tx.q(ctx).Exec("UPDATE edition_sends SET status = 'sending', started_at = ? WHERE id = ? AND status = 'queued'", now, id)
			if res.Error != nil {
				return wrap(res.Error)
			}
			if res.RowsAffected == 0 {
				return errTaken
			}
			return tx.freezeAudience(ctx, id, now)
		})
		if errors.Is(err, errTaken) {
			continue
		}
		if err != nil {
			return newsletter.Send{}, false, err
		}
		s, err := db.FindSend(ctx, id)
		return s, err == nil, err
	}
	return newsletter.Send{}, false, nil
}

// freezeAudience writes a recipient row for every confirmed subscriber of
// the send's series whose address is not suppressed. An address that
// another send of the same document already has (a parent's and a
// child's list) is left out by the unique (document, email).
func (db *DB) freezeAudience(ctx context.Context, sendID string, now time.Time) error {
	var send struct{ DocumentID, SeriesID string }
	if err := db.q(ctx).Raw("SELECT document_id, series_id FROM edition_sends WHERE id = ?", sendID).Scan(&send).Error; err != nil {
		return wrap(err)
	}
	var subs []audienceRow
	err := db.q(ctx).Raw("SELECT id, email FROM subscribers WHERE series_id = ? AND status = 'confirmed' ORDER BY id", send.SeriesID).Scan(&subs).Error
	if err != nil {
		return wrap(err)
	}
	const chunk = 200
	for start := 0; start < len(subs); start += chunk {
		if err := db.addRecipients(ctx, sendID, send.DocumentID, subs[start:min(start+chunk, len(subs))], now); err != nil {
			return err
		}
	}
	return nil
}

type audienceRow struct{ ID, Email string }

// addRecipients writes the rows of one chunk of subscribers, less the
// suppressed addresses and those another send of the document has.
func (db *DB) addRecipients(ctx context.Context, sendID, documentID string, subs []audienceRow, now time.Time) error {
	hashes := make([]string, len(subs))
	for i, s := range subs {
		hashes[i] = newsletter.AddressHash(s.Email)
	}
	var suppressed []string
	if err := db.q(ctx).Raw("SELECT address_hash FROM mail_suppressions WHERE address_hash IN ?", hashes).Scan(&suppressed).Error; err != nil {
		return wrap(err)
	}
	skip := make(map[string]bool, len(suppressed))
	for _, h := range suppressed {
		skip[h] = true
	}
	values, args := []string{}, []any{}
	for i, s := range subs {
		if !skip[hashes[i]] {
			values = append(values, "(?, ?, ?, ?, ?, 'queued', ?, ?)")
			args = append(args, cms.NewID(), sendID, documentID, s.ID, s.Email, now, now)
		}
	}
	if len(values) == 0 {
		return nil
	}
	return wrap(db.q(ctx).Exec("INSERT INTO send_recipients (id, send_id, document_id, subscriber_id, email, status, lease_until, updated_at) VALUES "+
		strings.Join(values, ", ")+" ON CONFLICT (document_id, email) DO NOTHING", args...).Error)
}

// ClaimRecipients leases up to limit queued rows of sending sends whose
// lease ran out, counting an attempt for each. PostgreSQL skips the rows
// another worker is claiming (FOR UPDATE SKIP LOCKED); SQLite has one
// writer, and a conditional update per row lets one worker have each.
func (db *DB) ClaimRecipients(ctx context.Context, now, leaseUntil time.Time, limit int) ([]newsletter.Recipient, error) {
	const due = `r.status = 'queued' AND r.lease_until <= ? AND r.send_id IN (SELECT id FROM edition_sends WHERE status = 'sending')`
	var rows []recipientRow
	if db.dialect == Postgres {
		err := db.q(ctx).Raw(`UPDATE send_recipients SET lease_until = ?, attempts = attempts + 1 WHERE id IN (
  SELECT r.id FROM send_recipients r WHERE `+due+` ORDER BY r.lease_until, r.id LIMIT ? FOR UPDATE SKIP LOCKED)
RETURNING *`, leaseUntil, now, limit).Scan(&rows).Error
		return recipients(rows), wrap(err)
	}
	if err := db.q(ctx).Raw("SELECT * FROM send_recipients r WHERE "+due+" ORDER BY r.lease_until, r.id LIMIT ?", now, limit).Scan(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]newsletter.Recipient, 0, len(rows))
	for _, r := range rows {
		res := db.q(ctx).Exec("UPDATE send_recipients SET lease_until = ?, attempts = attempts + 1 WHERE id = ? AND status = 'queued' AND lease_until <= ?",
			leaseUntil, r.ID, now)
		if res.Error != nil {
			return nil, wrap(res.Error)
		}
		if res.RowsAffected == 1 {
			r.Attempts++
			out = append(out, r.recipient())
		}
	}
	return out, nil
}

// FinishRecipient records what sending to a recipient did; a row left
// queued is tried again from next.
func (db *DB) FinishRecipient(ctx context.Context, r newsletter.Recipient, next time.Time) error {
	return wrap(db.q(ctx).Exec("UPDATE send_recipients SET status = ?, response = ?, message_id = ?, lease_until = ?, updated_at = ? WHERE id = ?",
		r.Status, r.Response, r.MessageID, next, time.Now().UTC(), r.ID).Error)
}

// ReleaseRecipients hands back claimed rows that were not tried: their
// lease ends now and the claim's attempt is taken back.
func (db *DB) ReleaseRecipients(ctx context.Context, ids []string, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return wrap(db.q(ctx).Exec("UPDATE send_recipients SET lease_until = ?, attempts = attempts - 1 WHERE id IN ? AND status = 'queued'", now, ids).Error)
}

// FinishSends marks done every sending send that has no queued row left.
func (db *DB) FinishSends(ctx context.Context, now time.Time) error {
	return wrap(db.q(ctx).Exec(`UPDATE edition_sends SET status = 'done', finished_at = ? WHERE status = 'sending'
AND NOT EXISTS (SELECT 1 FROM send_recipients r WHERE r.send_id = edition_sends.id AND r.status = 'queued')`, now).Error)
}

// SetSendStatus moves a send from one of the states from to to, with a
// reason, and reports whether it was in one of them.
func (db *DB) SetSendStatus(ctx context.Context, id string, from []string, to, reason string) (bool, error) {
	res := db.q(ctx).Exec("UPDATE edition_sends SET status = ?, reason = ? WHERE id = ? AND status IN ?", to, reason, id, from)
	return res.RowsAffected == 1, wrap(res.Error)
}

// IsSuppressed reports whether an address must never be mailed.
func (db *DB) IsSuppressed(ctx context.Context, email string) (bool, error) {
	var n int64
	err := db.q(ctx).Raw("SELECT COUNT(*) FROM mail_suppressions WHERE address_hash = ?", newsletter.AddressHash(email)).Scan(&n).Error
	return n > 0, wrap(err)
}

// Suppress keeps an address, as its hash, from every list from now on.
func (db *DB) Suppress(ctx context.Context, email, reason string) error {
	return wrap(db.q(ctx).Exec("INSERT INTO mail_suppressions (address_hash, reason, created_at) VALUES (?, ?, ?) ON CONFLICT (address_hash) DO NOTHING",
		newsletter.AddressHash(email), reason, time.Now().UTC()).Error)
}

// RecordMailEvents suppresses addresses (a bounce or complaint reported by
// the mail provider) and audits each event, in one transaction.
func (db *DB) RecordMailEvents(ctx context.Context, suppress []newsletter.MailEvent, audit []cms.AuditEvent) error {
	return db.InTx(ctx, func(tx *DB) error {
		for _, ev := range suppress {
			if err := tx.Suppress(ctx, ev.Email, ev.Type); err != nil {
				return err
			}
		}
		for _, ev := range audit {
			if err := tx.AddAudit(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

var _ newsletter.SendStore = (*DB)(nil)
