package content

import (
	"context"
	"fmt"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// PlanRequest sets or clears an embargo or an expiry: At is an RFC 3339
// time, or null to clear it.
type PlanRequest struct {
	At *cms.Time `json:"at"`
}

// SetEmbargo holds a document back until at (nil lifts the embargo).
// It is planning, not content: no new revision, and an approval stays.
// A document that is live, even with a new revision in the works, cannot
// be embargoed: what was out cannot be un-leaked (409). A scheduled
// document keeps its schedule only if it is at or after the embargo.
func (s *Service) SetEmbargo(ctx context.Context, actor cms.Actor, id string, version int, at *time.Time) (Document, error) {
	live := func(d Document) error {
		if at != nil && d.LiveRevision != nil {
			return cms.Errorf(cms.CodeConflict, "the document is live: an embargo cannot take back what is out; unpublish it first")
		}
		return nil
	}
	d, err := s.plannable(ctx, actor, id, version, "embargo", live)
	if err != nil {
		return Document{}, err
	}
	at = utcOrNil(at)
	if at != nil {
		if err := s.checkFuture("at", *at); err != nil {
			return Document{}, err
		}
		if d.ScheduledFor != nil && d.ScheduledFor.Before(*at) {
			return Document{}, cms.Blocked([]cms.Blocker{embargoBlocker(d, *at)})
		}
	}
	after := d
	after.EmbargoUntil = at
	return s.savePlan(ctx, actor, d, after, "embargo")
}

// SetExpiry has the clock take a published or scheduled document down at
// at (nil keeps it up). Publishers decide it, as they decide what goes
// live.
func (s *Service) SetExpiry(ctx context.Context, actor cms.Actor, id string, version int, at *time.Time) (Document, error) {
	goesDown := func(d Document) error {
		if at != nil && d.LiveRevision == nil && d.State != workflow.Scheduled {
			return cms.Errorf(cms.CodeConflict, "only a published or scheduled document can expire")
		}
		return nil
	}
	d, err := s.plannable(ctx, actor, id, version, "expire", goesDown)
	if err != nil {
		return Document{}, err
	}
	at = utcOrNil(at)
	if at != nil {
		if err := s.checkFuture("at", *at); err != nil {
			return Document{}, err
		}
		if d.ScheduledFor != nil && !at.After(*d.ScheduledFor) {
			return Document{}, cms.Invalid("at", "must be after the scheduled time")
		}
	}
	after := d
	after.ExpiresAt = at
	return s.savePlan(ctx, actor, d, after, "expiry")
}

// plannable loads a document for a planning change by actor: visible
// (404), current (412), in a state that allows it (409, before the role,
// as for transitions, so the refusal does not depend on who asks), and the
// actor may do act on it (403).
func (s *Service) plannable(ctx context.Context, actor cms.Actor, id string, version int, act string, state func(Document) error) (Document, error) {
	d, err := s.visibleDocument(ctx, actor, id)
	if err != nil {
		return Document{}, err
	}
	if err := checkVersion(d, version); err != nil {
		return Document{}, err
	}
	if err := state(d); err != nil {
		return Document{}, err
	}
	if err := s.authz.Can(actor, act, documentObject(d)); err != nil {
		return Document{}, err
	}
	return d, nil
}

// checkFuture refuses a planned time in the past or too far ahead.
func (s *Service) checkFuture(field string, at time.Time) error {
	now := s.now()
	if !at.After(now) {
		return cms.Invalid(field, "must be a time in the future (RFC 3339)")
	}
	if at.After(now.AddDate(MaxScheduleYears, 0, 0)) {
		return cms.Invalid(field, fmt.Sprintf("must be at most %d years ahead", MaxScheduleYears))
	}
	return nil
}

// utcOrNil normalizes a planned time to what both databases keep: UTC,
// to the microsecond (PostgreSQL's precision), so that the answer to a
// write is what a read returns.
func utcOrNil(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// savePlan stores a planning change (action "embargo" or "expiry"; the
// clock's own withdrawal is the "expire" transition): a new version (it is a write, and
// If-Match guards it), the same state and revisions, a workflow event in
// the document's history and an audit event.
func (s *Service) savePlan(ctx context.Context, actor cms.Actor, before, after Document, action string) (Document, error) {
	now := s.now()
	after.Version, after.UpdatedAt = before.Version+1, now
	based := before.Version
	ev := Event{DocumentID: after.ID, Action: action, From: before.State, To: after.State, ActorID: actor.UserID,
		Revision: after.HeadRevision, Note: planNote(action, after), BasedOnVersion: &based, CreatedAt: now}
	audit := cms.AuditEvent{ActorID: actor.UserID, Action: "document." + action, ObjectType: "document", ObjectID: after.ID,
		Detail: planDetail(action, after)}
	err := s.changeTx(ctx, func(tx Store) (Change, error) {
		if err := tx.UpdateDocument(ctx, after, before.Version); err != nil {
			return Change{}, err
		}
		if err := tx.AddAudit(ctx, audit); err != nil {
			return Change{}, err
		}
		c := Change{Before: &before, After: &after, Event: ev}
		return c, s.record(ctx, tx, c, nil)
	})
	return after, err
}

// planDetail is what the audit event of a planning change keeps.
func planDetail(action string, d Document) map[string]any {
	if action == "assign" {
		return map[string]any{"title": d.Title, "assignee": d.Assignee, "due_at": d.DueAt}
	}
	return map[string]any{"title": d.Title, "embargo_until": d.EmbargoUntil, "expires_at": d.ExpiresAt}
}

// planNote says in the history what a planning change set.
func planNote(action string, d Document) string {
	if action == "assign" {
		return assignNote(d)
	}
	t, what := d.EmbargoUntil, "embargoed until "
	if action == "expiry" {
		t, what = d.ExpiresAt, "expires at "
	}
	if t == nil {
		return "no longer " + map[string]string{"embargo": "embargoed", "expiry": "expiring"}[action]
	}
	return what + t.Format(time.RFC3339)
}

// assignNote says in the history who a document waits for, and by when.
func assignNote(d Document) string {
	note := "assigned to nobody"
	if d.Assignee != nil {
		note = "assigned to " + d.AssigneeName
	}
	if d.DueAt != nil {
		note += ", due " + d.DueAt.Format(time.RFC3339)
	}
	return note
}

// reasonEmbargoed is the blocker of a document held back by its embargo.
const reasonEmbargoed = "embargoed"

// embargoBlocker names the instant a document is held back until.
func embargoBlocker(d Document, until time.Time) cms.Blocker {
	return cms.Blocker{DocumentID: d.ID, Title: d.Title, Reason: reasonEmbargoed,
		Message: "it is embargoed until " + until.UTC().Format(time.RFC3339)}
}

// ExpireDue takes down every live document whose expiry has come, as the
// system. As in PublishDue, each is a conditional update on the version,
// so with several instances each document is unpublished exactly once.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	ids, err := s.store.FindExpiredDocuments(ctx, s.now())
	if err != nil {
		return 0, err
	}
	expired := 0
	for _, id := range ids {
		d, err := s.store.FindDocument(ctx, id)
		if err != nil {
			continue // deleted meanwhile
		}
		if d.LiveRevision == nil || d.ExpiresAt == nil || d.ExpiresAt.After(s.now()) {
			continue // unpublished or changed meanwhile
		}
		_, err = s.transition(ctx, cms.System, d, workflow.Expire, TransitionRequest{}, nil)
		switch {
		case err == nil:
			expired++
		case cms.IsCode(err, cms.CodePreconditionFailed), cms.IsCode(err, cms.CodeConflict):
			// another instance got there first
		default:
			return expired, err
		}
	}
	return expired, nil
}
