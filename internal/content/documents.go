package content

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

const (
	maxTitleLength = 300
	maxTopics      = 20
	maxTopicLength = 50
)

// NewDocument is the input for creating a document.
type NewDocument struct {
	Type    string         `json:"type"`
	Series  string         `json:"series"`
	Title   string         `json:"title"`
	Slug    string         `json:"slug"`
	Fields  map[string]any `json:"fields"`
	Topics  []string       `json:"topics"`
	Byline  *string        `json:"byline"`
	Hero    *string        `json:"hero"`
	Message string         `json:"message"`
}

// DocumentPatch changes some of a document's editable part. Fields are
// merged: a field set to null is cleared, a field left out stays.
type DocumentPatch struct {
	Title   *string        `json:"title"`
	Slug    *string        `json:"slug"`
	Fields  map[string]any `json:"fields"`
	Topics  *[]string      `json:"topics"`
	Byline  *string        `json:"byline"` // "" clears: the series is the byline
	Hero    *string        `json:"hero"`   // "" clears
	Message string         `json:"message"`
	// Checkpoint starts a new revision and keeps it as it is: the next
	// autosave does not amend it.
	Checkpoint bool `json:"checkpoint"`
	Version    *int `json:"version"` // instead of If-Match
	// Assignee is a user id ("" clears); DueAt an RFC 3339 time ("" clears).
	Assignee *string `json:"assignee"`
	DueAt    *string `json:"due_at"`
}

func documentObject(d Document) authz.Object {
	return authz.Object{Kind: "document", Series: d.SeriesPath, State: string(d.State), OwnerID: d.OwnerID}
}

// CreateDocument creates a draft owned by the actor, with revision 1.
func (s *Service) CreateDocument(ctx context.Context, actor cms.Actor, in NewDocument) (Document, error) {
	series, err := s.store.FindSeries(ctx, in.Series)
	if cms.IsCode(err, cms.CodeNotFound) {
		return Document{}, cms.Invalid("series", "no such series")
	} else if err != nil {
		return Document{}, err
	}
	if err := s.authz.Can(actor, "create", authz.Object{Kind: "document", Series: series.Path()}); err != nil {
		return Document{}, err
	}
	ct, err := s.store.FindContentType(ctx, in.Type)
	if cms.IsCode(err, cms.CodeNotFound) {
		return Document{}, cms.Invalid("type", "no such content type")
	} else if err != nil {
		return Document{}, err
	}
	now := s.now()
	d := Document{
		ID: cms.NewID(), Type: ct.Name, Series: series.Slug, SeriesPath: series.Path(), BylineName: series.Name, OwnerID: actor.UserID,
		State: workflow.Draft, HeadRevision: 1, Version: 1, CreatedAt: now, UpdatedAt: now,
		Fields: map[string]any{}, Topics: []string{}, Credits: []Credit{},
		Approvals: []Approval{}, ApprovalsRequired: series.ApprovalsRequired,
	}
	patch := DocumentPatch{Title: &in.Title, Fields: in.Fields, Topics: &in.Topics, Byline: in.Byline, Hero: in.Hero}
	if in.Slug != "" {
		patch.Slug = &in.Slug
	}
	if err := s.applyPatch(ctx, &d, ct, patch); err != nil {
		return Document{}, err
	}
	d.Refresh()
	rev := d.snapshot(1, actor.UserID, in.Message, now)
	ev := Event{DocumentID: d.ID, Action: "create", To: workflow.Draft, ActorID: actor.UserID, Revision: 1, CreatedAt: now}
	err = s.changeTx(ctx, func(tx Store) (Change, error) {
		if err := tx.InsertDocument(ctx, d); err != nil {
			return Change{}, slugConflict(err, d)
		}
		c := Change{After: &d, Event: ev}
		return c, s.record(ctx, tx, c, &rev)
	})
	return d, err
}

// record writes a change's revision and event and tells the hooks, inside
// the caller's transaction.
func (s *Service) record(ctx context.Context, tx Store, c Change, rev *Revision) error {
	if rev != nil {
		if err := tx.AddRevision(ctx, *rev); err != nil {
			return err
		}
	}
	if err := tx.AddEvent(ctx, c.Event); err != nil {
		return err
	}
	return s.runHooks(ctx, tx, c)
}

func (s *Service) runHooks(ctx context.Context, tx Store, c Change) error {
	for _, h := range s.hooks {
		if err := h.DocumentChanged(ctx, tx, c); err != nil {
			return fmt.Errorf("content: hook: %w", err)
		}
	}
	return nil
}

func slugConflict(err error, d Document) error {
	if cms.IsCode(err, cms.CodeConflict) {
		return &cms.Error{Code: cms.CodeConflict, Message: fmt.Sprintf("the slug %q is taken in series %q", d.Slug, d.Series),
			Fields: []cms.FieldProblem{{Field: "slug", Message: "is taken in this series"}}}
	}
	return err
}

// applyPatch validates patch against the content type and applies it to d.
func (s *Service) applyPatch(ctx context.Context, d *Document, ct ContentType, p DocumentPatch) error {
	var probs cms.Problems
	follows := p.Slug == nil && SlugFollowsTitle(*d)
	if p.Title != nil {
		d.Title = strings.TrimSpace(*p.Title)
		checkTitle(&probs, d.Title)
	}
	switch {
	case follows && d.Title != "" && Slugify(d.Title) != "":
		d.Slug = Slugify(d.Title)
	case p.Slug != nil:
		d.Slug = *p.Slug
		if err := checkSlug("slug", d.Slug); err != nil {
			probs.Add("slug", slugRule)
		}
	case d.Slug == "":
		if d.Slug = Slugify(d.Title); d.Slug == "" && d.Title != "" {
			probs.Add("slug", "cannot be derived from the title; give one")
		}
	}
	if p.Fields != nil {
		merged := maps(d.Fields)
		for k, v := range p.Fields {
			merged[k] = v
		}
		fields, err := ct.normalizeFields(merged)
		if err != nil {
			probs = append(probs, err.(*cms.Error).Fields...)
		}
		d.Fields = fields
	}
	if p.Topics != nil {
		topics, msg := normalizeTopics(*p.Topics)
		if msg != "" {
			probs.Add("topics", msg)
		}
		d.Topics = topics
	}
	if p.Byline != nil {
		if err := s.setByline(ctx, d, *p.Byline); err != nil {
			probs.Add("byline", err.Error())
		}
	}
	if p.Hero != nil {
		if err := s.setHero(ctx, d, *p.Hero); err != nil {
			probs.Add("hero", err.Error())
		}
	}
	return probs.Err()
}

// SlugFollowsTitle reports whether d's slug still follows its title (issue
// 18): until the document is first published, as long as the slug is the
// one its title gives (or a draft's placeholder, "untitled-" and digits)
// — a person who typed another slug keeps it.
func SlugFollowsTitle(d Document) bool {
	if d.FirstPublishedAt != nil || d.LiveRevision != nil || d.ID == "" {
		return false
	}
	if d.Slug == "" || d.Slug == Slugify(d.Title) {
		return true
	}
	rest, ok := strings.CutPrefix(d.Slug, "untitled-")
	return ok && rest != "" && strings.Trim(rest, "0123456789") == ""
}

// checkTitle records a problem with a title that is empty or too long.
func checkTitle(p *cms.Problems, title string) {
	if title == "" || utf8.RuneCountInString(title) > maxTitleLength {
		p.Add("title", fmt.Sprintf("is required and at most %d characters", maxTitleLength))
	}
}

func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// setByline credits the document to a contributor, or to its series when
// slug is empty.
func (s *Service) setByline(ctx context.Context, d *Document, slug string) error {
	if slug == "" {
		series, err := s.store.FindSeries(ctx, d.Series)
		if err != nil {
			return err
		}
		d.Byline, d.BylineName = nil, series.Name
		return nil
	}
	c, err := s.store.FindContributor(ctx, slug)
	if cms.IsCode(err, cms.CodeNotFound) {
		return fmt.Errorf("no such contributor")
	} else if err != nil {
		return err
	}
	d.Byline, d.BylineName = &slug, c.Name
	return nil
}

// setHero sets the lead image to an existing media asset, or clears it.
func (s *Service) setHero(ctx context.Context, d *Document, id string) error {
	if id == "" {
		d.Hero = nil
		return nil
	}
	if s.heroExists != nil {
		if err := s.heroExists(ctx, id); cms.IsCode(err, cms.CodeNotFound) {
			return fmt.Errorf("no such media asset")
		} else if err != nil {
			return err
		}
	}
	d.Hero = &id
	return nil
}

// normalizeTopics trims, lower-cases and de-duplicates topics.
func normalizeTopics(in []string) ([]string, string) {
	out := []string{}
	for _, t := range in {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		if t == "" || slices.Contains(out, t) {
			continue
		}
		if utf8.RuneCountInString(t) > maxTopicLength {
			return out, fmt.Sprintf("each topic must be at most %d characters", maxTopicLength)
		}
		out = append(out, t)
	}
	if len(out) > maxTopics {
		return out, fmt.Sprintf("at most %d topics", maxTopics)
	}
	return out, ""
}

// visibleDocument loads a document the actor may see; one they may not see
// is not found, so that its existence does not leak.
func (s *Service) visibleDocument(ctx context.Context, actor cms.Actor, id string) (Document, error) {
	return NewReader(s.store, s.authz).Document(ctx, actor, id)
}

// Document returns one document the actor may see, with who is editing
// it.
func (s *Service) Document(ctx context.Context, actor cms.Actor, id string) (Document, error) {
	d, err := s.visibleDocument(ctx, actor, id)
	if err != nil {
		return Document{}, err
	}
	d.Lock, err = s.store.FindLock(ctx, id, s.now())
	return d, err
}

// checkVersion refuses a write based on a version that is no longer
// current.
func checkVersion(d Document, version int) error {
	if d.Version != version {
		return cms.Errorf(cms.CodePreconditionFailed, "the document changed: you edited version %d, it is now at version %d", version, d.Version)
	}
	return nil
}

// UpdateDocument applies patch as a new head revision. version is the
// version the edit was based on.
// A patch of only the assignee and due date is planning: it needs the
// right to assign, not to edit, and makes no revision.
func (s *Service) UpdateDocument(ctx context.Context, actor cms.Actor, id string, version int, p DocumentPatch) (Document, error) {
	if p.planned() && !p.edits() {
		return s.assign(ctx, actor, id, version, p)
	}
	d, err := s.editable(ctx, actor, id, version, "edit")
	if err != nil {
		return Document{}, err
	}
	ct, err := s.store.FindContentType(ctx, d.Type)
	if err != nil {
		return Document{}, err
	}
	before := d
	if err := s.applyPatch(ctx, &d, ct, p); err != nil {
		return Document{}, err
	}
	if sameContent(before, d) {
		// Nothing to keep: no revision, no version, no state change (an
		// approved document stays approved when an open editor re-sends it).
		if p.planned() {
			return s.assign(ctx, actor, id, version, p)
		}
		return before, nil
	}
	if p.planned() {
		next, _ := workflow.AfterEdit(before.State)
		if err := s.applyAssignment(ctx, actor, &d, p, next); err != nil {
			return Document{}, err
		}
	}
	e := edit{action: "edit", message: p.Message, checkpoint: p.Checkpoint, mayAmend: true}
	saved, err := s.saveEdit(ctx, actor, before, d, e)
	if p.Slug == nil && d.Slug != before.Slug && isSlugConflict(err) {
		// The slug followed the title to one taken in the series: the
		// edit keeps the slug it had rather than fail.
		d.Slug = before.Slug
		return s.saveEdit(ctx, actor, before, d, e)
	}
	return saved, err
}

func isSlugConflict(err error) bool {
	var ce *cms.Error
	return errors.As(err, &ce) && ce.Code == cms.CodeConflict && len(ce.Fields) == 1 && ce.Fields[0].Field == "slug"
}

// sameContent reports whether two states of a document would make the
// same revision. JSON compares field values whatever Go types hold them.
func sameContent(a, b Document) bool {
	ja, errA := json.Marshal(a.snapshot(0, "", "", time.Time{}))
	jb, errB := json.Marshal(b.snapshot(0, "", "", time.Time{}))
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// editable loads a document for an edit by actor: visible, current, the
// actor may do act in its state, and its state allows edits.
func (s *Service) editable(ctx context.Context, actor cms.Actor, id string, version int, act string) (Document, error) {
	d, err := s.visibleDocument(ctx, actor, id)
	if err != nil {
		return Document{}, err
	}
	if err := checkVersion(d, version); err != nil {
		return Document{}, err
	}
	if _, err := workflow.AfterEdit(d.State); err != nil {
		return Document{}, err
	}
	if err := s.authz.Can(actor, act, documentObject(d)); err != nil {
		return Document{}, err
	}
	return d, nil
}

// edit is how a change is kept: the event's action, the revision's note,
// and whether it may amend the head revision (a plain edit may; a
// restore or a credits change always starts a new one).
type edit struct {
	action, message      string
	checkpoint, mayAmend bool
}

// saveEdit stores after as the new head revision of before, moving the
// state as an edit does (approved → in_review, published → draft). An
// edit that coalesces (see amends) rewrites the head revision instead;
// the version moves on either way.
func (s *Service) saveEdit(ctx context.Context, actor cms.Actor, before, after Document, e edit) (Document, error) {
	action, message := e.action, e.message
	next, err := workflow.AfterEdit(before.State)
	if err != nil {
		return Document{}, err
	}
	now := s.now()
	var head *Revision
	if e.mayAmend && !e.checkpoint && message == "" {
		if head, err = s.amendable(ctx, actor, before, now); err != nil {
			return Document{}, err
		}
	}
	after.State = next
	after.HeadRevision = before.HeadRevision + 1
	if head != nil {
		after.HeadRevision = before.HeadRevision
	}
	after.Version = before.Version + 1
	after.UpdatedAt = now
	if next != workflow.Approved {
		after.ApprovedRevision = nil
	}
	// Approvals cover one revision: a new one starts the count again.
	after.Approvals = []Approval{}
	// An edit can move the document on (approved → in_review): a publisher
	// waited for is no longer the one to act.
	if err := s.keepAssignee(ctx, &after, "edit", ""); err != nil {
		return Document{}, err
	}
	after.Refresh()
	rev := after.snapshot(after.HeadRevision, actor.UserID, message, now)
	rev.Checkpoint = e.checkpoint
	if head != nil {
		rev.CreatedAt, rev.Writes = head.CreatedAt, head.Writes+1
	}
	based := before.Version
	ev := Event{DocumentID: after.ID, Action: action, From: before.State, To: next, ActorID: actor.UserID,
		Revision: after.HeadRevision, BasedOnVersion: &based, CreatedAt: now}
	err = s.changeTx(ctx, func(tx Store) (Change, error) {
		if err := tx.UpdateDocument(ctx, after, before.Version); err != nil {
			return Change{}, slugConflict(err, after)
		}
		c := Change{Before: &before, After: &after, Event: ev}
		if head == nil {
			return c, s.record(ctx, tx, c, &rev)
		}
		if err := tx.AmendRevision(ctx, rev); err != nil {
			return Change{}, err
		}
		return c, s.record(ctx, tx, c, nil)
	})
	return after, err
}

// coalesceWindow is how long after its first write a head revision takes
// its author's further writes.
const coalesceWindow = 10 * time.Minute

// amendable returns the head revision of d when actor's edit at now
// amends it rather than starting a new one: the actor wrote it, less
// than coalesceWindow ago, as a plain edit (no note, no checkpoint), and
// nothing happened to the document since but their own edits — no
// submission, approval, publication or restore, no one else's write.
// Otherwise it returns nil. The caller's version check keeps this true
// until its write commits: every step on a document moves its version.
func (s *Service) amendable(ctx context.Context, actor cms.Actor, d Document, now time.Time) (*Revision, error) {
	if d.LiveRevision != nil && *d.LiveRevision == d.HeadRevision ||
		d.ApprovedRevision != nil && *d.ApprovedRevision == d.HeadRevision {
		return nil, nil
	}
	last, err := s.store.FindLastEvent(ctx, d.ID)
	if cms.IsCode(err, cms.CodeNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if (last.Action != "edit" && last.Action != "create") || last.Revision != d.HeadRevision || last.ActorID != actor.UserID {
		return nil, nil
	}
	head, err := s.store.FindRevision(ctx, d.ID, d.HeadRevision)
	if err != nil {
		return nil, err
	}
	if head.AuthorID != actor.UserID || head.Message != "" || head.Checkpoint || now.Sub(head.CreatedAt) >= coalesceWindow {
		return nil, nil
	}
	return &head, nil
}

// DeleteDocument removes a document that is not live. Its revisions and
// events go with it, so the deletion itself is kept as an audit event.
func (s *Service) DeleteDocument(ctx context.Context, actor cms.Actor, id string, version int) error {
	d, err := s.visibleDocument(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := checkVersion(d, version); err != nil {
		return err
	}
	if d.LiveRevision != nil {
		return cms.Errorf(cms.CodeConflict, "the document is live; unpublish it first")
	}
	if err := s.authz.Can(actor, "delete", documentObject(d)); err != nil {
		return err
	}
	return s.changeTx(ctx, func(tx Store) (Change, error) {
		audit := cms.AuditEvent{ActorID: actor.UserID, Action: "document.delete", ObjectType: "document", ObjectID: d.ID,
			Detail: map[string]any{"title": d.Title, "series": d.Series, "slug": d.Slug}}
		if err := tx.DeleteDocument(ctx, d.ID, d.Version, audit); err != nil {
			return Change{}, err
		}
		ev := Event{DocumentID: d.ID, Action: "delete", From: d.State, ActorID: actor.UserID, Revision: d.HeadRevision, CreatedAt: s.now()}
		c := Change{Before: &d, Event: ev}
		return c, s.runHooks(ctx, tx, c)
	})
}

// Authorize returns the document if the actor may take action on it
// (a policy action such as "test_send" that is not a change of the
// document itself); one they may not see is not found.
func (s *Service) Authorize(ctx context.Context, actor cms.Actor, id, action string) (Document, error) {
	d, err := s.visibleDocument(ctx, actor, id)
	if err != nil {
		return Document{}, err
	}
	if err := s.authz.Can(actor, action, documentObject(d)); err != nil {
		return Document{}, err
	}
	return d, nil
}
