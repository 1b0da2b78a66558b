package store

import (
	"context"

	"github.com/masthead-cms/masthead/internal/newsletter"
)

// SearchSubscribers lists the subscribers f selects, newest first, and
// counts them all; the address matches as a case-insensitive substring.
func (db *DB) SearchSubscribers(ctx context.Context, f newsletter.SubscriberFilter, limit, offset int) ([]newsletter.Subscriber, int, error) {
	where, args := "1 = 1", []any{}
	add := func(cond string, arg any) { where += " AND " + cond; args = append(args, arg) }
	if f.Series != "" {
		add("s.slug = ?", f.Series)
	}
	if f.Status != "" {
		add("sub.status = ?", f.Status)
	}
	if f.Email != "" {
		add("LOWER(sub.email) LIKE ? ESCAPE '\\'", "%"+escapeLike(f.Email)+"%")
	}
	var total int64
	if err := db.q(ctx).Raw("SELECT COUNT(*) FROM subscribers sub JOIN series s ON s.id = sub.series_id WHERE "+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, wrap(err)
	}
	var rows []subscriberRow
	err := db.q(ctx).Raw(subscriberSelect+" WHERE "+where+" ORDER BY sub.created_at DESC, sub.id LIMIT ? OFFSET ?",
		append(args, limit, offset)...).Scan(&rows).Error
	if err != nil {
		return nil, 0, wrap(err)
	}
	out := make([]newsletter.Subscriber, len(rows))
	for i, r := range rows {
		out[i] = r.subscriber()
	}
	return out, int(total), nil
}
