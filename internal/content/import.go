package content

import (
	"context"
	"fmt"
	"time"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// ActionImport is the event of a document an import created or changed.
// Hooks that must not treat an archive moving in as news (a newsletter's
// edition) look for it.
const ActionImport = "import"

// ImportedDocument is a document as another system had it: its content,
// where it stood, and its own dates.
type ImportedDocument struct {
	// ID is the document an earlier run of the same import made; "" (or
	// one since deleted) creates a document.
	ID      string
	In      NewDocument
	Credits []CreditInput
	// State is draft, in_review, scheduled or published.
	State workflow.State
	// PublishedAt is the original first publication (published and
	// scheduled documents); UpdatedAt the original last change.
	PublishedAt *time.Time
	UpdatedAt   *time.Time
	// OldPaths are where the document was (RedirectPath's form): each
	// answers with a 301 to it while it is live.
	OldPaths []string
}

// Import outcomes.
const (
	ImportCreated   = "created"
	ImportUpdated   = "updated"
	ImportUnchanged = "unchanged"
	ImportSkipped   = "skipped"
)

// ImportOutcome is what became of one imported document.
type ImportOutcome struct {
	ID     string
	Status string
	Err    error // why it was skipped
}

// ImportWritten is told, inside the transaction, which documents of a
// batch were written (by their index in the batch).
type ImportWritten func(ctx context.Context, tx Store, done map[int]ImportOutcome) error

// importPlan is one checked document change of a batch.
type importPlan struct {
	before *Document
	after  Document
	rev    Revision
	ev     Event
	paths  []string
	// redeliver: delivery renders it again even when the live revision
	// stays (its original dates changed).
	redeliver bool
}

// ImportDocuments writes a batch of imported documents for someone who
// may import (admins), in one transaction, with every hook: delivery
// renders the published ones with their original dates, the indexes take
// them. An imported document goes straight to its state — no review, no
// publish gates: it was published where it came from (the import's report
// names heroes without a licence). A document whose content, state and
// dates are those it has already is left alone, with no new revision. An
// item that fails its checks, or whose write fails, is skipped whole with
// its reason; the others are written.
//
// written, when not nil, runs in each transaction with the documents it
// wrote (batch index, outcome), so that what the importer keeps of them
// commits with them.
func (s *Service) ImportDocuments(ctx context.Context, actor cms.Actor, batch []ImportedDocument, written ImportWritten) ([]ImportOutcome, error) {
	if err := s.authz.Can(actor, "manage", authz.Imports); err != nil {
		return nil, err
	}
	out := make([]ImportOutcome, len(batch))
	var plans []importPlan
	var at []int
	cat := importCatalog{series: map[string]Series{}, types: map[string]ContentType{}}
	for i, in := range batch {
		p, unchanged, err := s.planImport(ctx, actor, in, cat)
		switch {
		case err != nil:
			out[i] = ImportOutcome{ID: in.ID, Status: ImportSkipped, Err: err}
		case unchanged:
			out[i] = ImportOutcome{ID: in.ID, Status: ImportUnchanged}
		default:
			plans, at = append(plans, p), append(at, i)
		}
	}
	tx := func(plans []importPlan, at []int) error {
		return s.changesTx(ctx, func(tx Store) ([]Change, error) {
			cs, err := s.applyImports(ctx, tx, plans)
			if err != nil || written == nil {
				return cs, err
			}
			done := make(map[int]ImportOutcome, len(plans))
			for j, p := range plans {
				done[at[j]] = importOutcome(p, nil)
			}
			return cs, written(ctx, tx, done)
		})
	}
	if err := tx(plans, at); err == nil {
		for j, p := range plans {
			out[at[j]] = importOutcome(p, nil)
		}
		return out, nil
	}
	// One of them failed (a slug taken, a hook refusing): each alone, so
	// that only that one is skipped.
	for j, p := range plans {
		err := tx([]importPlan{p}, []int{at[j]})
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out[at[j]] = importOutcome(p, err)
	}
	return out, nil
}

func importOutcome(p importPlan, err error) ImportOutcome {
	switch {
	case err != nil:
		return ImportOutcome{ID: p.after.ID, Status: ImportSkipped, Err: err}
	case p.before == nil:
		return ImportOutcome{ID: p.after.ID, Status: ImportCreated}
	}
	return ImportOutcome{ID: p.after.ID, Status: ImportUpdated}
}

// applyImports writes a batch's documents, revisions and events, then
// runs the hooks on the whole batch: in bulk when the store and a hook
// can (a handful of statements per batch rather than a score per
// document), else change by change. Everything is in tx, so a failure
// leaves nothing of the batch.
func (s *Service) applyImports(ctx context.Context, tx Store, plans []importPlan) ([]Change, error) {
	changes := make([]Change, 0, len(plans))
	var redirects []Redirect
	var created []Document
	var revs []Revision
	var events []Event
	bulk, _ := tx.(BulkStore)
	for _, p := range plans {
		after := p.after
		var err error
		switch {
		case p.before != nil:
			err = tx.UpdateDocument(ctx, after, p.before.Version)
		case bulk != nil:
			created = append(created, after)
		default:
			err = tx.InsertDocument(ctx, after)
		}
		if err != nil {
			return nil, slugConflict(err, after)
		}
		if p.rev.Number > 0 {
			revs = append(revs, p.rev)
		}
		events = append(events, p.ev)
		for _, path := range p.paths {
			redirects = append(redirects, Redirect{ID: cms.NewID(), Path: path, DocumentID: after.ID, Source: RedirectImport, CreatedAt: after.UpdatedAt})
		}
		changes = append(changes, Change{Before: p.before, After: &after, Event: p.ev, Redeliver: p.redeliver})
	}
	if err := s.writeImported(ctx, tx, bulk, created, revs, events); err != nil {
		return nil, err
	}
	if err := s.runBatchHooks(ctx, tx, changes); err != nil {
		return nil, err
	}
	return changes, tx.PutRedirects(ctx, redirects)
}

// writeImported writes the new documents, the revisions and the events of
// a batch, in bulk when the store can.
func (s *Service) writeImported(ctx context.Context, tx Store, bulk BulkStore, created []Document, revs []Revision, events []Event) error {
	if bulk == nil {
		for _, r := range revs {
			if err := tx.AddRevision(ctx, r); err != nil {
				return err
			}
		}
		for _, e := range events {
			if err := tx.AddEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	}
	if err := bulk.InsertDocuments(ctx, created); err != nil {
		if len(created) == 1 {
			return slugConflict(err, created[0])
		}
		return err
	}
	if err := bulk.AddRevisions(ctx, revs); err != nil {
		return err
	}
	return bulk.AddEvents(ctx, events)
}

// runBatchHooks runs every hook on the changes: a BatchHook once, the
// others change by change.
func (s *Service) runBatchHooks(ctx context.Context, tx Store, cs []Change) error {
	for _, h := range s.hooks {
		var err error
		if bh, ok := h.(BatchHook); ok {
			err = bh.DocumentsChanged(ctx, tx, cs)
		} else {
			for _, c := range cs {
				if err = h.DocumentChanged(ctx, tx, c); err != nil {
					break
				}
			}
		}
		if err != nil {
			return fmt.Errorf("content: hook: %w", err)
		}
	}
	return nil
}

// planImport checks one imported document and works out the change; it
// reports unchanged when there is none to make.
func (s *Service) planImport(ctx context.Context, actor cms.Actor, in ImportedDocument, cat importCatalog) (importPlan, bool, error) {
	series, ct, err := cat.find(ctx, s.store, in.In.Series, in.In.Type)
	if err != nil {
		return importPlan{}, false, err
	}
	now := s.now()
	var before *Document
	if in.ID != "" {
		if d, err := s.store.FindDocument(ctx, in.ID); err == nil {
			before = &d
		} else if !cms.IsCode(err, cms.CodeNotFound) {
			return importPlan{}, false, err
		}
	}
	d := Document{ID: cms.NewID(), Version: 0, CreatedAt: now, OwnerID: actor.UserID, Approvals: []Approval{}, Credits: []Credit{}}
	if before != nil {
		d = *before
	}
	d.Type, d.Series, d.SeriesPath, d.ApprovalsRequired = ct.Name, series.Slug, series.Path(), series.ApprovalsRequired
	d.BylineName, d.Byline, d.Hero, d.Slug = series.Name, nil, nil, ""
	d.Fields, d.Topics = map[string]any{}, []string{}
	patch := DocumentPatch{Title: &in.In.Title, Fields: in.In.Fields, Topics: &in.In.Topics, Byline: in.In.Byline, Hero: in.In.Hero}
	if in.In.Slug != "" {
		patch.Slug = &in.In.Slug
	}
	if err := s.applyPatch(ctx, &d, ct, patch); err != nil {
		return importPlan{}, false, err
	}
	if d.Credits, err = s.resolveCredits(ctx, in.Credits); err != nil {
		return importPlan{}, false, err
	}
	d.Refresh()
	contentSame := before != nil && before.Type == d.Type && before.Series == d.Series && sameContent(*before, d)
	if contentSame && sameStanding(*before, in) {
		return importPlan{}, true, nil
	}
	return s.importChange(actor, before, d, in, contentSame, now), false, nil
}

// importCatalog keeps the series and content types a batch names, read
// once per batch.
type importCatalog struct {
	series map[string]Series
	types  map[string]ContentType
}

func (c importCatalog) find(ctx context.Context, st Store, series, typ string) (Series, ContentType, error) {
	sr, ok := c.series[series]
	if !ok {
		var err error
		if sr, err = st.FindSeries(ctx, series); err != nil {
			return Series{}, ContentType{}, cms.Invalid("series", "no such series")
		}
		c.series[series] = sr
	}
	ct, ok := c.types[typ]
	if !ok {
		var err error
		if ct, err = st.FindContentType(ctx, typ); err != nil {
			return Series{}, ContentType{}, cms.Invalid("type", "no such content type")
		}
		c.types[typ] = ct
	}
	return sr, ct, nil
}

// sameStanding reports whether d already stands where in says: its state
// and original dates.
func sameStanding(d Document, in ImportedDocument) bool {
	if d.State != in.State {
		return false
	}
	switch in.State {
	case workflow.Published:
		return d.LiveRevision != nil && *d.LiveRevision == d.HeadRevision &&
			sameTime(d.FirstPublishedAt, in.PublishedAt) && sameTime(d.LastPublishedAt, lastChange(in))
	case workflow.Scheduled:
		return sameTime(d.ScheduledFor, in.PublishedAt)
	}
	return d.LiveRevision == nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
}

// lastChange is the original last change, or the publication.
func lastChange(in ImportedDocument) *time.Time {
	if in.UpdatedAt != nil && in.PublishedAt != nil && in.UpdatedAt.After(*in.PublishedAt) {
		return in.UpdatedAt
	}
	return in.PublishedAt
}

// importChange puts d where in says, with a new revision unless only its
// standing changed.
func (s *Service) importChange(actor cms.Actor, before *Document, d Document, in ImportedDocument, contentSame bool, now time.Time) importPlan {
	p := importPlan{before: before, paths: in.OldPaths}
	from := workflow.State("")
	if before != nil {
		from = before.State
	}
	if !contentSame {
		d.HeadRevision++
		p.rev = d.snapshot(d.HeadRevision, actor.UserID, "imported", now)
		if in.In.Message != "" {
			p.rev.Message = in.In.Message
		}
	}
	d.Version++
	d.UpdatedAt = now
	d.State, d.PublishBlockers, d.Approvals = in.State, nil, []Approval{}
	d.LiveRevision, d.ApprovedRevision, d.ScheduledFor = nil, nil, nil
	d.FirstPublishedAt, d.LastPublishedAt = nil, nil
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC().Truncate(time.Microsecond)
		return &u
	}
	switch in.State {
	case workflow.Published:
		head := d.HeadRevision
		d.LiveRevision, d.ApprovedRevision = &head, &head
		d.FirstPublishedAt, d.LastPublishedAt = utc(in.PublishedAt), utc(lastChange(in))
		if d.FirstPublishedAt == nil {
			d.FirstPublishedAt, d.LastPublishedAt = &now, &now
		}
	case workflow.Scheduled:
		head := d.HeadRevision
		d.ApprovedRevision, d.ScheduledFor = &head, utc(in.PublishedAt)
	case workflow.InReview:
		d.SubmittedAt = &now
	}
	p.after = d
	p.redeliver = d.LiveRevision != nil
	p.ev = Event{DocumentID: d.ID, Action: ActionImport, From: from, To: d.State, ActorID: actor.UserID,
		Revision: d.HeadRevision, CreatedAt: now}
	return p
}

// Backdate gives a live document its original publication (and last
// change) date, for an archive piece published elsewhere first — the
// demo's briefing: delivery, feeds and the sitemap show that date. It is
// an import's right (admins), and the document's history records it.
func (s *Service) Backdate(ctx context.Context, actor cms.Actor, id string, published, updated time.Time) (Document, error) {
	if err := s.authz.Can(actor, "manage", authz.Imports); err != nil {
		return Document{}, err
	}
	d, err := s.store.FindDocument(ctx, id)
	if err != nil {
		return Document{}, err
	}
	if d.LiveRevision == nil {
		return Document{}, cms.Errorf(cms.CodeConflict, "only a live document has a publication date")
	}
	if updated.Before(published) {
		updated = published
	}
	p, u := published.UTC().Truncate(time.Microsecond), updated.UTC().Truncate(time.Microsecond)
	after := d
	after.FirstPublishedAt, after.LastPublishedAt = &p, &u
	after.Version, after.UpdatedAt = d.Version+1, s.now()
	ev := Event{DocumentID: d.ID, Action: "backdate", From: d.State, To: d.State, ActorID: actor.UserID,
		Revision: d.HeadRevision, Note: "published " + p.Format(time.RFC3339), CreatedAt: after.UpdatedAt}
	err = s.changeTx(ctx, func(tx Store) (Change, error) {
		if err := tx.UpdateDocument(ctx, after, d.Version); err != nil {
			return Change{}, err
		}
		c := Change{Before: &d, After: &after, Event: ev, Redeliver: true}
		return c, s.record(ctx, tx, c, nil)
	})
	return after, err
}
