package admin_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

// TestSubscribersPage: admins find subscribers by a part of their
// address (any case), series and status and see their consent times; a
// bad status is a 400 that lists nobody; others are refused and have no
// menu entry.
func TestSubscribersPage(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		sr, err := env.DB.FindSeries(t.Context(), apptest.Series)
		if err != nil {
			t.Fatal(err)
		}
		signed := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		confirmed, left := signed.Add(time.Hour), signed.Add(48*time.Hour)
		for _, s := range []newsletter.Subscriber{
			{Email: "ada@example.net", Status: newsletter.Confirmed, ConfirmedAt: &confirmed},
			{Email: "ada_l@example.org", Status: newsletter.Unsubscribed, ConfirmedAt: &confirmed, UnsubscribedAt: &left},
			{Email: "grace@example.net", Status: newsletter.Pending},
		} {
			s.ID, s.SeriesID, s.CreatedAt, s.UpdatedAt = cms.NewID(), sr.ID, signed, signed
			if err := env.DB.SaveSubscriber(t.Context(), s, nil); err != nil {
				t.Fatal(err)
			}
		}
		contains(t, get(t, n.admin, "/admin", http.StatusOK), `href="/admin/subscribers"`)
		lacks(t, get(t, n.publisher, "/admin", http.StatusOK), `href="/admin/subscribers"`)
		get(t, n.publisher, "/admin/subscribers", http.StatusForbidden)

		page := get(t, n.admin, "/admin/subscribers", http.StatusOK)
		contains(t, page, "3 subscribers found.", `<label for="sub-q">`, "ada@example.net", "grace@example.net")

		page = get(t, n.admin, "/admin/subscribers?q=ADA_", http.StatusOK)
		contains(t, page, "1 subscriber found.", "ada_l@example.org", "unsubscribed", "Korea View",
			`datetime="2026-03-01T10:00:00Z"`, `datetime="2026-03-03T09:00:00Z"`)
		lacks(t, page, "ada@example.net", "grace@example.net")

		page = get(t, n.admin, "/admin/subscribers?q=ada&status=confirmed&series=korea-view", http.StatusOK)
		contains(t, page, "1 subscriber found.", "ada@example.net")
		lacks(t, page, "ada_l@example.org")

		page = get(t, n.admin, "/admin/subscribers?status=gone", http.StatusBadRequest)
		contains(t, page, `aria-describedby="sub-status-error"`, "must be pending, confirmed or unsubscribed", "No subscribers match.")
	})
}
