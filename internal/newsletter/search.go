package newsletter

import (
	"context"
	"strings"

	"github.com/masthead-cms/masthead/internal/cms"
)

// SubscriberFilter selects subscribers for the newsroom's list page:
// Email is a part of the address, matched whatever its case.
type SubscriberFilter struct {
	Series, Status, Email string
}

// SearchSubscribers lists the subscribers that f selects, newest first,
// with how many there are in all, so that staff find one reader's
// status and consent without exporting the list.
func (s *Service) SearchSubscribers(ctx context.Context, f SubscriberFilter, limit, offset int) ([]Subscriber, int, error) {
	if f.Status != "" && f.Status != Pending && f.Status != Confirmed && f.Status != Unsubscribed {
		return nil, 0, cms.Invalid("status", "must be pending, confirmed or unsubscribed")
	}
	f.Email = strings.ToLower(strings.TrimSpace(f.Email))
	if len(f.Email) > 254 {
		return nil, 0, cms.Invalid("email", "must be at most 254 characters")
	}
	return s.store.SearchSubscribers(ctx, f, limit, offset)
}
