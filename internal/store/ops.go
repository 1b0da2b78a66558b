package store

import (
	"context"
	"time"
)

// Queue is the state of one outbox: how many items wait, and since when
// the oldest of them has.
type Queue struct {
	Depth  int64
	Oldest time.Time // zero when none waits
}

// OpsStats is what the metrics read from the database on each scrape.
type OpsStats struct {
	Webhooks Queue // webhook deliveries not yet delivered nor given up
	Mail     Queue // single mails (sign-up confirmations, notifications, tests)
	Editions Queue // edition mails queued for their recipients
	// DueSince is the scheduled time of the oldest document or release
	// whose time has come and that is not published yet (zero: none).
	DueSince time.Time
}

// OpsStats reads the outboxes and the scheduler's backlog with a few
// queries on their partial indexes.
func (db *DB) OpsStats(ctx context.Context, now time.Time) (OpsStats, error) {
	var st OpsStats
	queues := []struct {
		q     *Queue
		table string
		where string
		col   string
	}{
		{&st.Webhooks, "webhook_outbox", "delivered_at IS NULL AND failed_at IS NULL", "created_at"},
		{&st.Mail, "mail_outbox", "sent_at IS NULL AND failed_at IS NULL", "created_at"},
		{&st.Editions, "send_recipients", "status = 'queued'", "updated_at"},
	}
	for _, q := range queues {
		if err := db.q(ctx).Table(q.table).Where(q.where).Count(&q.q.Depth).Error; err != nil {
			return OpsStats{}, wrap(err)
		}
		if q.q.Depth == 0 {
			continue
		}
		// The oldest row's own column, not MIN(): SQLite returns an
		// aggregate of a timestamp as text.
		var oldest []time.Time
		if err := db.q(ctx).Table(q.table).Where(q.where).Order(q.col).Limit(1).Pluck(q.col, &oldest).Error; err != nil {
			return OpsStats{}, wrap(err)
		}
		if len(oldest) > 0 {
			q.q.Oldest = oldest[0]
		}
	}
	for _, table := range []string{"documents", "releases"} {
		var due []time.Time
		err := db.q(ctx).Table(table).Where("state = 'scheduled' AND scheduled_for <= ?", now).
			Order("scheduled_for").Limit(1).Pluck("scheduled_for", &due).Error
		if err != nil {
			return OpsStats{}, wrap(err)
		}
		if len(due) > 0 && (st.DueSince.IsZero() || due[0].Before(st.DueSince)) {
			st.DueSince = due[0]
		}
	}
	return st, nil
}
