// Package content owns Masthead's content model (SPEC §2): series, content
// types and their field validation, contributors, documents with their
// immutable revisions, credits and comments, and the use cases that change
// them — including workflow transitions, each one transaction. It asks
// package authz about every object rule and package workflow about every
// state change; it imports no web or database package.
package content

import (
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// Series is a publication channel. Series nest one level.
type Series struct {
	ID          string  `json:"id"`
	Slug        string  `json:"slug"`
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	Description string  `json:"description"`
	About       string  `json:"about"`
	ParentID    *string `json:"-"`
	Parent      *string `json:"parent"` // the parent's slug
	// RequiresCredit is the credit role a document needs to go live; ""
	// is none (a publish gate).
	RequiresCredit string `json:"requires_credit"`
	// ApprovalsRequired is how many editors must approve a document of
	// the series before it is approved: 1, or 2 for a second pair of eyes.
	ApprovalsRequired int       `json:"approvals_required"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Path is the series' authorization domain: "parent/child" or "slug".
func (s Series) Path() string {
	if s.Parent != nil {
		return *s.Parent + "/" + s.Slug
	}
	return s.Slug
}

// Contributor is a person who can be credited.
type Contributor struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Bio       string    `json:"bio"`
	UserID    *string   `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Credit is one contributor's role on a document, in display order.
type Credit struct {
	Role        string `json:"role"`
	Contributor string `json:"contributor"` // slug
	Name        string `json:"name"`
}

// Document is a piece of content and where it stands in the workflow.
// Title, slug, fields, topics, byline, hero and credits are the editable
// part, snapshotted in every revision.
type Document struct {
	ID               string         `json:"id"`
	Type             string         `json:"type"`
	Series           string         `json:"series"`
	Title            string         `json:"title"`
	Slug             string         `json:"slug"`
	Fields           map[string]any `json:"fields"`
	Topics           []string       `json:"topics"`
	Byline           *string        `json:"byline"` // contributor slug; nil = the series
	BylineName       string         `json:"byline_name"`
	Hero             *string        `json:"hero"` // media asset id
	Credits          []Credit       `json:"credits"`
	CreditLine       string         `json:"credit_line"`
	OwnerID          string         `json:"owner_id"`
	State            workflow.State `json:"state"`
	HeadRevision     int            `json:"head_revision"`
	LiveRevision     *int           `json:"live_revision"`
	ApprovedRevision *int           `json:"approved_revision"`
	Version          int            `json:"version"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
	SubmittedAt      *time.Time     `json:"submitted_at"`
	ApprovedAt       *time.Time     `json:"approved_at"`
	FirstPublishedAt *time.Time     `json:"first_published_at"`
	LastPublishedAt  *time.Time     `json:"last_published_at"`
	ScheduledFor     *time.Time     `json:"scheduled_for"`
	// PublishBlockers are why the clock could not publish the document
	// at its time; it stays scheduled and is tried again at every tick.
	PublishBlockers []cms.Blocker `json:"publish_blockers,omitempty"`
	// EmbargoUntil holds the document back: it goes live at this instant
	// at the earliest, by hand, by the clock or in a release.
	EmbargoUntil *time.Time `json:"embargo_until"`
	// ExpiresAt is when the clock takes the live revision down.
	ExpiresAt *time.Time `json:"expires_at"`
	// Assignee is the user the document waits for, who may act on it in
	// its state; AssigneeName is their name. DueAt is when it should have
	// moved on. Both are planning: set through a patch, kept out of
	// revisions.
	Assignee     *string    `json:"assignee"`
	AssigneeName string     `json:"assignee_name,omitempty"`
	DueAt        *time.Time `json:"due_at"`
	// Lock is who is editing it now (read with the document, not stored
	// with it); nil when no one.
	Lock *Lock `json:"lock"`
	// Approvals are those its head revision had in this submission;
	// ApprovalsRequired is its series' setting.
	Approvals         []Approval `json:"approvals"`
	ApprovalsRequired int        `json:"approvals_required"`

	// SeriesPath is the series' authorization domain (not sent).
	SeriesPath string `json:"-"`
}

// Approval is one editor's approval of a document's head revision.
type Approval struct {
	UserID string    `json:"user_id"`
	Name   string    `json:"name"`
	At     time.Time `json:"at"`
}

// Refresh recomputes what is derived from the editable part: the credit
// line.
func (d *Document) Refresh() {
	d.CreditLine = CreditLine(d.BylineName, d.Credits)
}

// Revision is an immutable snapshot of a document's editable part.
type Revision struct {
	DocumentID string         `json:"document_id"`
	Number     int            `json:"number"`
	Title      string         `json:"title"`
	Slug       string         `json:"slug"`
	Fields     map[string]any `json:"fields"`
	Topics     []string       `json:"topics"`
	Byline     *string        `json:"byline"`
	Hero       *string        `json:"hero"`
	Credits    []Credit       `json:"credits"`
	AuthorID   string         `json:"author_id"`
	Message    string         `json:"message"`
	CreatedAt  time.Time      `json:"created_at"`
	// UpdatedAt is the last write the revision holds and Writes how many:
	// a person's autosaves in a row amend their head revision (issue 18).
	// Checkpoint is set when its author asked to keep it as it is.
	UpdatedAt  time.Time `json:"updated_at"`
	Writes     int       `json:"writes"`
	Checkpoint bool      `json:"checkpoint"`
	// Actions are the workflow steps taken on the revision (submit,
	// approve, publish, restore…), and Changed what it changed from the
	// one before; both only in a listing of revisions.
	Actions []string        `json:"actions,omitempty"`
	Changed *RevisionChange `json:"changed,omitempty"`
}

// snapshot returns the revision that records d's editable part as it is.
func (d Document) snapshot(number int, authorID, message string, at time.Time) Revision {
	return Revision{
		DocumentID: d.ID, Number: number, Title: d.Title, Slug: d.Slug, Fields: d.Fields, Topics: d.Topics,
		Byline: d.Byline, Hero: d.Hero, Credits: d.Credits, AuthorID: authorID, Message: message, CreatedAt: at,
		UpdatedAt: at, Writes: 1,
	}
}

// Comment is a remark on a document, optionally on one field. Review notes
// are comments.
type Comment struct {
	ID         string     `json:"id"`
	DocumentID string     `json:"document_id"`
	Field      string     `json:"field"`
	AuthorID   string     `json:"author_id"`
	Body       string     `json:"body"`
	Resolved   bool       `json:"resolved"`
	ResolvedBy *string    `json:"resolved_by"`
	ResolvedAt *time.Time `json:"resolved_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

// LiveUse is a live document that shows a shared catalog object: it
// credits a contributor, or names them in its byline. Its series decides
// who may change what the document shows.
type LiveUse struct {
	DocumentID   string
	SeriesPath   string // the authorization domain, "parent/child"
	State        workflow.State
	HeadRevision int
}

// EventContributorUpdate is the action of the event a contributor change
// leaves in the history of each live document crediting them.
const EventContributorUpdate = "contributor.update"

// Event is one entry of a document's audit trail. Events are never edited
// or deleted.
type Event struct {
	ID         int64          `json:"id"`
	DocumentID string         `json:"document_id"`
	Action     string         `json:"action"`
	From       workflow.State `json:"from"`
	To         workflow.State `json:"to"`
	ActorID    string         `json:"actor_id"`
	Revision   int            `json:"revision"`
	Note       string         `json:"note"`
	// BasedOnVersion is the document version the actor named (If-Match,
	// or the version an editor form was loaded at); nil when they named
	// none and the action applied to whatever the head was.
	BasedOnVersion *int      `json:"based_on_version"`
	CreatedAt      time.Time `json:"created_at"`
}
