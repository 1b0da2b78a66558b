package release

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// Publish makes every item of the release live in one transaction, or
// none: a refusal is cms.Blocked with the blockers of each item. Items
// live in their approved revision already count as done.
func (s *Service) Publish(ctx context.Context, actor cms.Actor, id string, version *int) (Release, error) {
	for attempt := 0; ; attempt++ {
		r, docs, err := s.writable(ctx, actor, id, version, "publish")
		if err != nil {
			return Release{}, err
		}
		after, err := s.publish(ctx, actor, r, docs, workflow.Publish)
		// As for a document, a concurrent write without If-Match means
		// "look again" (a schedule of one of the items fired meanwhile).
		if cms.IsCode(err, cms.CodePreconditionFailed) && version == nil && attempt < 3 {
			continue
		}
		return after, err
	}
}

// publish publishes r's items and marks r published, all in the one
// transaction of content.PublishTogether, with release.published queued
// there too.
func (s *Service) publish(ctx context.Context, actor cms.Actor, r Release, docs []content.Document, action workflow.Action) (Release, error) {
	if len(r.Documents) == 0 {
		return Release{}, cms.Errorf(cms.CodeConflict, "the release has no documents")
	}
	now := s.now()
	after := r
	after.State, after.PublishedAt, after.ScheduledFor = Published, &now, nil
	after.Version, after.UpdatedAt, after.PublishBlockers = r.Version+1, now, nil
	ev := s.audit(actor, "release.publish", r.ID)
	live, err := s.content.PublishTogether(ctx, actor, r.Documents, action, "release: "+r.Name,
		func(ctx context.Context, tx content.Store, live []content.Document) error {
			rs, ok := tx.(Store)
			if !ok {
				return fmt.Errorf("release: the transaction's store lacks release methods")
			}
			if err := rs.UpdateRelease(ctx, after, r.Version, ev); err != nil {
				return err
			}
			if s.announcer == nil {
				return nil
			}
			return s.announcer.ReleasePublished(ctx, tx, after.ID, after.Name, live)
		})
	if err != nil {
		return Release{}, err
	}
	return s.withItems(ctx, after, live)
}

// ScheduleRequest asks to publish a release at a time.
type ScheduleRequest struct {
	At *cms.Time `json:"at"`
}

// Schedule sets the time the release goes live. Like a document's
// schedule, it is refused while an item would block at that time; an item
// that comes to block later keeps the release from firing, and shows.
func (s *Service) Schedule(ctx context.Context, actor cms.Actor, id string, req ScheduleRequest, version *int) (Release, error) {
	now := s.now()
	if req.At == nil || !req.At.After(now) {
		return Release{}, cms.Invalid("at", "must be a time in the future (RFC 3339)")
	}
	if req.At.After(now.AddDate(content.MaxScheduleYears, 0, 0)) {
		return Release{}, cms.Invalid("at", fmt.Sprintf("must be at most %d years ahead", content.MaxScheduleYears))
	}
	r, docs, err := s.writable(ctx, actor, id, version, "publish")
	if err != nil {
		return Release{}, err
	}
	if len(docs) == 0 {
		return Release{}, cms.Errorf(cms.CodeConflict, "the release has no documents")
	}
	at := req.At.UTC()
	r.ScheduledFor, r.State = &at, Scheduled
	checked, err := s.withItems(ctx, r, docs)
	if err != nil {
		return Release{}, err
	}
	var blockers []cms.Blocker
	for _, it := range checked.Items {
		blockers = append(blockers, it.Blockers...)
	}
	if len(blockers) > 0 {
		return Release{}, cms.Blocked(blockers)
	}
	return s.save(ctx, actor, r, docs, "release.schedule")
}

// Unschedule takes a scheduled release back to open.
func (s *Service) Unschedule(ctx context.Context, actor cms.Actor, id string, version *int) (Release, error) {
	r, docs, err := s.writable(ctx, actor, id, version, "publish")
	if err != nil {
		return Release{}, err
	}
	if r.State != Scheduled {
		return Release{}, cms.Errorf(cms.CodeConflict, "the release is not scheduled")
	}
	r.ScheduledFor, r.State = nil, Open
	return s.save(ctx, actor, r, docs, "release.unschedule")
}

// PublishDue publishes every scheduled release whose time has come, as
// the system. The release's version makes it fire once across instances:
// the publish is a conditional update on it, in the transaction that
// publishes the items, so an instance that lost the race rolls back
// whole. A release an item blocks stays scheduled and shows why.
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	ids, err := s.store.FindDueReleases(ctx, s.now())
	if err != nil {
		return 0, err
	}
	published := 0
	for _, id := range ids {
		ok, err := s.fire(ctx, id)
		if err != nil {
			return published, err
		}
		if ok {
			published++
		}
	}
	return published, nil
}

// fire publishes one due release, retrying when one of its documents
// changed meanwhile (its own schedule fired in the same second): the retry
// finds it live and counts it as done.
func (s *Service) fire(ctx context.Context, id string) (bool, error) {
	for attempt := 0; attempt < 3; attempt++ {
		r, err := s.store.FindRelease(ctx, id)
		if err != nil {
			return false, nil // deleted meanwhile
		}
		if r.State != Scheduled || r.ScheduledFor == nil || r.ScheduledFor.After(s.now()) {
			return false, nil // published, unscheduled or moved meanwhile
		}
		docs, err := s.documents(ctx, r)
		if err != nil {
			return false, err
		}
		_, err = s.publish(ctx, cms.System, r, docs, workflow.Clock)
		var blocked *cms.Error
		switch {
		case err == nil:
			return true, nil
		case cms.IsCode(err, cms.CodePreconditionFailed):
			continue // look again
		case errors.As(err, &blocked) && len(blocked.Blockers) > 0:
			return false, s.keepBlocked(ctx, r, content.ClockBlockers(blocked.Blockers))
		case cms.IsCode(err, cms.CodeConflict):
			return false, nil // emptied meanwhile: it stays scheduled
		default:
			return false, err
		}
	}
	return false, nil
}

// keepBlocked leaves a release that an item blocks at its time scheduled,
// with the reasons stored for its page and the API, and an audit event for
// its publishers the first time each distinct set of reasons is seen.
func (s *Service) keepBlocked(ctx context.Context, r Release, blockers []cms.Blocker) error {
	if len(blockers) == 0 {
		return nil
	}
	ev := s.audit(cms.System, "release.publish_blocked", r.ID)
	ev.Detail = map[string]any{"blockers": blockers, "scheduled_for": r.ScheduledFor}
	_, err := s.store.SetReleaseBlockers(ctx, r.ID, r.Version, blockers, ev)
	return err
}

// RunScheduler calls PublishDue every interval until ctx ends.
func (s *Service) RunScheduler(ctx context.Context, interval time.Duration, onError func(error)) {
	cms.Every(ctx, interval, func(ctx context.Context) {
		if _, err := s.PublishDue(ctx); err != nil && ctx.Err() == nil {
			onError(err)
		}
	})
}
