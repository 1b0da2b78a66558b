package content

import (
	"context"
	"fmt"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// Readiness is where one document stands for a publish at a given time:
// already live in its approved revision (nothing to do), or what blocks
// it; ready when neither.
type Readiness struct {
	Live     bool          `json:"live"`
	Blockers []cms.Blocker `json:"blockers"`
}

// Ready reports whether publishing would make the document live.
func (r Readiness) Ready() bool { return !r.Live && len(r.Blockers) == 0 }

// Readiness says whether d could go live at at, as a release publishing it
// then would find it: the state check and every publish blocker.
func (s *Service) Readiness(ctx context.Context, d Document, at time.Time) (Readiness, error) {
	return s.readiness(ctx, s.store, d, at)
}

// readiness reads through tx, the publishing transaction when there is
// one. A document live in its current, approved revision counts as done,
// not as blocking: it was published on its own (its schedule fired first),
// and publishing it again would change nothing.
func (s *Service) readiness(ctx context.Context, tx Store, d Document, at time.Time) (Readiness, error) {
	if d.State == workflow.Published && d.LiveRevision != nil && *d.LiveRevision == d.HeadRevision {
		return Readiness{Live: true}, nil
	}
	blockers, err := s.publishBlockers(ctx, tx, d, at)
	if err != nil {
		return Readiness{}, err
	}
	if d.State != workflow.Approved && d.State != workflow.Scheduled && len(blockers) == 0 {
		blockers = append(blockers, cms.Blocker{DocumentID: d.ID, Title: d.Title, Reason: "state",
			Message: fmt.Sprintf("it is %s", d.State)})
	}
	return Readiness{Blockers: blockers}, nil
}

// PublishTogether publishes the documents ids in one transaction: every
// one goes live in its approved revision, or none does and the error is
// cms.Blocked with the blockers of every item. Each document's change runs
// every hook (delivery, search, the webhook outbox) as a single publish
// does. A document already live in its approved revision is left as it
// is. action is workflow.Publish (by hand) or workflow.Clock (a schedule
// firing); note goes into each document's event. Whether actor may
// publish these documents is the caller's decision (a release checks its
// own permission in each series); within, when not nil, runs last in the
// same transaction with the documents as they are now, so that the
// caller's own record commits or rolls back with them.
func (s *Service) PublishTogether(ctx context.Context, actor cms.Actor, ids []string, action workflow.Action, note string,
	within func(ctx context.Context, tx Store, docs []Document) error) ([]Document, error) {
	if action != workflow.Publish && action != workflow.Clock {
		return nil, fmt.Errorf("content: publish together by %q", action)
	}
	var docs []Document
	err := s.changesTx(ctx, func(tx Store) ([]Change, error) {
		now := s.now()
		var changes []Change
		// The gates (an embargo) are checked against the database's clock,
		// the one every instance shares, as a single publish is.
		at, err := liveAt(ctx, tx, nil)
		if err != nil {
			return nil, err
		}
		docs, changes, err = s.publishAll(ctx, tx, actor, ids, action, note, now, at)
		if err != nil || within == nil {
			return changes, err
		}
		return changes, within(ctx, tx, docs)
	})
	if err != nil {
		return nil, err
	}
	return docs, nil
}

// publishAll reads every document in tx, refuses them all if any one is
// blocked, and then publishes each: a conditional update on its version,
// its event and its hooks.
func (s *Service) publishAll(ctx context.Context, tx Store, actor cms.Actor, ids []string, action workflow.Action,
	note string, now, at time.Time) ([]Document, []Change, error) {
	if err := tx.LockDocuments(ctx, ids); err != nil {
		return nil, nil, err
	}
	var all, pending []Document
	var blockers []cms.Blocker
	for _, id := range ids {
		d, err := tx.FindDocument(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		r, err := s.readiness(ctx, tx, d, at)
		if err != nil {
			return nil, nil, err
		}
		blockers = append(blockers, r.Blockers...)
		if !r.Live {
			pending = append(pending, d)
		}
		all = append(all, d)
	}
	if len(blockers) > 0 {
		return nil, nil, cms.Blocked(blockers)
	}
	var changes []Change
	for _, d := range pending {
		after := d
		after.State, after.Version, after.UpdatedAt = workflow.Published, d.Version+1, now
		publish(&after, now)
		if err := tx.UpdateDocument(ctx, after, d.Version); err != nil {
			return nil, nil, err
		}
		ev := Event{DocumentID: d.ID, Action: string(action), From: d.State, To: workflow.Published, ActorID: actor.UserID,
			Revision: d.HeadRevision, Note: note, CreatedAt: now}
		c := Change{Before: &d, After: &after, Event: ev}
		if err := s.record(ctx, tx, c, nil); err != nil {
			return nil, nil, err
		}
		changes = append(changes, c)
		for i := range all {
			if all[i].ID == d.ID {
				all[i] = after
			}
		}
	}
	return all, changes, nil
}
