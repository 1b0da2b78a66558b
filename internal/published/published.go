// Package published is the vocabulary of what is live: the entries of the
// delivered tables, how listings select and page them, and preview links.
// Types only, so that the store and the delivery API can share them
// without the store depending on an HTTP package.
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
