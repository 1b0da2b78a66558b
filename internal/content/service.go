package content

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Service is the content use cases.
type Service struct {
	store      Store
	authz      Authorizer
	hooks      []Hook
	now        func() time.Time
	heroExists func(ctx context.Context, id string) error
	// findActiveUser returns an active user's name (not found otherwise).
	findActiveUser func(ctx context.Context, id string) (string, error)
	onTakeOver     func(ctx context.Context, d Document, holderID string, by cms.Actor) error

	heroAttribution  func(ctx context.Context, tx Store, id string) (Attribution, error)
	imagesWithoutAlt func(markdown string) int
	reserved         reserved // series slugs a route takes
}

// Deps are what a Service calls beyond its store and enforcer.
type Deps struct {
	// Hooks run inside every document transaction, in order.
	Hooks []Hook
	// HeroExists checks a hero reference: not found refuses it. Media
	// assets live in package media, which content does not import; nil
	// accepts any reference.
	HeroExists func(ctx context.Context, id string) error
	// HeroAttribution reads a hero's alt text and licence in the
	// publishing transaction tx, for the publish gates; nil skips them.
	HeroAttribution func(ctx context.Context, tx Store, id string) (Attribution, error)
	// ImagesWithoutAlt counts the images of a Markdown text that have no
	// alt text: package render parses Markdown, and it imports content,
	// not the other way round. nil skips the gate.
	ImagesWithoutAlt func(markdown string) int
	// ActiveUser returns the name of an active user and not found for
	// anyone else: assignees are users, whom package auth keeps. nil
	// refuses every assignee.
	ActiveUser func(ctx context.Context, id string) (string, error)
	// TakenOver tells holderID that by took over their edit lock of d;
	// nil tells no one.
	TakenOver func(ctx context.Context, d Document, holderID string, by cms.Actor) error
}

// NewService returns a Service, complete: its hooks are fixed here. A
// hook that must call back into content (published checks who may read
// a document) is built before it on a Reader, which needs only the store
// and the enforcer.
func NewService(store Store, az Authorizer, deps Deps) *Service {
	s := &Service{store: store, authz: az, hooks: deps.Hooks, heroExists: deps.HeroExists, now: now,
		heroAttribution: deps.HeroAttribution, imagesWithoutAlt: deps.ImagesWithoutAlt, findActiveUser: deps.ActiveUser, onTakeOver: deps.TakenOver}
	s.ReserveSlugs(reservedSlugs...)
	return s
}

// Reader finds the documents an actor may read, as Service.Document does.
type Reader struct {
	store interface {
		FindDocument(ctx context.Context, id string) (Document, error)
	}
	authz Authorizer
}

// NewReader returns a Reader on store and az.
func NewReader(store Store, az Authorizer) Reader { return Reader{store: store, authz: az} }

// Document returns one document the actor may see; one they may not is
// not found.
func (r Reader) Document(ctx context.Context, actor cms.Actor, id string) (Document, error) {
	d, err := r.store.FindDocument(ctx, id)
	if err != nil {
		return Document{}, err
	}
	if !r.authz.Allowed(actor, "read", documentObject(d)) {
		return Document{}, cms.NotFound("document")
	}
	return d, nil
}

// now is the content clock, in microseconds: what PostgreSQL keeps, so a
// time reads back as it was written and a document rendered again later
// (after a rename) shows the same published_at on every backend.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// changeTx runs fn in a document transaction and, once it committed, tells
// the hooks that want to know.
func (s *Service) changeTx(ctx context.Context, fn func(tx Store) (Change, error)) error {
	return s.changesTx(ctx, func(tx Store) ([]Change, error) {
		c, err := fn(tx)
		return []Change{c}, err
	})
}

// changesTx is changeTx for several documents changed together (a
// release): the committers hear of each change, and only once all of them
// committed.
func (s *Service) changesTx(ctx context.Context, fn func(tx Store) ([]Change, error)) error {
	var cs []Change
	err := s.store.DocumentTx(ctx, func(tx Store) error {
		var err error
		cs, err = fn(tx)
		return err
	})
	if err != nil {
		return err
	}
	for _, h := range s.hooks {
		if cm, ok := h.(Committer); ok {
			for _, c := range cs {
				cm.Committed(c)
			}
		}
	}
	return nil
}

// catalogChanged tells the watchers, after the change committed. A watcher
// failing does not undo the change; it is logged by the caller.
func (s *Service) catalogChanged(ctx context.Context, series, contributor string) error {
	for _, h := range s.hooks {
		w, ok := h.(CatalogWatcher)
		if !ok {
			continue
		}
		var err error
		if series != "" {
			err = w.SeriesChanged(ctx, series)
		} else {
			err = w.ContributorChanged(ctx, contributor)
		}
		if err != nil {
			return fmt.Errorf("content: after the change: %w", err)
		}
	}
	return nil
}

// SetClock replaces the clock, for tests of scheduling.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

var seriesKinds = []string{"newsletter", "blog", "report"}

// SeriesInput creates or changes a series. The slug is set at creation and
// never changes: role assignments name it.
type SeriesInput struct {
	Slug        string  `json:"slug"`
	Name        *string `json:"name"`
	Kind        *string `json:"kind"`
	Description *string `json:"description"`
	About       *string `json:"about"`
	Parent      *string `json:"parent"`
	// RequiresCredit is a credit role every document of the series needs
	// before it goes live ("editor"); "" needs none.
	RequiresCredit *string `json:"requires_credit"`
	// ApprovalsRequired is 1 or 2; left out, it stays (1 for a new series).
	ApprovalsRequired *int `json:"approvals_required"`
}

// CreateSeries adds a series.
func (s *Service) CreateSeries(ctx context.Context, actor cms.Actor, in SeriesInput) (Series, error) {
	now := s.now()
	sr := Series{ID: cms.NewID(), Slug: in.Slug, ApprovalsRequired: 1, CreatedAt: now, UpdatedAt: now}
	if err := checkSlug("slug", in.Slug); err != nil {
		return Series{}, err
	}
	if s.reserved.has(in.Slug) {
		return Series{}, cms.Invalid("slug", "is taken by one of Masthead's routes (/"+in.Slug+"): a series there could not be reached")
	}
	if in.Name == nil || in.Kind == nil {
		return Series{}, cms.Invalid("name", "name and kind are required")
	}
	if err := s.applySeries(ctx, &sr, in); err != nil {
		return Series{}, err
	}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "series.create", ObjectType: "series", ObjectID: sr.ID}
	if err := s.store.CreateSeries(ctx, sr, ev); err != nil {
		if cms.IsCode(err, cms.CodeConflict) {
			return Series{}, cms.Errorf(cms.CodeConflict, "a series with slug %q exists", sr.Slug)
		}
		return Series{}, err
	}
	return sr, nil
}

// UpdateSeries changes a series' name, kind, texts, parent or the
// approvals it requires. A change of approvals required applies to the
// next approval: one already given stays, and a document approved stays
// approved.
func (s *Service) UpdateSeries(ctx context.Context, actor cms.Actor, slug string, in SeriesInput) (Series, error) {
	sr, err := s.store.FindSeries(ctx, slug)
	if err != nil {
		return Series{}, err
	}
	if in.Slug != "" && in.Slug != slug {
		return Series{}, cms.Invalid("slug", "cannot be changed")
	}
	required, credit := sr.ApprovalsRequired, sr.RequiresCredit
	if err := s.applySeries(ctx, &sr, in); err != nil {
		return Series{}, err
	}
	sr.UpdatedAt = s.now()
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "series.update", ObjectType: "series", ObjectID: sr.ID}
	if sr.RequiresCredit != credit {
		// A publish gate changed: the log says from what to what.
		ev.Detail = map[string]any{"requires_credit": sr.RequiresCredit, "was": credit}
	}
	if sr.ApprovalsRequired != required {
		// Who changed how many eyes a piece needs is worth finding again.
		if ev.Detail == nil {
			ev.Detail = map[string]any{}
		}
		ev.Detail["approvals_required"] = map[string]int{"from": required, "to": sr.ApprovalsRequired}
	}
	if err := s.store.UpdateSeries(ctx, sr, ev); err != nil {
		return Series{}, err
	}
	return sr, s.catalogChanged(ctx, sr.Slug, "")
}

func (s *Service) applySeries(ctx context.Context, sr *Series, in SeriesInput) error {
	var p cms.Problems
	applySeriesText(&p, sr, in)
	if in.Parent != nil {
		if err := s.setParent(ctx, sr, *in.Parent); err != nil {
			p.Add("parent", err.Error())
		}
	}
	return p.Err()
}

// applySeriesText applies and checks everything of in but the parent.
func applySeriesText(p *cms.Problems, sr *Series, in SeriesInput) {
	if in.Name != nil {
		sr.Name = strings.TrimSpace(*in.Name)
		if sr.Name == "" || utf8.RuneCountInString(sr.Name) > 200 {
			p.Add("name", "is required and at most 200 characters")
		}
	}
	if in.Kind != nil {
		sr.Kind = *in.Kind
		if !oneOf(sr.Kind, seriesKinds) {
			p.Add("kind", fmt.Sprintf("must be one of %v", seriesKinds))
		}
	}
	setText(p, "description", &sr.Description, in.Description, 2000)
	setText(p, "about", &sr.About, in.About, 5000)
	if in.RequiresCredit != nil {
		role := strings.TrimSpace(*in.RequiresCredit)
		if role != "" && (!slugRE.MatchString(role) || len(role) > 40) {
			p.Add("requires_credit", "must be empty or a credit role such as editor")
		}
		sr.RequiresCredit = role
	}
	if in.ApprovalsRequired != nil {
		sr.ApprovalsRequired = *in.ApprovalsRequired
		if sr.ApprovalsRequired != 1 && sr.ApprovalsRequired != 2 {
			p.Add("approvals_required", "must be 1 or 2")
		}
	}
}

func setText(p *cms.Problems, field string, dst *string, v *string, max int) {
	if v == nil {
		return
	}
	if utf8.RuneCountInString(*v) > max {
		p.Add(field, fmt.Sprintf("must be at most %d characters", max))
		return
	}
	*dst = *v
}

// setParent links a series under a top-level series; series nest one
// level only.
func (s *Service) setParent(ctx context.Context, sr *Series, slug string) error {
	if slug == "" {
		sr.ParentID, sr.Parent = nil, nil
		return nil
	}
	parent, err := s.store.FindSeries(ctx, slug)
	if cms.IsCode(err, cms.CodeNotFound) {
		return fmt.Errorf("no such series")
	}
	if err != nil {
		return err
	}
	if parent.ParentID != nil || parent.ID == sr.ID {
		return fmt.Errorf("series nest one level: %q cannot be a parent", slug)
	}
	all, err := s.store.FindAllSeries(ctx)
	if err != nil {
		return err
	}
	for _, other := range all {
		if other.ParentID != nil && *other.ParentID == sr.ID {
			return fmt.Errorf("%q has children of its own, so it cannot have a parent", sr.Slug)
		}
	}
	sr.ParentID, sr.Parent = &parent.ID, &parent.Slug
	return nil
}

// Series returns one series.
func (s *Service) Series(ctx context.Context, slug string) (Series, error) {
	return s.store.FindSeries(ctx, slug)
}

// AllSeries lists every series.
func (s *Service) AllSeries(ctx context.Context) ([]Series, error) {
	return s.store.FindAllSeries(ctx)
}

// ContentTypes lists every content type.
func (s *Service) ContentTypes(ctx context.Context) ([]ContentType, error) {
	return s.store.FindContentTypes(ctx)
}

// ContentType returns one content type.
func (s *Service) ContentType(ctx context.Context, name string) (ContentType, error) {
	return s.store.FindContentType(ctx, name)
}

// CreateContentType adds a content type.
func (s *Service) CreateContentType(ctx context.Context, actor cms.Actor, ct ContentType) (ContentType, error) {
	if err := ct.validate(); err != nil {
		return ContentType{}, err
	}
	now := s.now()
	ct.ID, ct.CreatedAt, ct.UpdatedAt = cms.NewID(), now, now
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "content_type.create", ObjectType: "content_type", ObjectID: ct.ID}
	if err := s.store.CreateContentType(ctx, ct, ev); err != nil {
		if cms.IsCode(err, cms.CodeConflict) {
			return ContentType{}, cms.Errorf(cms.CodeConflict, "a content type named %q exists", ct.Name)
		}
		return ContentType{}, err
	}
	return ct, nil
}
