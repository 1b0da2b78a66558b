package content

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// Store is what content needs from persistence. Reads of a missing object
// return a cms not-found error. Writes that belong together run inside
// DocumentTx, on the Store it passes.
type Store interface {
	CreateSeries(ctx context.Context, s Series, ev cms.AuditEvent) error
	UpdateSeries(ctx context.Context, s Series, ev cms.AuditEvent) error
	FindSeries(ctx context.Context, slug string) (Series, error)
	FindAllSeries(ctx context.Context) ([]Series, error)

	CreateContentType(ctx context.Context, ct ContentType, ev cms.AuditEvent) error
	FindContentType(ctx context.Context, name string) (ContentType, error)
	FindContentTypes(ctx context.Context) ([]ContentType, error)

	CreateContributor(ctx context.Context, c Contributor, ev cms.AuditEvent) error
	UpdateContributor(ctx context.Context, c Contributor, ev cms.AuditEvent) error
	FindContributor(ctx context.Context, slug string) (Contributor, error)
	FindContributors(ctx context.Context) ([]Contributor, error)
	// FindLiveCrediting lists the live documents that credit the contributor
	// or name them in their byline.
	FindLiveCrediting(ctx context.Context, contributor string) ([]LiveUse, error)

	FindDocument(ctx context.Context, id string) (Document, error)
	FindDocuments(ctx context.Context, f DocumentFilter) ([]Document, error)
	FindRevisions(ctx context.Context, documentID string) ([]Revision, error)
	FindRevision(ctx context.Context, documentID string, number int) (Revision, error)
	FindComments(ctx context.Context, documentID string) ([]Comment, error)
	FindEvents(ctx context.Context, documentID string) ([]Event, error)
	// FindDueDocuments lists the ids of scheduled documents due at now.
	FindDueDocuments(ctx context.Context, now time.Time) ([]string, error)
	// SetPublishBlockers stores why the clock could not publish a
	// scheduled document, and records ev only when they changed; it
	// reports whether they did; a document no longer at version is left
	// alone.
	SetPublishBlockers(ctx context.Context, id string, version int, b []cms.Blocker, ev cms.AuditEvent) (bool, error)
	// FindExpiredDocuments lists the ids of live documents whose expiry
	// is at or before now.
	FindExpiredDocuments(ctx context.Context, now time.Time) ([]string, error)
	// FindPlanned lists the documents of f scheduled, ending an embargo or
	// expiring in [from, to), at most f.Limit.
	FindPlanned(ctx context.Context, f DocumentFilter, from, to time.Time) ([]Document, error)
	// DatabaseNow is the database's clock, read in the transaction: the
	// one clock every instance shares.
	DatabaseNow(ctx context.Context) (time.Time, error)
	AddAudit(ctx context.Context, ev cms.AuditEvent) error
	LockStore

	// DocumentTx runs fn in one transaction.
	DocumentTx(ctx context.Context, fn func(tx Store) error) error
	InsertDocument(ctx context.Context, d Document) error
	// LockDocuments takes the write locks of the documents ids, in one
	// fixed order, inside DocumentTx: a transaction that publishes several
	// documents then never deadlocks with another publishing one of them.
	LockDocuments(ctx context.Context, ids []string) error
	// UpdateDocument writes d if the stored version is still prevVersion,
	// and fails with a precondition error otherwise.
	UpdateDocument(ctx context.Context, d Document, prevVersion int) error
	DeleteDocument(ctx context.Context, id string, version int, ev cms.AuditEvent) error
	AddRevision(ctx context.Context, r Revision) error
	// AmendRevision writes r over the stored revision of its number (a
	// write coalesced into the head revision).
	AmendRevision(ctx context.Context, r Revision) error
	// FindLastEvent is the newest event of a document.
	FindLastEvent(ctx context.Context, documentID string) (Event, error)
	AddEvent(ctx context.Context, e Event) error
	AddComment(ctx context.Context, c Comment) error
	ResolveComment(ctx context.Context, documentID, id, by string, at time.Time) (Comment, error)
	// AddApproval records userID's approval of a revision of a document;
	// ClearApprovals forgets all of a document's (a new submission).
	AddApproval(ctx context.Context, documentID string, revision int, userID string, at time.Time) error
	ClearApprovals(ctx context.Context, documentID string) error

	// PutRedirect keeps r, or points the redirect of its path to r's
	// document; FindRedirects pages through them, newest first.
	PutRedirect(ctx context.Context, r Redirect) error
	// PutRedirects is PutRedirect for many, in few statements; a path
	// given twice keeps its last document.
	PutRedirects(ctx context.Context, rs []Redirect) error
	FindRedirects(ctx context.Context, limit, offset int) ([]Redirect, int, error)
	DeleteRedirect(ctx context.Context, id string, ev cms.AuditEvent) error
}

// Authorizer is the one enforcer, as content sees it.
type Authorizer interface {
	Allowed(actor cms.Actor, act string, obj authz.Object) bool
	Can(actor cms.Actor, act string, obj authz.Object) error
	CanSomewhere(actor cms.Actor, act string, obj authz.Object) error
	CanInEach(actor cms.Actor, act string, obj authz.Object, series []string, why string) error
}

// Hook is told of every document change inside its transaction, so that
// what depends on documents (the delivered tables, the search index, the
// webhook outbox) commits or rolls back with it. tx is the store bound to
// that transaction; a hook asserts the narrower interface it writes
// through (published.Store, search.IndexTx, webhook.Store), which the one
// store implements, so content needs to know none of them.
type Hook interface {
	DocumentChanged(ctx context.Context, tx Store, c Change) error
}

// BatchHook is a Hook that can take the changes of a whole import batch
// in one call, inside its transaction, so that it writes them in bulk (a
// few multi-row statements rather than a few statements per document).
// Run so, it must leave exactly what DocumentChanged would leave, change
// by change.
type BatchHook interface {
	Hook
	DocumentsChanged(ctx context.Context, tx Store, cs []Change) error
}

// BulkStore is what a store offers for writing many new rows at once (an
// import batch); each does what its one-row method would do for each.
type BulkStore interface {
	InsertDocuments(ctx context.Context, ds []Document) error
	AddRevisions(ctx context.Context, rs []Revision) error
	AddEvents(ctx context.Context, es []Event) error
}

// Committer is a Hook that also wants to know when its change has
// committed, for work that must not run before (dropping a cache).
type Committer interface {
	Committed(c Change)
}

// CommentWatcher is a Hook that is also told of each new comment, inside
// the comment's transaction (mentions notify).
type CommentWatcher interface {
	CommentAdded(ctx context.Context, tx Store, d Document, c Comment) error
}

// CatalogWatcher is told after a series or contributor changed, for what
// shows their names (delivered documents).
type CatalogWatcher interface {
	SeriesChanged(ctx context.Context, slug string) error
	ContributorChanged(ctx context.Context, slug string) error
}

// Change is one committed-together document change.
type Change struct {
	Before *Document // nil when created
	After  *Document // nil when deleted
	Event  Event
	// Redeliver asks delivery to render the live revision again though
	// it stayed the same: what delivery shows of it (an imported or
	// backdated publication date) changed.
	Redeliver bool
}

// LiveChanged reports whether what delivery shows changed: a different
// live revision, or a document that appeared or vanished.
func (c Change) LiveChanged() bool {
	var before, after *int
	if c.Before != nil {
		before = c.Before.LiveRevision
	}
	if c.After != nil {
		after = c.After.LiveRevision
	}
	if before == nil || after == nil {
		return before != after
	}
	return *before != *after
}

// DocumentFilter selects documents for a listing.
type DocumentFilter struct {
	SeriesIDs []string // nil: any
	Type      string
	State     workflow.State
	OwnerID   string
	Topic     string
	Query     string // text in the title
	// AssigneeID keeps documents waiting for this user; DueBefore those
	// due before the time; OverdueAt those due before it and still in
	// the works (not scheduled, published or archived).
	AssigneeID string
	DueBefore  *time.Time
	OverdueAt  *time.Time
	// Visible restricts to what the caller may see: every document of
	// AllOf, and the caller's own in OwnOf. Nil means no restriction.
	Visible *Visibility
	After   *Cursor
	Limit   int
}

// Visibility is the set of documents a person may see, as series ids.
type Visibility struct {
	AllOf   []string
	OwnOf   []string
	OwnerID string
}

// Cursor is a position in a listing ordered by update time, newest first.
type Cursor struct {
	UpdatedAt time.Time
	ID        string
}
