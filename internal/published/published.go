// Package published owns what is live: the use cases that the delivery
// API, the management API and the newsroom UI share.
//
// Documents are rendered once, when their live revision changes, inside
// the publishing transaction (Service.DocumentChanged, and Redeliver for
// an import); reads are served from an in-memory cache of those bytes
// that every instance drops when the delivery version moves (Watch).
// Preview links, the signed cursors of listings and the newsroom's
// rendering of a head revision live here too.
//
// Two layers share the package and are kept apart by file: this file is
// the types-only vocabulary (entries, queries, positions, preview links)
// that internal/store speaks, and Service with its Store interface is
// the behaviour on top of it. The store imports the vocabulary and
// satisfies Store; this package imports domain packages (content, media,
// render, cms) and never Echo, the store or an HTTP package — which is
// why the HTTP packages may all call it, while none may call another.
package published

import "time"

// Entry is one delivered document: its pre-rendered JSON, full and as the
// digest listings show, and what listings filter and sort on.
type Entry struct {
	DocumentID   string
	SeriesID     string
	SeriesSlug   string
	ParentSlug   *string
	Type         string
	Slug         string
	Title        string
	Summary      string
	Revision     int
	PublishedAt  time.Time
	UpdatedAt    time.Time
	Body         []byte // the delivered document
	Digest       []byte // the listing item: the document without fields
	Shape        int    // the version of the delivered shape both were rendered with
	Topics       []string
	Contributors []string // slugs: credited and byline
	HeroID       *string
	Media        []string // every asset it shows: the hero and the images in its text
}

// Query selects delivered documents, newest first.
type Query struct {
	Series      string // includes the series' children
	Type        string
	Topic       string
	Contributor string
	After       *Position
	Limit       int
}

// Position is where a page of a listing ends.
type Position struct {
	PublishedAt time.Time
	DocumentID  string
}

// PreviewLink lets someone without an account read a document's head
// revision until it expires or is revoked.
type PreviewLink struct {
	ID         string     `json:"id"`
	DocumentID string     `json:"document_id"`
	CreatedBy  string     `json:"created_by"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Uses       int        `json:"uses"`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedAt  time.Time  `json:"created_at"`
	URL        string     `json:"url,omitempty"` // only when created
}
