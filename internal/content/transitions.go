package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// TransitionRequest asks to move a document through the workflow.
type TransitionRequest struct {
	Action string    `json:"action"`
	Note   string    `json:"note"`
	At     *cms.Time `json:"at"`
	// Reviewer, for submit, is the editor the review is assigned to.
	Reviewer string `json:"reviewer"`
}

const maxNoteLength = 10_000

// MaxScheduleYears bounds how far ahead a document may be scheduled: a
// date decades out is a typo (2062 for 2026), not a plan.
const MaxScheduleYears = 5

// Transition moves a document through the workflow of SPEC §3: the state
// table decides whether the action is possible (409), the enforcer whether
// the actor may take it (403). version, when not nil, is the version the
// request was based on (412 when stale). The state, revision pointers,
// event, comment and hooks commit in one transaction.
func (s *Service) Transition(ctx context.Context, actor cms.Actor, id string, req TransitionRequest, version *int) (Document, error) {
	action := workflow.Action(req.Action)
	if !workflow.ValidAction(action) {
		return Document{}, cms.Invalid("action", "no such action")
	}
	if utf8.RuneCountInString(req.Note) > maxNoteLength {
		return Document{}, cms.Invalid("note", "must be at most 10000 characters")
	}
	for attempt := 0; ; attempt++ {
		d, err := s.visibleDocument(ctx, actor, id)
		if err != nil {
			return Document{}, err
		}
		if version != nil {
			if err := checkVersion(d, *version); err != nil {
				return Document{}, err
			}
		}
		after, err := s.transition(ctx, actor, d, action, req, version)
		// Without If-Match, a concurrent write means "look again": the
		// retry sees the new state, so of two racing publishes one wins and
		// the other gets a conflict.
		if cms.IsCode(err, cms.CodePreconditionFailed) && version == nil && attempt < 3 {
			continue
		}
		return after, err
	}
}

func (s *Service) transition(ctx context.Context, actor cms.Actor, d Document, action workflow.Action, req TransitionRequest, named *int) (Document, error) {
	to, err := workflow.Next(d.State, action, d.LiveRevision != nil)
	if err != nil {
		return Document{}, err
	}
	if err := s.mayTransition(ctx, actor, d, action); err != nil {
		return Document{}, err
	}
	now := s.now()
	after := d
	after.State, after.Version, after.UpdatedAt = to, d.Version+1, now
	// A transition settles what the clock found: published, or taken
	// back to be fixed.
	after.PublishBlockers = nil
	var comment *Comment
	switch action {
	case workflow.Submit:
		ct, err := s.store.FindContentType(ctx, d.Type)
		if err != nil {
			return Document{}, err
		}
		if err := ct.missingRequired(d.Fields); err != nil {
			return Document{}, err
		}
		after.SubmittedAt, after.Approvals = &now, []Approval{}
	case workflow.RequestChanges:
		if strings.TrimSpace(req.Note) == "" {
			return Document{}, cms.Invalid("note", "is required when requesting changes")
		}
		comment = &Comment{ID: cms.NewID(), DocumentID: d.ID, AuthorID: actor.UserID, Body: req.Note, CreatedAt: now}
	case workflow.Approve:
		approve(d, &after, Approval{UserID: actor.UserID, Name: actor.Name, At: now})
		to = after.State
	case workflow.Schedule:
		if req.At == nil || !req.At.After(now) {
			return Document{}, cms.Invalid("at", "must be a time in the future (RFC 3339)")
		}
		if req.At.After(now.AddDate(MaxScheduleYears, 0, 0)) {
			return Document{}, cms.Invalid("at", fmt.Sprintf("must be at most %d years ahead", MaxScheduleYears))
		}
		at := req.At.UTC()
		after.ScheduledFor = &at
	case workflow.Unschedule:
		after.ScheduledFor = nil
	case workflow.Publish, workflow.Clock:
		publish(&after, now)
	case workflow.Unpublish, workflow.Expire:
		// Withdrawn is withdrawn: an expiry left behind would take down
		// the next publish unasked.
		after.LiveRevision, after.ExpiresAt = nil, nil
	}
	if to != workflow.Approved && to != workflow.Scheduled && to != workflow.Published {
		after.ApprovedRevision = nil
	}
	if err := s.keepAssignee(ctx, &after, action, strings.TrimSpace(req.Reviewer)); err != nil {
		return Document{}, err
	}
	ev := Event{DocumentID: d.ID, Action: string(action), From: d.State, To: to, ActorID: actor.UserID,
		Revision: d.HeadRevision, Note: req.Note, BasedOnVersion: named, CreatedAt: now}
	err = s.changeTx(ctx, func(tx Store) (Change, error) {
		if goesLive(action) {
			at, err := liveAt(ctx, tx, after.ScheduledFor)
			if err != nil {
				return Change{}, err
			}
			blockers, err := s.publishBlockers(ctx, tx, d, at)
			if err != nil {
				return Change{}, err
			}
			if len(blockers) > 0 {
				return Change{}, cms.Blocked(blockers)
			}
		}
		if err := tx.UpdateDocument(ctx, after, d.Version); err != nil {
			return Change{}, err
		}
		if err := keepApprovals(ctx, tx, d, action, to, actor, now); err != nil {
			return Change{}, err
		}
		if comment != nil {
			if err := tx.AddComment(ctx, *comment); err != nil {
				return Change{}, err
			}
		}
		c := Change{Before: &d, After: &after, Event: ev}
		return c, s.record(ctx, tx, c, nil)
	})
	return after, err
}

// mayTransition asks the enforcer whether actor may take action on d; an
// approval also needs fresh eyes, so its object names whose are stale.
func (s *Service) mayTransition(ctx context.Context, actor cms.Actor, d Document, action workflow.Action) error {
	obj, err := s.ActionObject(ctx, d, action)
	if err != nil {
		return err
	}
	return s.authz.Can(actor, string(action), obj)
}

// publish makes the approved revision live: exactly the one the editor
// approved, never a later edit (an edit would have voided the approval).
func publish(d *Document, now time.Time) {
	live := d.HeadRevision
	if d.ApprovedRevision != nil {
		live = *d.ApprovedRevision
	}
	d.LiveRevision = &live
	d.ScheduledFor = nil
	d.LastPublishedAt = &now
	if d.FirstPublishedAt == nil {
		d.FirstPublishedAt = &now
	}
}

// PublishDue publishes every scheduled document whose time has come, as
// the system. Each publish is a conditional update on the version, so when
// several instances run the scheduler, each document is published once:
// the others find it changed and skip it.
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	ids, err := s.store.FindDueDocuments(ctx, s.now())
	if err != nil {
		return 0, err
	}
	published := 0
	for _, id := range ids {
		d, err := s.store.FindDocument(ctx, id)
		if err != nil {
			continue // deleted meanwhile
		}
		if d.State != workflow.Scheduled || d.ScheduledFor == nil || d.ScheduledFor.After(s.now()) {
			continue // unscheduled or published meanwhile
		}
		_, err = s.transition(ctx, cms.System, d, workflow.Clock, TransitionRequest{}, nil)
		var blocked *cms.Error
		switch {
		case err == nil:
			published++
		case errors.As(err, &blocked) && len(blocked.Blockers) > 0:
			if err := s.keepBlocked(ctx, d, ClockBlockers(blocked.Blockers)); err != nil {
				return published, err
			}
		case cms.IsCode(err, cms.CodePreconditionFailed), cms.IsCode(err, cms.CodeConflict):
			// another instance got there first
		default:
			return published, err
		}
	}
	return published, nil
}

// keepBlocked leaves a scheduled document that fails a gate at its time
// scheduled, with the reasons stored for the document API and the
// dashboard, and an audit event for its publishers the first time each
// distinct set of reasons is seen. The next tick tries again, so a fix
// publishes it then.
func (s *Service) keepBlocked(ctx context.Context, d Document, blockers []cms.Blocker) error {
	if len(blockers) == 0 {
		return nil
	}
	reasons := make([]string, 0, len(blockers))
	for _, b := range blockers {
		reasons = append(reasons, b.Reason)
	}
	ev := cms.AuditEvent{ActorID: cms.System.UserID, Action: "document.publish_blocked", ObjectType: "document",
		ObjectID: d.ID, Detail: map[string]any{"reasons": reasons, "blockers": blockers, "scheduled_for": d.ScheduledFor},
		CreatedAt: s.now()}
	_, err := s.store.SetPublishBlockers(ctx, d.ID, d.Version, blockers, ev)
	return err
}

// ClockBlockers are the blockers worth storing and auditing when the clock
// could not publish: all but an embargo. A document (or a release) is
// scheduled at or after its embargo, so the clock meets one only when the
// app's clock runs ahead of the database's, and a later tick publishes it;
// that is no failure to show.
func ClockBlockers(blockers []cms.Blocker) []cms.Blocker {
	var out []cms.Blocker
	for _, b := range blockers {
		if b.Reason != reasonEmbargoed {
			out = append(out, b)
		}
	}
	return out
}

// RunScheduler calls PublishDue and ExpireDue every interval until ctx
// ends. A document embargoed past its schedule (by the database's clock)
// stays scheduled and is tried again on the next tick.
func (s *Service) RunScheduler(ctx context.Context, interval time.Duration, onError func(error)) {
	cms.Every(ctx, interval, func(ctx context.Context) {
		if _, err := s.PublishDue(ctx); err != nil && ctx.Err() == nil {
			onError(err)
		}
		if _, err := s.ExpireDue(ctx); err != nil && ctx.Err() == nil {
			onError(err)
		}
	})
}
