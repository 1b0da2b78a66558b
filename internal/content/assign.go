package content

import (
	"context"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// actsIn is the action by which a person moves a document on from each
// state: an assignee must be allowed it, so that "waiting for you" always
// names someone who can do something about it. A review needs an editor
// with fresh eyes, so the owner cannot be assigned their own review.
var actsIn = map[workflow.State]workflow.Action{
	workflow.Draft:     "edit",
	workflow.InReview:  workflow.Approve,
	workflow.Approved:  workflow.Publish,
	workflow.Scheduled: workflow.Unschedule,
	workflow.Published: "edit",
	workflow.Archived:  workflow.Restore,
}

// stateNames say a state the way a refusal does.
var stateNames = map[workflow.State]string{
	workflow.Draft: "a draft", workflow.InReview: "in review", workflow.Approved: "approved",
	workflow.Scheduled: "scheduled", workflow.Published: "published", workflow.Archived: "archived",
}

// planned reports whether a patch sets the assignee or the due date.
func (p DocumentPatch) planned() bool { return p.Assignee != nil || p.DueAt != nil }

// edits reports whether a patch changes the editable part.
func (p DocumentPatch) edits() bool {
	return p.Title != nil || p.Slug != nil || p.Fields != nil || p.Topics != nil || p.Byline != nil || p.Hero != nil
}

// applyAssignment sets d's assignee and due date from p, for a document
// that will be in state once written. The actor must be allowed to
// assign (editors and publishers of the series); the assignee must be an
// active user whom the enforcer allows to act on the document in that
// state.
func (s *Service) applyAssignment(ctx context.Context, actor cms.Actor, d *Document, p DocumentPatch, state workflow.State) error {
	if err := s.authz.Can(actor, "assign", documentObject(*d)); err != nil {
		return err
	}
	if p.Assignee != nil {
		if err := s.setAssignee(ctx, d, strings.TrimSpace(*p.Assignee), state); err != nil {
			return err
		}
	}
	if p.DueAt != nil {
		due, err := parseDue(*p.DueAt)
		if err != nil {
			return err
		}
		d.DueAt = due
	}
	return nil
}

// setAssignee makes userID the assignee ("" clears it).
func (s *Service) setAssignee(ctx context.Context, d *Document, userID string, state workflow.State) error {
	if userID == "" {
		d.Assignee, d.AssigneeName = nil, ""
		return nil
	}
	name, err := s.activeUser(ctx, userID)
	if cms.IsCode(err, cms.CodeNotFound) {
		return cms.Invalid("assignee", "no such active user")
	} else if err != nil {
		return err
	}
	if !s.mayAct(userID, *d, state) {
		return cms.Invalid("assignee", name+" may not act on this document while it is "+stateNames[state]+
			": assign someone who may "+strings.ReplaceAll(string(actsIn[state]), "_", " ")+" it")
	}
	d.Assignee, d.AssigneeName = &userID, name
	return nil
}

// mayAct asks the enforcer whether userID may move d on in state.
func (s *Service) mayAct(userID string, d Document, state workflow.State) bool {
	obj := documentObject(d)
	obj.State = string(state)
	return s.authz.Allowed(cms.Actor{UserID: userID}, string(actsIn[state]), obj)
}

// parseDue reads a due date: RFC 3339, or "" for none.
func parseDue(raw string) (*time.Time, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return nil, cms.Invalid("due_at", "must be a time (RFC 3339), or \"\" for none")
	}
	return utcOrNil(&t), nil
}

// keepAssignee clears the assignee of a document moving to state when they
// may not act on it there (a writer's draft goes to review), and names
// the reviewer when a submission asks for one.
func (s *Service) keepAssignee(ctx context.Context, after *Document, action workflow.Action, reviewer string) error {
	if action == workflow.Submit && reviewer != "" {
		return s.setAssignee(ctx, after, reviewer, after.State)
	}
	if after.Assignee != nil && !s.mayAct(*after.Assignee, *after, after.State) {
		after.Assignee, after.AssigneeName = nil, ""
	}
	return nil
}

// assign stores a change of assignee or due date alone: planning, not
// content, so no new revision and an approval stays.
func (s *Service) assign(ctx context.Context, actor cms.Actor, id string, version int, p DocumentPatch) (Document, error) {
	d, err := s.visibleDocument(ctx, actor, id)
	if err != nil {
		return Document{}, err
	}
	if err := checkVersion(d, version); err != nil {
		return Document{}, err
	}
	after := d
	if err := s.applyAssignment(ctx, actor, &after, p, d.State); err != nil {
		return Document{}, err
	}
	if sameAssignment(d, after) {
		return d, nil
	}
	return s.savePlan(ctx, actor, d, after, "assign")
}

// sameAssignment reports whether two states of a document have the same
// assignee and due date.
func sameAssignment(a, b Document) bool {
	sameDue := (a.DueAt == nil && b.DueAt == nil) || (a.DueAt != nil && b.DueAt != nil && a.DueAt.Equal(*b.DueAt))
	sameWho := (a.Assignee == nil && b.Assignee == nil) || (a.Assignee != nil && b.Assignee != nil && *a.Assignee == *b.Assignee)
	return sameDue && sameWho
}

// activeUser returns the name of an active user, or not found.
func (s *Service) activeUser(ctx context.Context, id string) (string, error) {
	if s.findActiveUser == nil {
		return "", cms.NotFound("user")
	}
	return s.findActiveUser(ctx, id)
}
