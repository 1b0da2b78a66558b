// Package audit reads the audit trail (issue 19): the events written by
// every other package, for admins in full and for editors about the
// documents of their series. It only reads; events are only appended,
// by the packages that act.
package audit

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// Filter selects audit events, newest first.
type Filter struct {
	ActorID    string
	ObjectType string
	ObjectID   string
	// Action is one action ("role.assign"), or a family when it ends in
	// a dot ("token.").
	Action   string
	From, To *time.Time
	BeforeID int64 // 0: from the newest
	Limit    int
	// DocumentSeries, when not nil, keeps only the events about documents
	// of these series (ids): what an editor may read.
	DocumentSeries []string
}

// Store reads audit events.
type Store interface {
	FindAuditEvents(ctx context.Context, f Filter) ([]cms.AuditEvent, error)
}

// Authorizer is what audit asks of the enforcer.
type Authorizer interface {
	Allowed(actor cms.Actor, act string, obj authz.Object) bool
}

// SeriesLister lists every series, to decide which an editor may audit.
type SeriesLister interface {
	AllSeries(ctx context.Context) ([]content.Series, error)
}

// Service answers audit queries.
type Service struct {
	store  Store
	authz  Authorizer
	series SeriesLister
}

// NewService returns the service.
func NewService(store Store, az Authorizer, series SeriesLister) *Service {
	return &Service{store: store, authz: az, series: series}
}

// Query is an audit request as it arrives: every value a string.
type Query struct {
	Actor, Object, Action, From, To, Cursor string
	Limit                                   int
}

// Page is one page of events and the cursor of the next.
type Page struct {
	Data       []cms.AuditEvent `json:"data"`
	NextCursor string           `json:"next_cursor"`
}

const (
	defaultLimit = 50
	maxLimit     = 500
)

// Events returns a page of the events the actor may read: admins every
// one, editors those about the documents of their series, others none
// (403).
func (s *Service) Events(ctx context.Context, actor cms.Actor, q Query) (Page, error) {
	f, err := s.filterFor(ctx, actor, q)
	if err != nil {
		return Page{}, err
	}
	evs, err := s.store.FindAuditEvents(ctx, f)
	if err != nil {
		return Page{}, err
	}
	page := Page{Data: evs}
	if len(evs) > f.Limit {
		page.Data = evs[:f.Limit]
		page.NextCursor = strconv.FormatInt(page.Data[f.Limit-1].ID, 10)
	}
	return page, nil
}

// Each calls fn with every event of q the actor may read, newest first,
// page by page: for the NDJSON export, which holds no more than a page.
func (s *Service) Each(ctx context.Context, actor cms.Actor, q Query, fn func(cms.AuditEvent) error) error {
	q.Limit = maxLimit
	for {
		p, err := s.Events(ctx, actor, q)
		if err != nil {
			return err
		}
		for _, ev := range p.Data {
			if err := fn(ev); err != nil {
				return err
			}
		}
		if p.NextCursor == "" {
			return nil
		}
		q.Cursor = p.NextCursor
	}
}

func (s *Service) filterFor(ctx context.Context, actor cms.Actor, q Query) (Filter, error) {
	f := Filter{ActorID: q.Actor, Action: q.Action, Limit: q.Limit}
	if f.Limit <= 0 {
		f.Limit = defaultLimit
	}
	if f.Limit > maxLimit {
		return f, cms.Invalid("limit", "must be at most 500")
	}
	if typ, id, ok := strings.Cut(q.Object, ":"); ok {
		f.ObjectType, f.ObjectID = typ, id
	} else {
		f.ObjectID = q.Object
	}
	var err error
	if f.From, err = parseTime("from", q.From); err != nil {
		return f, err
	}
	if f.To, err = parseTime("to", q.To); err != nil {
		return f, err
	}
	if q.Cursor != "" {
		id, err := strconv.ParseInt(q.Cursor, 10, 64)
		if err != nil || id < 1 {
			return f, cms.Invalid("cursor", "is not a cursor this server gave out")
		}
		f.BeforeID = id
	}
	if s.authz.Allowed(actor, "read", authz.Audit) {
		return f, nil
	}
	f.DocumentSeries, err = s.auditable(ctx, actor)
	if err != nil {
		return f, err
	}
	if len(f.DocumentSeries) == 0 {
		return f, cms.Errorf(cms.CodeForbidden, "not allowed: read the audit log (admins; editors for their series' documents)")
	}
	return f, nil
}

// auditable lists the ids of the series whose documents' events the
// actor may read.
func (s *Service) auditable(ctx context.Context, actor cms.Actor) ([]string, error) {
	all, err := s.series.AllSeries(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, sr := range all {
		if s.authz.Allowed(actor, "audit", authz.Object{Kind: "document", Series: sr.Path()}) {
			ids = append(ids, sr.ID)
		}
	}
	return ids, nil
}

// parseTime reads an RFC 3339 time or a date (its start, UTC); "" is none.
func parseTime(field, raw string) (*time.Time, error) {
	if raw == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		t, err = time.Parse(time.DateOnly, raw)
	}
	if err != nil {
		return nil, cms.Invalid(field, "must be an RFC 3339 time or a date (YYYY-MM-DD)")
	}
	t = t.UTC()
	return &t, nil
}
