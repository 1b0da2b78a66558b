package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// OpsStats counts what waits in the mail outbox and since when, and
// nothing once it is sent.
func TestOpsStats(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, err := db.OpsStats(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if st.Mail.Depth != 0 || !st.Mail.Oldest.IsZero() || st.Webhooks.Depth != 0 || st.Editions.Depth != 0 || !st.DueSince.IsZero() {
			t.Fatalf("empty database: %+v", st)
		}
		queued := time.Now()
		for range 2 {
			if err := db.QueueMail(ctx, newsletter.Mail{ID: cms.NewID(), To: "r@example.org", Subject: "s", Body: "b"}); err != nil {
				t.Fatal(err)
			}
		}
		st, err = db.OpsStats(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if st.Mail.Depth != 2 {
			t.Errorf("mail depth %d, want 2", st.Mail.Depth)
		}
		if d := st.Mail.Oldest.Sub(queued); st.Mail.Oldest.IsZero() || d < -time.Minute || d > time.Minute {
			t.Errorf("oldest mail queued at %v, want about %v", st.Mail.Oldest, queued)
		}
	})
}
