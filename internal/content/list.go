package content

import (
	"context"
	"encoding/base64"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// ListQuery is a staff listing request.
type ListQuery struct {
	Series string
	Type   string
	State  string
	Owner  string
	Topic  string
	Query  string
	// Assignee is a user id or "me"; DueBefore an RFC 3339 time; Overdue
	// "true" keeps the documents past their due date and still in the works.
	Assignee  string
	DueBefore string
	Overdue   string
	Cursor    string
	Limit     int
}

// Page is one page of documents and the cursor of the next.
type Page struct {
	Data       []Document `json:"data"`
	NextCursor string     `json:"next_cursor"`
}

const (
	defaultLimit = 25
	maxLimit     = 100
)

// Documents lists the documents the actor may see, newest change first.
func (s *Service) Documents(ctx context.Context, actor cms.Actor, q ListQuery) (Page, error) {
	f, err := s.filterFor(ctx, actor, q)
	if err != nil {
		return Page{}, err
	}
	docs, err := s.store.FindDocuments(ctx, f)
	if err != nil {
		return Page{}, err
	}
	page := Page{Data: docs}
	if len(docs) > f.Limit {
		page.Data = docs[:f.Limit]
		last := page.Data[f.Limit-1]
		page.NextCursor = encodeCursor(Cursor{UpdatedAt: last.UpdatedAt, ID: last.ID})
	}
	return page, nil
}

func (s *Service) filterFor(ctx context.Context, actor cms.Actor, q ListQuery) (DocumentFilter, error) {
	f := DocumentFilter{Type: q.Type, OwnerID: q.Owner, Topic: strings.ToLower(q.Topic), Query: q.Query, Limit: q.Limit}
	if f.Limit <= 0 {
		f.Limit = defaultLimit
	}
	if f.Limit > maxLimit {
		return f, cms.Invalid("limit", "must be at most 100")
	}
	if len(q.Query) > 200 {
		return f, cms.Invalid("q", "must be at most 200 characters")
	}
	if q.State != "" {
		if !validState(workflow.State(q.State)) {
			return f, cms.Invalid("state", "no such state")
		}
		f.State = workflow.State(q.State)
	}
	if err := s.planFilter(&f, actor, q); err != nil {
		return f, err
	}
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil {
			return f, err
		}
		f.After = &c
	}
	all, err := s.store.FindAllSeries(ctx)
	if err != nil {
		return f, err
	}
	if q.Series != "" {
		f.SeriesIDs = seriesAndChildren(all, q.Series)
		if len(f.SeriesIDs) == 0 {
			return f, cms.Invalid("series", "no such series")
		}
	}
	f.Visible = s.visibility(actor, all)
	return f, nil
}

// planFilter reads the assignment filters of a listing.
func (s *Service) planFilter(f *DocumentFilter, actor cms.Actor, q ListQuery) error {
	f.AssigneeID = q.Assignee
	if q.Assignee == "me" {
		f.AssigneeID = actor.UserID
	}
	if q.DueBefore != "" {
		t, err := time.Parse(time.RFC3339Nano, q.DueBefore)
		if err != nil {
			return cms.Invalid("due_before", "must be a time (RFC 3339)")
		}
		f.DueBefore = utcOrNil(&t)
	}
	switch q.Overdue {
	case "", "false":
	case "true":
		now := s.now()
		f.OverdueAt = &now
	default:
		return cms.Invalid("overdue", "must be true or false")
	}
	return nil
}

// ValidState reports whether st names a workflow state.
func ValidState(st string) bool { return validState(workflow.State(st)) }

// VisibilityOf returns the documents the actor may see, as a filter for
// listings and staff search.
func (s *Service) VisibilityOf(ctx context.Context, actor cms.Actor) (*Visibility, error) {
	all, err := s.store.FindAllSeries(ctx)
	if err != nil {
		return nil, err
	}
	return s.visibility(actor, all), nil
}

func validState(st workflow.State) bool {
	for _, x := range workflow.States {
		if x == st {
			return true
		}
	}
	return false
}

// seriesAndChildren returns the ids of the series with this slug and of
// its children: listing a parent includes its children's documents.
func seriesAndChildren(all []Series, slug string) []string {
	var ids []string
	for _, s := range all {
		if s.Slug == slug || (s.Parent != nil && *s.Parent == slug) {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// visibility asks the enforcer, series by series, whether the actor may
// read every document there or only their own. The enforcer stays the
// only judge; this turns its answers into a filter the database can use.
func (s *Service) visibility(actor cms.Actor, all []Series) *Visibility {
	v := &Visibility{OwnerID: actor.UserID}
	for _, sr := range all {
		obj := authz.Object{Kind: "document", Series: sr.Path(), OwnerID: "\x00someone else"}
		switch {
		case s.authz.Allowed(actor, "read", obj):
			v.AllOf = append(v.AllOf, sr.ID)
		case s.authz.Allowed(actor, "read", authz.Object{Kind: "document", Series: sr.Path(), OwnerID: actor.UserID}):
			v.OwnOf = append(v.OwnOf, sr.ID)
		}
	}
	return v
}

func encodeCursor(c Cursor) string {
	raw := c.UpdatedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(s string) (Cursor, error) {
	bad := cms.Invalid("cursor", "is not a cursor this server gave out")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if !ok || id == "" {
		return Cursor{}, bad
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return Cursor{}, bad
	}
	return Cursor{UpdatedAt: t, ID: id}, nil
}
