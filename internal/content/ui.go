package content

import (
	"context"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// DocumentObject is the authorization object of a document (its series
// path, state and owner), for callers that ask the enforcer what a person
// may do with it — the newsroom UI shows only the actions allowed.
func DocumentObject(d Document) authz.Object { return documentObject(d) }

// ActionObject is the authorization object of action on d: for an
// approval of a document in review it also names whose eyes are stale,
// so that the UI offers Approve only to those the policy lets approve,
// and can tell the others why.
func (s *Service) ActionObject(ctx context.Context, d Document, action workflow.Action) (authz.Object, error) {
	if action == workflow.Approve && d.State == workflow.InReview {
		return s.approvalObject(ctx, d)
	}
	return documentObject(d), nil
}
