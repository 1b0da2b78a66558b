// Package search finds content: readers search everything live, staff
// search the head revisions of what they may see. A reader's query is
// parsed by our own small grammar (query.go) into plain words; the store
// compiles those words for SQLite FTS5 or PostgreSQL full-text search, so
// nothing a reader types reaches an engine's syntax. Index entries change
// in the same transaction as the workflow. It imports content, render and
// authz for their types.
package search

import (
	"context"
	"html"
	"strings"
	"time"
)

// Doc is a live document as the public index holds it.
type Doc struct {
	DocumentID   string
	SeriesSlug   string
	ParentSlug   *string
	Slug         string
	Type         string
	PublishedAt  time.Time
	Title        string
	Summary      string
	Body         string
	Topics       []string
	Contributors []string // names
}

// Request is a public search.
type Request struct {
	Query  Query
	Series string // includes children
	Type   string
	Topic  string
	Year   int
	Limit  int
	Offset int
	Facets bool
}

// Hit is one search result.
type Hit struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"`
	Series      SeriesRef `json:"series"`
	Slug        string    `json:"slug"`
	URL         string    `json:"url"`
	Title       string    `json:"title"`
	Summary     string    `json:"summary"`
	Snippet     string    `json:"snippet"`
	PublishedAt time.Time `json:"published_at"`
}

// SeriesRef names a hit's series.
type SeriesRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// FacetCount is how many matches share one value.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Facets count the matches by series, topic and year.
type Facets struct {
	Series []FacetCount `json:"series"`
	Topics []FacetCount `json:"topics"`
	Years  []FacetCount `json:"years"`
}

// Result is a page of hits with the exact number of matches.
type Result struct {
	Total      int     `json:"total"`
	Data       []Hit   `json:"data"`
	NextCursor *string `json:"next_cursor"`
	Facets     *Facets `json:"facets,omitempty"`
}

// Store runs searches and keeps the indexes.
type Store interface {
	SearchLive(ctx context.Context, r Request) (Result, error)
	SearchStaff(ctx context.Context, r StaffRequest) (StaffResult, error)
	// ReindexLive rebuilds the public index from the delivered bodies in
	// one transaction, converting each with convert.
	ReindexLive(ctx context.Context, convert func(body []byte, parent *string) (Doc, error)) (int, error)
	// DeliveryVersion is the counter every change to what is live moves
	// (in the change's transaction): what keys the result cache.
	DeliveryVersion(ctx context.Context) (int64, error)
}

// IndexTx is what indexing needs inside a transaction.
type IndexTx interface {
	PutLive(ctx context.Context, d Doc) error
	DeleteLive(ctx context.Context, documentID string) error
	PutStaff(ctx context.Context, documentID, title, body string) error
}

// StaffEntry is a document's head revision as the staff index holds it.
type StaffEntry struct{ DocumentID, Title, Body string }

// BatchIndexTx is what a store offers for indexing many documents in a
// few statements (an import batch), as the one-document methods would.
type BatchIndexTx interface {
	PutLiveBatch(ctx context.Context, docs []Doc) error
	PutStaffBatch(ctx context.Context, entries []StaffEntry) error
}

// Snippet markers: the engines wrap matches in these; Highlight turns them
// into <mark> after escaping everything else.
const (
	MarkStart = "\x02"
	MarkEnd   = "\x03"
)

// Highlight escapes text for HTML and turns the engine's markers into
// <mark> elements.
func Highlight(text string) string {
	escaped := html.EscapeString(strings.ToValidUTF8(text, ""))
	return strings.NewReplacer(MarkStart, "<mark>", MarkEnd, "</mark>").Replace(escaped)
}
