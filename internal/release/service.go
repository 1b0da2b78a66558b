package release

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// MaxItems bounds a release: a launch is a handful of pieces, and every
// item is read and checked in the publishing transaction.
const MaxItems = 100

// NewRelease creates a release.
type NewRelease struct {
	Name      string   `json:"name"`
	Documents []string `json:"documents"`
}

// Create adds a release of the documents named. An item that is not
// approved yet is accepted and shown as blocking: a release is often put
// together while its pieces are still in review.
func (s *Service) Create(ctx context.Context, actor cms.Actor, in NewRelease) (Release, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return Release{}, cms.Invalid("name", "is required and at most 200 characters")
	}
	docs, err := s.newItems(ctx, "documents", nil, in.Documents)
	if err != nil {
		return Release{}, err
	}
	if err := s.can(actor, "manage", docs); err != nil {
		return Release{}, err
	}
	now := s.now()
	r := Release{ID: cms.NewID(), Name: name, State: Open, Version: 1, CreatedBy: actor.UserID, CreatedAt: now,
		UpdatedAt: now, Documents: idsOf(docs)}
	if err := s.store.CreateRelease(ctx, r, s.audit(actor, "release.create", r.ID)); err != nil {
		return Release{}, err
	}
	return s.withItems(ctx, r, docs)
}

// newItems checks ids as items to add to a release that has have: each
// an existing document, none twice. field names the input in a refusal.
func (s *Service) newItems(ctx context.Context, field string, have, ids []string) ([]content.Document, error) {
	if len(have)+len(ids) > MaxItems {
		return nil, cms.Invalid(field, "a release holds at most 100 documents")
	}
	seen := map[string]bool{}
	for _, id := range have {
		seen[id] = true
	}
	var docs []content.Document
	for _, id := range ids {
		if seen[id] {
			return nil, cms.Invalid(field, "document "+id+" is in the release already")
		}
		seen[id] = true
		d, err := s.store.FindDocument(ctx, id)
		if cms.IsCode(err, cms.CodeNotFound) {
			return nil, cms.Invalid(field, "no such document: "+id)
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func idsOf(docs []content.Document) []string {
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids
}

func (s *Service) audit(actor cms.Actor, action, id string) cms.AuditEvent {
	return cms.AuditEvent{ActorID: actor.UserID, Action: action, ObjectType: "release", ObjectID: id}
}

// documents reads the items of r.
func (s *Service) documents(ctx context.Context, r Release) ([]content.Document, error) {
	docs := make([]content.Document, 0, len(r.Documents))
	for _, id := range r.Documents {
		d, err := s.store.FindDocument(ctx, id)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// withItems fills in r's items and their readiness: at the scheduled time
// for a scheduled release, now otherwise.
func (s *Service) withItems(ctx context.Context, r Release, docs []content.Document) (Release, error) {
	at := s.now()
	if r.ScheduledFor != nil && r.ScheduledFor.After(at) {
		at = *r.ScheduledFor
	}
	r.Items = make([]Item, 0, len(docs))
	for _, d := range docs {
		rd, err := s.content.Readiness(ctx, d, at)
		if err != nil {
			return Release{}, err
		}
		blockers := rd.Blockers
		if blockers == nil {
			blockers = []cms.Blocker{}
		}
		r.Items = append(r.Items, Item{DocumentID: d.ID, Title: d.Title, Series: d.Series, State: d.State,
			Live: rd.Live, Ready: rd.Ready(), Blockers: blockers})
	}
	return r, nil
}

// Release returns one release with its items' readiness.
func (s *Service) Release(ctx context.Context, actor cms.Actor, id string) (Release, error) {
	r, docs, err := s.load(ctx, actor, id, "manage")
	if err != nil {
		return Release{}, err
	}
	return s.withItems(ctx, r, docs)
}

// load reads a release and its documents and checks act on it. One the
// actor may not act on is not found, as documents they may not read are.
func (s *Service) load(ctx context.Context, actor cms.Actor, id, act string) (Release, []content.Document, error) {
	r, err := s.store.FindRelease(ctx, id)
	if err != nil {
		return Release{}, nil, err
	}
	docs, err := s.documents(ctx, r)
	if err != nil {
		return Release{}, nil, err
	}
	if err := s.can(actor, "manage", docs); err != nil {
		return Release{}, nil, cms.NotFound("release")
	}
	if act != "manage" {
		if err := s.can(actor, act, docs); err != nil {
			return Release{}, nil, err
		}
	}
	return r, docs, nil
}

// List returns the releases the actor may manage, newest first, without
// their items' readiness.
func (s *Service) List(ctx context.Context, actor cms.Actor) ([]Release, error) {
	if err := s.authz.CanSomewhere(actor, "manage", object); err != nil {
		return nil, err
	}
	all, err := s.store.FindReleases(ctx)
	if err != nil {
		return nil, err
	}
	out := []Release{}
	for _, r := range all {
		docs, err := s.documents(ctx, r)
		if err != nil {
			return nil, err
		}
		if s.can(actor, "manage", docs) != nil {
			continue
		}
		r.Items = []Item{}
		for _, d := range docs {
			r.Items = append(r.Items, Item{DocumentID: d.ID, Title: d.Title, Series: d.Series, State: d.State, Blockers: []cms.Blocker{}})
		}
		out = append(out, r)
	}
	return out, nil
}

// Scheduled lists, as calendar entries, the scheduled releases the actor
// may manage that go live in [from, to); none for someone who manages no
// release.
func (s *Service) Scheduled(ctx context.Context, actor cms.Actor, from, to time.Time) ([]content.CalendarEntry, error) {
	if s.authz.CanSomewhere(actor, "manage", object) != nil {
		return nil, nil
	}
	all, err := s.List(ctx, actor)
	if err != nil {
		return nil, err
	}
	var out []content.CalendarEntry
	for _, r := range all {
		if r.State == Scheduled && r.ScheduledFor != nil && !r.ScheduledFor.Before(from) && r.ScheduledFor.Before(to) {
			out = append(out, content.CalendarEntry{Kind: content.EntryRelease, At: r.ScheduledFor.UTC(), ID: r.ID, Title: r.Name})
		}
	}
	return out, nil
}

// writable loads a release for a change: not published, at version.
func (s *Service) writable(ctx context.Context, actor cms.Actor, id string, version *int, act string) (Release, []content.Document, error) {
	r, docs, err := s.load(ctx, actor, id, act)
	if err != nil {
		return Release{}, nil, err
	}
	if err := checkVersion(r, version); err != nil {
		return Release{}, nil, err
	}
	if r.State == Published {
		return Release{}, nil, cms.Errorf(cms.CodeConflict, "the release is published and cannot change")
	}
	return r, docs, nil
}

// AddItem adds a document to a release that is not published.
func (s *Service) AddItem(ctx context.Context, actor cms.Actor, id, document string, version *int) (Release, error) {
	r, docs, err := s.writable(ctx, actor, id, version, "manage")
	if err != nil {
		return Release{}, err
	}
	added, err := s.newItems(ctx, "document", r.Documents, []string{document})
	if err != nil {
		return Release{}, err
	}
	docs = append(docs, added...)
	if err := s.can(actor, "manage", docs); err != nil {
		return Release{}, err
	}
	return s.save(ctx, actor, r, docs, "release.add_item")
}

// RemoveItem takes a document out of a release that is not published.
func (s *Service) RemoveItem(ctx context.Context, actor cms.Actor, id, document string, version *int) (Release, error) {
	r, docs, err := s.writable(ctx, actor, id, version, "manage")
	if err != nil {
		return Release{}, err
	}
	i := slices.IndexFunc(docs, func(d content.Document) bool { return d.ID == document })
	if i < 0 {
		return Release{}, cms.NotFound("release item")
	}
	return s.save(ctx, actor, r, slices.Delete(docs, i, i+1), "release.remove_item")
}

// save writes r with docs as its items, one version on.
func (s *Service) save(ctx context.Context, actor cms.Actor, r Release, docs []content.Document, action string) (Release, error) {
	prev := r.Version
	r.Documents, r.Version, r.UpdatedAt = idsOf(docs), r.Version+1, s.now()
	r.PublishBlockers = nil // UpdateRelease clears them: any change is looked at afresh
	if err := s.store.UpdateRelease(ctx, r, prev, s.audit(actor, action, r.ID)); err != nil {
		return Release{}, err
	}
	return s.withItems(ctx, r, docs)
}

// Delete removes a release that is not published; its documents stay as
// they are.
func (s *Service) Delete(ctx context.Context, actor cms.Actor, id string, version int) error {
	r, _, err := s.writable(ctx, actor, id, &version, "manage")
	if err != nil {
		return err
	}
	return s.store.DeleteRelease(ctx, r.ID, r.Version, s.audit(actor, "release.delete", r.ID))
}
