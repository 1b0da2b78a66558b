package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

type subscriberRow struct {
	ID             string
	Email          string
	SeriesID       string
	Status         string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ConfirmedAt    *time.Time
	UnsubscribedAt *time.Time
	ConsentBasis   string
	ConsentAt      *time.Time
	LastMailedAt   *time.Time
	SeriesSlug     string `gorm:"->"`
	SeriesName     string `gorm:"->"`
}

func (subscriberRow) TableName() string { return "subscribers" }

func (r subscriberRow) subscriber() newsletter.Subscriber {
	return newsletter.Subscriber{ID: r.ID, Email: r.Email, SeriesID: r.SeriesID, Series: r.SeriesSlug, SeriesName: r.SeriesName,
		Status: r.Status, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ConfirmedAt: r.ConfirmedAt, UnsubscribedAt: r.UnsubscribedAt,
		ConsentBasis: r.ConsentBasis, ConsentAt: r.ConsentAt, LastMailedAt: r.LastMailedAt}
}

const subscriberSelect = "SELECT sub.*, s.slug AS series_slug, s.name AS series_name FROM subscribers sub JOIN series s ON s.id = sub.series_id"

func (db *DB) findSubscriber(ctx context.Context, where string, args ...any) (newsletter.Subscriber, error) {
	var row subscriberRow
	res := db.q(ctx).Raw(subscriberSelect+" WHERE "+where, args...).Scan(&row)
	if res.Error != nil {
		return newsletter.Subscriber{}, wrap(res.Error)
	}
	if res.RowsAffected == 0 {
		return newsletter.Subscriber{}, cms.NotFound("subscription")
	}
	return row.subscriber(), nil
}

// FindSubscriber returns the subscription of an address to a series.
func (db *DB) FindSubscriber(ctx context.Context, email, seriesID string) (newsletter.Subscriber, error) {
	return db.findSubscriber(ctx, "sub.email = ? AND sub.series_id = ?", email, seriesID)
}

// FindSubscriberByID returns one subscription.
func (db *DB) FindSubscriberByID(ctx context.Context, id string) (newsletter.Subscriber, error) {
	return db.findSubscriber(ctx, "sub.id = ?", id)
}

// SaveSubscriber upserts a subscription and queues m with it.
func (db *DB) SaveSubscriber(ctx context.Context, s newsletter.Subscriber, m *newsletter.Mail) error {
	row := subscriberRow{ID: s.ID, Email: s.Email, SeriesID: s.SeriesID, Status: s.Status, CreatedAt: s.CreatedAt,
		UpdatedAt: s.UpdatedAt, ConfirmedAt: s.ConfirmedAt, UnsubscribedAt: s.UnsubscribedAt,
		ConsentBasis: s.ConsentBasis, ConsentAt: s.ConsentAt, LastMailedAt: s.LastMailedAt}
	return db.InTx(ctx, func(tx *DB) error {
		if err := tx.q(ctx).Omit("SeriesSlug", "SeriesName").Save(&row).Error; err != nil {
			return wrap(err)
		}
		if m == nil {
			return nil
		}
		return tx.QueueMail(ctx, *m)
	})
}

// QueueMail puts m in the outbox, due now.
func (db *DB) QueueMail(ctx context.Context, m newsletter.Mail) error {
	now := time.Now().UTC()
	return wrap(db.q(ctx).Exec("INSERT INTO mail_outbox (id, to_addr, subject, body, html, from_name, from_addr, reply_to, "+
		"list_unsubscribe, unsubscribe_mailto, list_id, list_name, auto_submitted, next_attempt_at, created_at) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", m.ID, m.To, m.Subject, m.Body, m.HTML, m.FromName, m.FromAddress, m.ReplyTo,
		m.ListUnsubscribe, m.UnsubscribeMailto, m.ListID, m.ListName, m.AutoSubmitted, now, now).Error)
}

// FindDeliveredBody reads a live document's delivered JSON.
func (db *DB) FindDeliveredBody(ctx context.Context, documentID string) ([]byte, error) {
	var rows []string
	if err := db.q(ctx).Raw("SELECT body FROM delivered_documents WHERE document_id = ?", documentID).Scan(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	if len(rows) == 0 {
		return nil, cms.NotFound("live document")
	}
	return []byte(rows[0]), nil
}

type mailRow struct {
	ID              string
	ToAddr          string
	Subject         string
	Body            string
	HTML            string `gorm:"column:html"`
	FromName        string
	FromAddr        string
	ReplyTo         string
	ListUnsubscribe string
	// UnsubscribeMailto is the mailto: URI of List-Unsubscribe.
	UnsubscribeMailto string
	ListID            string
	ListName          string
	AutoSubmitted     bool
	Attempts          int
	NextAttemptAt     time.Time
}

func (mailRow) TableName() string { return "mail_outbox" }

// ClaimMail leases due mail with a conditional update per message, so
// that of several workers one sends each.
func (db *DB) ClaimMail(ctx context.Context, now, leaseUntil time.Time, limit int) ([]newsletter.Mail, error) {
	var rows []mailRow
	err := db.q(ctx).Where("sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?", now).
		Order("next_attempt_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrap(err)
	}
	var out []newsletter.Mail
	for _, r := range rows {
		res := db.q(ctx).Exec("UPDATE mail_outbox SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ? AND sent_at IS NULL",
			leaseUntil, r.ID, r.NextAttemptAt)
		if res.Error != nil {
			return nil, wrap(res.Error)
		}
		if res.RowsAffected == 1 {
			out = append(out, newsletter.Mail{ID: r.ID, To: r.ToAddr, Subject: r.Subject, Body: r.Body, HTML: r.HTML,
				FromName: r.FromName, FromAddress: r.FromAddr, ReplyTo: r.ReplyTo,
				ListUnsubscribe: r.ListUnsubscribe, UnsubscribeMailto: r.UnsubscribeMailto, ListID: r.ListID, ListName: r.ListName, AutoSubmitted: r.AutoSubmitted,
				Attempts: r.Attempts})
		}
	}
	return out, nil
}

// FinishMail records the outcome of a send.
func (db *DB) FinishMail(ctx context.Context, id string, sent, failed bool, attempts int, lastError string, next time.Time) error {
	set := map[string]any{"attempts": attempts, "last_error": lastError, "next_attempt_at": next}
	now := time.Now().UTC()
	if sent {
		set["sent_at"] = now
	}
	if failed {
		set["failed_at"] = now
	}
	return wrap(db.q(ctx).Table("mail_outbox").Where("id = ?", id).Updates(set).Error)
}

var _ newsletter.Store = (*DB)(nil)
