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
// back (cms.Blocked).
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
	return out, nil
}
