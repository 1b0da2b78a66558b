package search

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/render"
)

// Service runs searches.
type Service struct {
	store   Store
	content *content.Service
	baseURL *url.URL
	cache   *resultCache
}

// NewService returns a Service; hit URLs start at baseURL.
func NewService(store Store, cs *content.Service, baseURL *url.URL) *Service {
	return &Service{store: store, content: cs, baseURL: baseURL, cache: newResultCache(resultCacheBudget)}
}

// Params are a search's raw parameters, as a reader sends them.
type Params struct {
	Q, Series, Type, Topic, Year, Limit, Cursor, Facets, State string
}

const (
	defaultLimit = 10
	maxLimit     = 50
	// maxOffset bounds deep paging: ranking past it is not worth its cost.
	maxOffset = 10_000
)

// Search answers a public search: live documents only, ranked, with the
// exact total and, on request, facets. Without q it answers the size of
// the index (with filters applied).
func (s *Service) Search(ctx context.Context, p Params) (Result, error) {
	q, err := Parse(p.Q)
	if err != nil {
		return Result{}, err
	}
	if q.Empty() && len(q.Excluded) > 0 {
		return Result{}, cms.Invalid("q", "add a word to find: an excluded term only narrows a search")
	}
	r := Request{Query: q, Series: p.Series, Type: p.Type, Topic: strings.ToLower(p.Topic)}
	if r.Facets, err = facets(p.Facets); err != nil {
		return Result{}, err
	}
	if r.Limit, r.Offset, err = paging(p.Limit, p.Cursor); err != nil {
		return Result{}, err
	}
	if p.Year != "" {
		if r.Year, err = strconv.Atoi(p.Year); err != nil || r.Year < 1000 || r.Year > 9999 {
			return Result{}, cms.Invalid("year", "must be a four-digit year")
		}
	}
	// The version is read before the search: an answer computed while a
	// publish commits is filed under the version before it, never after.
	version, err := s.store.DeliveryVersion(ctx)
	if err != nil {
		return Result{}, err
	}
	key := cacheKey(r)
	if res, ok := s.cache.get(key, version); ok {
		return res, nil
	}
	res, err := s.store.SearchLive(ctx, r)
	if err != nil {
		return Result{}, err
	}
	for i := range res.Data {
		h := &res.Data[i]
		h.URL = s.baseURL.String() + "/" + url.PathEscape(h.Series.Slug) + "/" + url.PathEscape(h.Slug)
		h.Snippet = Highlight(h.Snippet)
	}
	if r.Offset+len(res.Data) < res.Total && len(res.Data) == r.Limit && r.Offset+r.Limit < maxOffset {
		next := encodeOffset(r.Offset + r.Limit)
		res.NextCursor = &next
	}
	s.cache.put(key, version, res)
	return res, nil
}

// Invalidate drops every cached answer of this instance. Answers are
// already keyed by the delivery version, which every change to what is
// live moves; this is for a caller that knows of a change sooner.
func (s *Service) Invalidate() { s.cache.clear() }

// facets reads the facets flag: on when absent. The document types it as
// a boolean, so only its two spellings are taken; anything else (1, 0,
// yes, TRUE) is refused rather than quietly read as one of them.
func facets(v string) (bool, error) {
	switch v {
	case "", "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, cms.Invalid("facets", "must be true or false")
}

func paging(limit, cursor string) (int, int, error) {
	n := defaultLimit
	if limit != "" {
		v, err := strconv.Atoi(limit)
		if err != nil || v < 1 || v > maxLimit {
			return 0, 0, cms.Invalid("limit", fmt.Sprintf("must be between 1 and %d", maxLimit))
		}
		n = v
	}
	offset := 0
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		v, convErr := strconv.Atoi(strings.TrimPrefix(string(raw), "o:"))
		if err != nil || convErr != nil || !strings.HasPrefix(string(raw), "o:") || v < 0 || v > maxOffset {
			return 0, 0, cms.Invalid("cursor", "is not a cursor this API gave out")
		}
		offset = v
	}
	return n, offset, nil
}

func encodeOffset(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(n)))
}

// StaffRequest is a staff search over head revisions.
type StaffRequest struct {
	Query   Query
	State   string
	Visible *content.Visibility
	Limit   int
	Offset  int
}

// StaffHit is a document found by staff search.
type StaffHit struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	State     string    `json:"state"`
	Series    string    `json:"series"`
	Type      string    `json:"type"`
	Snippet   string    `json:"snippet"`
	UpdatedAt time.Time `json:"updated_at"`
}

// StaffResult is a page of staff hits.
type StaffResult struct {
	Total      int        `json:"total"`
	Data       []StaffHit `json:"data"`
	NextCursor *string    `json:"next_cursor"`
}

// StaffSearch searches the head revisions of the documents the actor may
// see (the enforcer decides, through content's visibility).
func (s *Service) StaffSearch(ctx context.Context, actor cms.Actor, p Params) (StaffResult, error) {
	q, err := Parse(p.Q)
	if err != nil {
		return StaffResult{}, err
	}
	if q.Empty() && len(q.Excluded) > 0 {
		return StaffResult{}, cms.Invalid("q", "add a word to find: an excluded term only narrows a search")
	}
	vis, err := s.content.VisibilityOf(ctx, actor)
	if err != nil {
		return StaffResult{}, err
	}
	r := StaffRequest{Query: q, State: p.State, Visible: vis}
	if p.State != "" && !content.ValidState(p.State) {
		return StaffResult{}, cms.Invalid("state", "no such state")
	}
	if r.Limit, r.Offset, err = paging(p.Limit, p.Cursor); err != nil {
		return StaffResult{}, err
	}
	res, err := s.store.SearchStaff(ctx, r)
	if err != nil {
		return StaffResult{}, err
	}
	for i := range res.Data {
		res.Data[i].Snippet = Highlight(res.Data[i].Snippet)
	}
	if r.Offset+len(res.Data) < res.Total && len(res.Data) == r.Limit && r.Offset+r.Limit < maxOffset {
		next := encodeOffset(r.Offset + r.Limit)
		res.NextCursor = &next
	}
	return res, nil
}

// Reindex rebuilds the public index from the delivered documents and
// returns how many it indexed.
func (s *Service) Reindex(ctx context.Context) (int, error) {
	defer s.Invalidate()
	return s.store.ReindexLive(ctx, DocFromBody)
}

// LiveIndexer is delivery's view of the public index: it is called inside
// the publishing transaction with the rendered live revision.
type LiveIndexer struct{}

// PutLive indexes a rendered live document.
func (LiveIndexer) PutLive(ctx context.Context, tx content.Store, d render.Document, parent *string) error {
	ix, ok := tx.(IndexTx)
	if !ok {
		return fmt.Errorf("search: the transaction's store lacks index methods")
	}
	return ix.PutLive(ctx, FromRendered(d, parent))
}

// PutLives indexes rendered live documents (parents[i] is docs[i]'s
// parent series) in a few statements when the store can.
func (x LiveIndexer) PutLives(ctx context.Context, tx content.Store, docs []render.Document, parents []*string) error {
	bx, ok := tx.(BatchIndexTx)
	if !ok {
		for i, d := range docs {
			if err := x.PutLive(ctx, tx, d, parents[i]); err != nil {
				return err
			}
		}
		return nil
	}
	out := make([]Doc, len(docs))
	for i, d := range docs {
		out[i] = FromRendered(d, parents[i])
	}
	return bx.PutLiveBatch(ctx, out)
}

// DeleteLive removes a document from the public index.
func (LiveIndexer) DeleteLive(ctx context.Context, tx content.Store, documentID string) error {
	ix, ok := tx.(IndexTx)
	if !ok {
		return fmt.Errorf("search: the transaction's store lacks index methods")
	}
	return ix.DeleteLive(ctx, documentID)
}

// DocFromBody is the index entry of a stored delivered body, for reindex.
func DocFromBody(body []byte, parent *string) (Doc, error) {
	var d render.Document
	if err := json.Unmarshal(body, &d); err != nil {
		return Doc{}, fmt.Errorf("search: delivered body: %w", err)
	}
	return FromRendered(d, parent), nil
}
