// Package release keeps releases: named sets of approved documents that go
// live together, in one transaction (content.PublishTogether), by hand or
// at a scheduled time. A release's version guards every write, so that of
// several instances racing to fire a scheduled release exactly one does.
// It imports content, workflow, authz and cms only.
package release

import (
	"context"
	"slices"
	"time"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// State is where a release stands.
type State string

// The states of a release. Published is final: a published release
// cannot change or be deleted, it is the record of what went live.
const (
	Open      State = "open"
	Scheduled State = "scheduled"
	Published State = "published"
)

// Release is a named set of documents published together.
type Release struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	State        State      `json:"state"`
	ScheduledFor *time.Time `json:"scheduled_for"`
	PublishedAt  *time.Time `json:"published_at"`
	Version      int        `json:"version"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	// Documents are the ids of the items, in the order they were added.
	Documents []string `json:"-"`
	// Items are the documents with their readiness, filled in by the
	// service when it answers.
	Items []Item `json:"items"`
	// PublishBlockers are why the clock could not fire the scheduled
	// release at its time; it stays scheduled and fires at the first tick
	// after they are gone.
	PublishBlockers []cms.Blocker `json:"publish_blockers,omitempty"`
}

// Item is one document of a release and whether it could go live now (or
// at the release's scheduled time).
type Item struct {
	DocumentID string         `json:"document_id"`
	Title      string         `json:"title"`
	Series     string         `json:"series"`
	State      workflow.State `json:"state"`
	// Live: the document is live in its approved revision already, so
	// publishing the release leaves it as it is.
	Live     bool          `json:"live"`
	Ready    bool          `json:"ready"`
	Blockers []cms.Blocker `json:"blockers"`
}

// Store keeps releases. UpdateRelease also runs inside the publishing
// transaction, on the content store it is handed (which the one store
// implements).
type Store interface {
	CreateRelease(ctx context.Context, r Release, ev cms.AuditEvent) error
	FindRelease(ctx context.Context, id string) (Release, error)
	FindReleases(ctx context.Context) ([]Release, error)
	// UpdateRelease writes r and its items if the stored version is still
	// prevVersion, and fails with a precondition error otherwise.
	UpdateRelease(ctx context.Context, r Release, prevVersion int, ev cms.AuditEvent) error
	DeleteRelease(ctx context.Context, id string, version int, ev cms.AuditEvent) error
	// SetReleaseBlockers stores why the clock could not fire a scheduled
	// release, and records ev only when they changed; a release no longer
	// at version is left alone.
	SetReleaseBlockers(ctx context.Context, id string, version int, b []cms.Blocker, ev cms.AuditEvent) (bool, error)
	// FindDueReleases lists the ids of scheduled releases due at now.
	FindDueReleases(ctx context.Context, now time.Time) ([]string, error)
	FindDocument(ctx context.Context, id string) (content.Document, error)
}

// Announcer is told, inside the publishing transaction, that a release
// went live with docs (the webhook outbox queues release.published).
type Announcer interface {
	ReleasePublished(ctx context.Context, tx content.Store, id, name string, docs []content.Document) error
}

// Authorizer is the one enforcer, as releases see it.
type Authorizer interface {
	CanSomewhere(actor cms.Actor, act string, obj authz.Object) error
	CanInEach(actor cms.Actor, act string, obj authz.Object, series []string, why string) error
}

// Service is the release use cases.
type Service struct {
	store     Store
	content   *content.Service
	authz     Authorizer
	announcer Announcer
	now       func() time.Time
}

// NewService returns a Service; announcer may be nil.
func NewService(store Store, cs *content.Service, az Authorizer, announcer Announcer) *Service {
	return &Service{store: store, content: cs, authz: az, announcer: announcer,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// SetClock replaces the clock, for tests of scheduling.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// object is the release as the enforcer sees it in one series.
var object = authz.Object{Kind: "release"}

// why ends a refusal: a release touches every series of its items.
const why = "which documents of this release belong to"

// seriesOf lists the series paths of docs, once each.
func seriesOf(docs []content.Document) []string {
	var out []string
	for _, d := range docs {
		if !slices.Contains(out, d.SeriesPath) {
			out = append(out, d.SeriesPath)
		}
	}
	return out
}

// can checks act on a release of docs: in every one of their series, or,
// for a release with no items yet, in some series.
func (s *Service) can(actor cms.Actor, act string, docs []content.Document) error {
	if len(docs) == 0 {
		return s.authz.CanSomewhere(actor, act, object)
	}
	return s.authz.CanInEach(actor, act, object, seriesOf(docs), why)
}

func checkVersion(r Release, version *int) error {
	if version != nil && *version != r.Version {
		return cms.Errorf(cms.CodePreconditionFailed, "the release is at version %d, not %d: reload it", r.Version, *version)
	}
	return nil
}
