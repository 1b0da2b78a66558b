package store

import (
	"context"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/webhook"
)

type webhookRow struct {
	ID        string
	URL       string
	Events    string
	Secret    string
	CreatedBy string
	CreatedAt time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) webhook() webhook.Webhook {
	return webhook.Webhook{ID: r.ID, URL: r.URL, Events: strings.Fields(r.Events), Secret: r.Secret,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

// CreateWebhook stores a subscription with its audit event.
func (db *DB) CreateWebhook(ctx context.Context, w webhook.Webhook, ev cms.AuditEvent) error {
	row := webhookRow{ID: w.ID, URL: w.URL, Events: strings.Join(w.Events, " "), Secret: w.Secret,
		CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt}
	return db.InTx(ctx, func(tx *DB) error {
		if err := tx.q(ctx).Create(&row).Error; err != nil {
			return wrap(err)
		}
		return tx.AddAudit(ctx, ev)
	})
}

// FindWebhooks lists every subscription.
func (db *DB) FindWebhooks(ctx context.Context) ([]webhook.Webhook, error) {
	var rows []webhookRow
	if err := db.q(ctx).Order("created_at").Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]webhook.Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.webhook()
	}
	return out, nil
}

// FindWebhook returns one subscription.
func (db *DB) FindWebhook(ctx context.Context, id string) (webhook.Webhook, error) {
	var row webhookRow
	err := db.q(ctx).Where("id = ?", id).Take(&row).Error
	return row.webhook(), notFound(err, "webhook")
}

// DeleteWebhook removes a subscription, its queue and its log.
func (db *DB) DeleteWebhook(ctx context.Context, id string, ev cms.AuditEvent) error {
	return db.InTx(ctx, func(tx *DB) error {
		res := tx.q(ctx).Exec("DELETE FROM webhooks WHERE id = ?", id)
		if res.Error != nil {
			return wrap(res.Error)
		}
		if res.RowsAffected == 0 {
			return cms.NotFound("webhook")
		}
		return tx.AddAudit(ctx, ev)
	})
}

type attemptRow struct {
	ID         string
	OutboxID   string
	WebhookID  string
	Event      string
	Attempt    int
	StatusCode int
	Error      string
	DurationMs int64
	CreatedAt  time.Time
}

func (attemptRow) TableName() string { return "webhook_deliveries" }

// FindAttempts lists a webhook's latest delivery attempts, newest first.
func (db *DB) FindAttempts(ctx context.Context, webhookID string, limit int) ([]webhook.Attempt, error) {
	var rows []attemptRow
	if err := db.q(ctx).Where("webhook_id = ?", webhookID).Order("created_at DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]webhook.Attempt, len(rows))
	for i, r := range rows {
		out[i] = webhook.Attempt{ID: r.ID, OutboxID: r.OutboxID, WebhookID: r.WebhookID, Event: r.Event, Attempt: r.Attempt,
			StatusCode: r.StatusCode, Error: r.Error, DurationMS: r.DurationMs, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

type outboxRow struct {
	ID            string
	WebhookID     string
	Event         string
	Payload       string
	Attempts      int
	NextAttemptAt time.Time
	CreatedAt     time.Time
}

func (outboxRow) TableName() string { return "webhook_outbox" }

// Enqueue adds a message to the outbox.
func (db *DB) Enqueue(ctx context.Context, m webhook.Message) error {
	row := outboxRow{ID: m.ID, WebhookID: m.WebhookID, Event: m.Event, Payload: string(m.Payload),
		NextAttemptAt: m.NextAttemptAt, CreatedAt: m.CreatedAt}
	return wrap(db.q(ctx).Create(&row).Error)
}

// ClaimDue leases due messages with a conditional update per message: a
// worker owns a message only if its update moved next_attempt_at from the
// value it read, so two workers never both send it.
func (db *DB) ClaimDue(ctx context.Context, now, leaseUntil time.Time, limit int) ([]webhook.Message, error) {
	var rows []outboxRow
	err := db.q(ctx).Where("delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?", now).
		Order("next_attempt_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrap(err)
	}
	var out []webhook.Message
	for _, r := range rows {
		res := db.q(ctx).Exec("UPDATE webhook_outbox SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ? AND delivered_at IS NULL",
			leaseUntil, r.ID, r.NextAttemptAt)
		if res.Error != nil {
			return nil, wrap(res.Error)
		}
		if res.RowsAffected == 1 {
			out = append(out, webhook.Message{ID: r.ID, WebhookID: r.WebhookID, Event: r.Event, Payload: []byte(r.Payload),
				Attempts: r.Attempts, NextAttemptAt: leaseUntil, CreatedAt: r.CreatedAt})
		}
	}
	return out, nil
}

// Finish logs an attempt and moves the message on.
func (db *DB) Finish(ctx context.Context, a webhook.Attempt, delivered, failed bool, next time.Time) error {
	row := attemptRow{ID: a.ID, OutboxID: a.OutboxID, WebhookID: a.WebhookID, Event: a.Event, Attempt: a.Attempt,
		StatusCode: a.StatusCode, Error: a.Error, DurationMs: a.DurationMS, CreatedAt: a.CreatedAt}
	return db.InTx(ctx, func(tx *DB) error {
		if err := tx.q(ctx).Create(&row).Error; err != nil {
			return wrap(err)
		}
		set := map[string]any{"attempts": a.Attempt, "last_error": a.Error, "next_attempt_at": next}
		if delivered {
			set["delivered_at"] = a.CreatedAt
		}
		if failed {
			set["failed_at"] = a.CreatedAt
		}
		return wrap(tx.q(ctx).Table("webhook_outbox").Where("id = ?", a.OutboxID).Updates(set).Error)
	})
}

var _ webhook.Store = (*DB)(nil)
