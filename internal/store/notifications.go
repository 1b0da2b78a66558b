package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/notify"
)

// notificationRow is a row of notifications, with the actor's name.
type notificationRow struct {
	ID          string
	RecipientID string
	Kind        string
	DocumentID  *string
	ActorID     string
	Note        string
	ReadAt      *time.Time
	CreatedAt   time.Time
	ActorName   *string `gorm:"->"`
}

func (notificationRow) TableName() string { return "notifications" }

// AddNotification stores one notification.
func (db *DB) AddNotification(ctx context.Context, n notify.Notification) error {
	row := notificationRow{ID: n.ID, RecipientID: n.RecipientID, Kind: string(n.Kind), DocumentID: n.DocumentID,
		ActorID: n.ActorID, Note: n.Note, CreatedAt: n.CreatedAt}
	return wrap(db.q(ctx).Omit("ActorName").Create(&row).Error)
}

// FindNotifications lists a person's notifications, newest first.
func (db *DB) FindNotifications(ctx context.Context, recipientID string, unreadOnly bool, c *notify.Cursor, limit int) ([]notify.Notification, error) {
	q := db.q(ctx).Table("notifications n").Select("n.*, u.name AS actor_name").
		Joins("LEFT JOIN users u ON u.id = n.actor_id").Where("n.recipient_id = ?", recipientID)
	if unreadOnly {
		q = q.Where("n.read_at IS NULL")
	}
	if c != nil {
		q = q.Where("(n.created_at < ? OR (n.created_at = ? AND n.id < ?))", c.CreatedAt, c.CreatedAt, c.ID)
	}
	var rows []notificationRow
	if err := q.Order("n.created_at DESC, n.id DESC").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]notify.Notification, 0, len(rows))
	for _, r := range rows {
		n := notify.Notification{ID: r.ID, Kind: notify.Kind(r.Kind), DocumentID: r.DocumentID, ActorID: r.ActorID,
			Note: r.Note, Read: r.ReadAt != nil, CreatedAt: r.CreatedAt.UTC(), RecipientID: r.RecipientID, ActorName: "Masthead"}
		if r.ActorName != nil {
			n.ActorName = *r.ActorName
		}
		out = append(out, n)
	}
	return out, nil
}

// MarkRead marks a person's notifications read.
func (db *DB) MarkRead(ctx context.Context, recipientID string, ids []string, all bool, at time.Time) error {
	q := db.q(ctx).Table("notifications").Where("recipient_id = ? AND read_at IS NULL", recipientID)
	if !all {
		q = q.Where("id IN ?", ids)
	}
	return wrap(q.Update("read_at", at).Error)
}

type notificationPrefRow struct {
	UserID string
	Kind   string
	Mail   bool
}

func (notificationPrefRow) TableName() string { return "notification_prefs" }

// FindMailPrefs returns the kinds a person set.
func (db *DB) FindMailPrefs(ctx context.Context, userID string) (map[notify.Kind]bool, error) {
	var rows []notificationPrefRow
	if err := db.q(ctx).Where("user_id = ?", userID).Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := map[notify.Kind]bool{}
	for _, r := range rows {
		out[notify.Kind(r.Kind)] = r.Mail
	}
	return out, nil
}

// SaveMailPrefs sets the kinds named, with the audit event, in one
// transaction.
func (db *DB) SaveMailPrefs(ctx context.Context, userID string, prefs map[notify.Kind]bool, ev cms.AuditEvent) error {
	return db.InTx(ctx, func(tx *DB) error {
		for kind, mail := range prefs {
			if err := tx.q(ctx).Where("user_id = ? AND kind = ?", userID, string(kind)).Delete(&notificationPrefRow{}).Error; err != nil {
				return wrap(err)
			}
			if err := tx.q(ctx).Create(&notificationPrefRow{UserID: userID, Kind: string(kind), Mail: mail}).Error; err != nil {
				return wrap(err)
			}
		}
		return tx.AddAudit(ctx, ev)
	})
}

// ClaimDigest inserts the person's digest row of day; false when it was
// there already (another instance sends it).
func (db *DB) ClaimDigest(ctx context.Context, userID, day string, at time.Time) (bool, error) {
	res := db.q(ctx).Exec("INSERT INTO notification_digests (user_id, day, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", userID, day, at)
	if res.Error != nil {
		return false, wrap(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// NotifyTx runs fn in one transaction.
func (db *DB) NotifyTx(ctx context.Context, fn func(tx notify.Store) error) error {
	return db.InTx(ctx, func(tx *DB) error { return fn(tx) })
}
