package content

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// goesLive reports whether action can make a revision live, now or later:
// those are the actions the publish gates guard.
func goesLive(action workflow.Action) bool {
	return action == workflow.Publish || action == workflow.Schedule || action == workflow.Clock
}

// publishBlockers lists every reason d cannot go live at at. It runs in
// the transaction that would publish d (tx), so that what it reads cannot
// change before the commit, and it lists them all at once: a publisher
// fixes everything in one go, and a release names each item that holds it
// back (cms.Blocked). at is when d would go live: the scheduled time, or
// for an immediate publish the database's clock (liveAt), never the app's.
func (s *Service) publishBlockers(ctx context.Context, tx Store, d Document, at time.Time) ([]cms.Blocker, error) {
	var out []cms.Blocker
	block := func(reason, message string) {
		out = append(out, cms.Blocker{DocumentID: d.ID, Title: d.Title, Reason: reason, Message: message})
	}
	// What goes live is the approved revision; an edit since then voids
	// the approval (workflow.AfterEdit), so it must be approved again.
	if d.ApprovedRevision == nil || *d.ApprovedRevision != d.HeadRevision {
		block("not_approved", "it is not approved in its current revision")
	}
	if b, ok := embargoed(d, at); ok {
		out = append(out, b)
	}
	if d.ExpiresAt != nil && !d.ExpiresAt.After(at) {
		block("expired", "it expires at "+d.ExpiresAt.UTC().Format(time.RFC3339)+", before it would go live")
	}
	return out, nil
}

// embargoed blocks a document whose embargo has not ended at at.
func embargoed(d Document, at time.Time) (cms.Blocker, bool) {
	if d.EmbargoUntil == nil || !at.Before(*d.EmbargoUntil) {
		return cms.Blocker{}, false
	}
	return embargoBlocker(d, *d.EmbargoUntil), true
}

// liveAt is when a document would go live: at its schedule, or now by the
// database's clock, read in the publishing transaction. The database is
// the one clock every instance shares, so a skewed app clock (or a clock a
// test set) cannot let an embargoed document out early.
func liveAt(ctx context.Context, tx Store, scheduled *time.Time) (time.Time, error) {
	if scheduled != nil {
		return *scheduled, nil
	}
	return tx.DatabaseNow(ctx)
}
