package content

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
)

// ContributorInput creates or changes a contributor.
type ContributorInput struct {
	Slug   string  `json:"slug"`
	Name   *string `json:"name"`
	Bio    *string `json:"bio"`
	UserID *string `json:"user_id"`
}

// CreateContributor adds a person who can be credited. Editors of any
// series may add contributors, who are shared by all series.
func (s *Service) CreateContributor(ctx context.Context, actor cms.Actor, in ContributorInput) (Contributor, error) {
	if err := s.authz.CanSomewhere(actor, "manage", authz.Contributors); err != nil {
		return Contributor{}, err
	}
	now := s.now()
	c := Contributor{ID: cms.NewID(), CreatedAt: now, UpdatedAt: now}
	if in.Name == nil {
		return Contributor{}, cms.Invalid("name", "is required")
	}
	if in.Slug == "" {
		in.Slug = Slugify(*in.Name)
	}
	if err := checkSlug("slug", in.Slug); err != nil {
		return Contributor{}, err
	}
	c.Slug = in.Slug
	if err := applyContributor(&c, in); err != nil {
		return Contributor{}, err
	}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "contributor.create", ObjectType: "contributor", ObjectID: c.ID}
	if err := s.store.CreateContributor(ctx, c, ev); err != nil {
		if cms.IsCode(err, cms.CodeConflict) {
			return Contributor{}, cms.Errorf(cms.CodeConflict, "a contributor with slug %q exists", c.Slug)
		}
		return Contributor{}, err
	}
	return c, nil
}

// UpdateContributor changes a contributor's name, bio or account link.
// Editors of any series may change a contributor no live document shows.
// One that live documents credit (or name in their byline) is part of
// what those series publish: changing them needs the right in every one
// of those series, and each document's history records the change, for
// delivery shows it at once.
func (s *Service) UpdateContributor(ctx context.Context, actor cms.Actor, slug string, in ContributorInput) (Contributor, error) {
	if err := s.authz.CanSomewhere(actor, "manage", authz.Contributors); err != nil {
		return Contributor{}, err
	}
	c, err := s.store.FindContributor(ctx, slug)
	if err != nil {
		return Contributor{}, err
	}
	if in.Slug != "" && in.Slug != slug {
		return Contributor{}, cms.Invalid("slug", "cannot be changed")
	}
	before := c
	if err := applyContributor(&c, in); err != nil {
		return Contributor{}, err
	}
	c.UpdatedAt = s.now()
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "contributor.update", ObjectType: "contributor", ObjectID: c.ID}
	err = s.store.DocumentTx(ctx, func(tx Store) error {
		uses, err := tx.FindLiveCrediting(ctx, c.Slug)
		if err != nil {
			return err
		}
		if err := s.mayChangeShown(actor, uses); err != nil {
			return err
		}
		if err := tx.UpdateContributor(ctx, c, ev); err != nil {
			return err
		}
		return addShownEvents(ctx, tx, actor, uses, contributorChanges(before, c), c.UpdatedAt)
	})
	if err != nil {
		return Contributor{}, err
	}
	return c, s.catalogChanged(ctx, "", c.Slug)
}

// mayChangeShown checks that the actor may manage contributors in the
// series of every live document that shows the one being changed.
func (s *Service) mayChangeShown(actor cms.Actor, uses []LiveUse) error {
	paths := make([]string, len(uses))
	for i, u := range uses {
		paths[i] = u.SeriesPath
	}
	return s.authz.CanInEach(actor, "manage", authz.Contributors, paths, "where live documents credit them")
}

// addShownEvents records a catalog change in the history of each live
// document that shows it. The document itself (its version, its
// revisions) does not change; what it delivers does.
func addShownEvents(ctx context.Context, tx Store, actor cms.Actor, uses []LiveUse, note string, at time.Time) error {
	if note == "" {
		return nil
	}
	for _, u := range uses {
		ev := Event{DocumentID: u.DocumentID, Action: EventContributorUpdate, From: u.State, To: u.State,
			ActorID: actor.UserID, Revision: u.HeadRevision, Note: note, CreatedAt: at}
		if err := tx.AddEvent(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// contributorChanges says what changed, for a document's history: the
// name before and after (the credit line shows it), and whether the bio or
// the account link changed. Empty when nothing did.
func contributorChanges(before, after Contributor) string {
	var parts []string
	if before.Name != after.Name {
		parts = append(parts, fmt.Sprintf("name %q → %q", before.Name, after.Name))
	}
	if before.Bio != after.Bio {
		parts = append(parts, "bio changed")
	}
	if ptrString(before.UserID) != ptrString(after.UserID) {
		parts = append(parts, "account link changed")
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("Contributor %s: %s.", after.Slug, strings.Join(parts, "; "))
}

func ptrString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func applyContributor(c *Contributor, in ContributorInput) error {
	var p cms.Problems
	if in.Name != nil {
		c.Name = strings.TrimSpace(*in.Name)
		if c.Name == "" || utf8.RuneCountInString(c.Name) > 200 {
			p.Add("name", "is required and at most 200 characters")
		}
	}
	setText(&p, "bio", &c.Bio, in.Bio, 5000)
	if in.UserID != nil {
		c.UserID = in.UserID
		if *in.UserID == "" {
			c.UserID = nil
		}
	}
	return p.Err()
}

// Contributors lists every contributor.
func (s *Service) Contributors(ctx context.Context) ([]Contributor, error) {
	return s.store.FindContributors(ctx)
}

// Contributor returns one contributor.
func (s *Service) Contributor(ctx context.Context, slug string) (Contributor, error) {
	return s.store.FindContributor(ctx, slug)
}
