package content

import (
	"context"
	"fmt"
	"slices"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Revisions lists a document's revisions, oldest first, each with the
// workflow steps taken on it and what it changed from the one before.
func (s *Service) Revisions(ctx context.Context, actor cms.Actor, id string) ([]Revision, error) {
	if _, err := s.visibleDocument(ctx, actor, id); err != nil {
		return nil, err
	}
	revs, err := s.store.FindRevisions(ctx, id)
	if err != nil {
		return nil, err
	}
	events, err := s.store.FindEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	steps := map[int][]string{}
	for _, e := range events {
		if e.Action != "edit" && e.Action != "create" && !slices.Contains(steps[e.Revision], e.Action) {
			steps[e.Revision] = append(steps[e.Revision], e.Action)
		}
	}
	for i := range revs {
		revs[i].Actions = steps[revs[i].Number]
		prev := Revision{Fields: map[string]any{}, Topics: []string{}, Credits: []Credit{}}
		if i > 0 {
			prev = revs[i-1]
		}
		revs[i].Changed = changeOf(prev, revs[i])
	}
	return revs, nil
}

// Revision returns one revision of a document.
func (s *Service) Revision(ctx context.Context, actor cms.Actor, id string, n int) (Revision, error) {
	if _, err := s.visibleDocument(ctx, actor, id); err != nil {
		return Revision{}, err
	}
	return s.store.FindRevision(ctx, id, n)
}

// Diff compares two revisions of a document, field by field.
func (s *Service) Diff(ctx context.Context, actor cms.Actor, id string, a, b int) (RevisionDiff, error) {
	if _, err := s.visibleDocument(ctx, actor, id); err != nil {
		return RevisionDiff{}, err
	}
	ra, err := s.store.FindRevision(ctx, id, a)
	if err != nil {
		return RevisionDiff{}, err
	}
	rb, err := s.store.FindRevision(ctx, id, b)
	if err != nil {
		return RevisionDiff{}, err
	}
	return diffRevisions(ra, rb), nil
}

// Restore makes revision n's content the new head revision. It is an edit:
// the same permissions and state rules apply.
func (s *Service) Restore(ctx context.Context, actor cms.Actor, id string, n, version int) (Document, error) {
	d, err := s.editable(ctx, actor, id, version, "edit")
	if err != nil {
		return Document{}, err
	}
	rev, err := s.store.FindRevision(ctx, id, n)
	if err != nil {
		return Document{}, err
	}
	if !s.authz.Allowed(actor, "credits", documentObject(d)) && !sameCredits(d.Credits, rev.Credits) {
		return Document{}, cms.Errorf(cms.CodeForbidden, "restoring revision %d would change the credits, which only editors may do", n)
	}
	before := d
	d.Title, d.Slug, d.Fields, d.Topics = rev.Title, rev.Slug, rev.Fields, rev.Topics
	d.Hero, d.Credits = rev.Hero, rev.Credits
	byline := ""
	if rev.Byline != nil {
		byline = *rev.Byline
	}
	if err := s.setByline(ctx, &d, byline); err != nil {
		return Document{}, cms.Invalid("byline", "the byline of revision "+fmt.Sprint(n)+" no longer exists")
	}
	return s.saveEdit(ctx, actor, before, d, edit{action: "restore", message: fmt.Sprintf("restored revision %d", n)})
}

func sameCredits(a, b []Credit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Role != b[i].Role || a[i].Contributor != b[i].Contributor {
			return false
		}
	}
	return true
}
