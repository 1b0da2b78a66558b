package content

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// LockLease is how long an edit lock lasts without a heartbeat: a closed
// laptop lets go of the document within it.
const LockLease = 60 * time.Second

// Lock is who is editing a document, since when, and until when the
// lease lasts without a heartbeat. It is advisory for API clients (a
// write with a valid If-Match still lands) and mandatory in the UI.
type Lock struct {
	HolderID   string    `json:"holder_id"`
	HolderName string    `json:"holder_name"`
	Since      time.Time `json:"since"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// LockStore keeps edit locks, across instances.
type LockStore interface {
	// TakeLock gives holderID the lock of a document, renewing their own,
	// taking a lapsed one, or any when takeOver; it returns the lock as it
	// stands and whether holderID holds it.
	TakeLock(ctx context.Context, documentID, holderID string, now time.Time, lease time.Duration, takeOver bool) (Lock, bool, error)
	// FindLock returns the live lock of a document, nil when none.
	FindLock(ctx context.Context, documentID string, now time.Time) (*Lock, error)
	ReleaseLock(ctx context.Context, documentID, holderID string) error
}

// LockDocument takes or renews the actor's edit lock (the editor's
// heartbeat). Someone else's live lock is a conflict naming them, unless
// takeOver, which moves it, records an audit event and tells the holder.
func (s *Service) LockDocument(ctx context.Context, actor cms.Actor, id string, takeOver bool) (Lock, error) {
	d, err := s.visibleDocument(ctx, actor, id)
	if err != nil {
		return Lock{}, err
	}
	if _, err := workflow.AfterEdit(d.State); err != nil {
		return Lock{}, err
	}
	if err := s.authz.Can(actor, "edit", documentObject(d)); err != nil {
		return Lock{}, err
	}
	now := s.now()
	before, err := s.store.FindLock(ctx, id, now)
	if err != nil {
		return Lock{}, err
	}
	l, held, err := s.store.TakeLock(ctx, id, actor.UserID, now, LockLease, takeOver)
	if err != nil {
		return Lock{}, err
	}
	if !held {
		return Lock{}, lockedBy(l)
	}
	if before != nil && before.HolderID != actor.UserID {
		return l, s.tookOver(ctx, actor, d, *before)
	}
	return l, nil
}

// lockedBy is the conflict of a document someone else is editing.
func lockedBy(l Lock) error {
	return cms.Errorf(cms.CodeConflict, "%s is editing this document since %s; send take_over: true to take it over",
		l.HolderName, l.Since.UTC().Format("15:04 UTC"))
}

// tookOver records a take-over and tells the one who lost the lock.
func (s *Service) tookOver(ctx context.Context, actor cms.Actor, d Document, from Lock) error {
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "document.lock_take_over", ObjectType: "document", ObjectID: d.ID,
		Detail: map[string]any{"title": d.Title, "from": from.HolderID, "since": from.Since}}
	if err := s.store.AddAudit(ctx, ev); err != nil {
		return err
	}
	if s.onTakeOver == nil {
		return nil
	}
	return s.onTakeOver(ctx, d, from.HolderID, actor)
}

// UnlockDocument lets go of the actor's lock (closing the editor); one
// they do not hold stays.
func (s *Service) UnlockDocument(ctx context.Context, actor cms.Actor, id string) error {
	if _, err := s.visibleDocument(ctx, actor, id); err != nil {
		return err
	}
	return s.store.ReleaseLock(ctx, id, actor.UserID)
}

// HeldByOther returns the live lock of d when someone other than the
// actor holds it: the UI opens such a document read-only.
func (s *Service) HeldByOther(ctx context.Context, actor cms.Actor, d Document) (*Lock, error) {
	l, err := s.store.FindLock(ctx, d.ID, s.now())
	if err != nil || l == nil || l.HolderID == actor.UserID {
		return nil, err
	}
	return l, nil
}
