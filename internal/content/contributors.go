package content

import (
	"context"
	"strings"
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
	if err := applyContributor(&c, in); err != nil {
		return Contributor{}, err
	}
	c.UpdatedAt = s.now()
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "contributor.update", ObjectType: "contributor", ObjectID: c.ID}
	if err := s.store.UpdateContributor(ctx, c, ev); err != nil {
		return Contributor{}, err
	}
	return c, s.catalogChanged(ctx, "", c.Slug)
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
