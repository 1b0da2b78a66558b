package content

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// Why a person's eyes are not fresh for an approval (SPEC §3, four eyes):
// the problem a refused approver gets.
const (
	staleOwner    = "it is your own document; another editor must approve it"
	staleEdited   = "you changed its text since it was submitted; another editor must approve it"
	staleApproved = "you already approved this revision; another editor must give the second approval"
)

// approvalObject is d as the approve permission sees it: with everyone
// whose eyes are stale, so that the policy's fresh_eyes rule can refuse
// them.
func (s *Service) approvalObject(ctx context.Context, d Document) (authz.Object, error) {
	obj := documentObject(d)
	editors, err := s.contentEditorsSinceSubmission(ctx, d.ID)
	if err != nil {
		return obj, err
	}
	obj.Stale = map[string]string{}
	for _, u := range editors {
		obj.Stale[u] = staleEdited
	}
	for _, a := range d.Approvals {
		obj.Stale[a.UserID] = staleApproved
	}
	obj.Stale[d.OwnerID] = staleOwner
	return obj, nil
}

// contentEditorsSinceSubmission lists who changed the document's text
// (title, slug or fields) in a revision made after its last submission.
// Credits, topics, the byline and the hero are an editor's choices about
// the text, not the text, so changing them keeps one's eyes fresh.
func (s *Service) contentEditorsSinceSubmission(ctx context.Context, id string) ([]string, error) {
	events, err := s.store.FindEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	submitted := 0
	for _, e := range events {
		if e.Action == string(workflow.Submit) {
			submitted = e.Revision
		}
	}
	revs, err := s.store.FindRevisions(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := 1; i < len(revs); i++ {
		if revs[i].Number > submitted && !sameText(revs[i-1], revs[i]) {
			out = append(out, revs[i].AuthorID)
		}
	}
	return out, nil
}

// sameText reports whether two revisions have the same text; JSON
// compares field values whatever Go types hold them.
func sameText(a, b Revision) bool {
	if a.Title != b.Title || a.Slug != b.Slug {
		return false
	}
	ja, errA := json.Marshal(a.Fields)
	jb, errB := json.Marshal(b.Fields)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// approve applies actor's approval to after (d moving on): the workflow
// decides from the approvals had and needed whether it is approved yet.
func approve(d Document, after *Document, approval Approval) {
	after.Approvals = append(append([]Approval{}, d.Approvals...), approval)
	after.State = workflow.AfterApproval(len(after.Approvals), max(d.ApprovalsRequired, 1))
	if after.State == workflow.Approved {
		head := d.HeadRevision
		after.ApprovedRevision, after.ApprovedAt = &head, &approval.At
	}
}

// keepApprovals records in tx what action did to d's approvals: an
// approval is kept for the revision it covered, and a document that goes
// back to draft or is submitted anew starts counting from none.
func keepApprovals(ctx context.Context, tx Store, d Document, action workflow.Action, to workflow.State, actor cms.Actor, now time.Time) error {
	switch {
	case action == workflow.Approve:
		return tx.AddApproval(ctx, d.ID, d.HeadRevision, actor.UserID, now)
	case action == workflow.Submit || (to == workflow.Draft && len(d.Approvals) > 0):
		return tx.ClearApprovals(ctx, d.ID)
	}
	return nil
}
