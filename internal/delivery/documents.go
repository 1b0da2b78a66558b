package delivery

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/published"
)

const jsonType = "application/json"

func (s *Handler) getDocument(c echo.Context) error {
	series, slug := c.Param("series"), c.Param("slug")
	return s.serve(c, "doc\x00"+series+"\x00"+slug, published.Shows{Document: series + "/" + slug}, func() ([]byte, string, error) {
		e, err := s.store.FindDelivered(c.Request().Context(), series, slug)
		if err != nil {
			return nil, "", err
		}
		return e.Body, jsonType, nil
	})
}

const (
	defaultLimit = 25
	maxLimit     = 100
)

// listing is a listing's query and whether its items are whole documents
// (include=fields) rather than digests.
type listing struct {
	published.Query
	whole bool
}

// cacheKey names a listing by what it selects, so that parameters the API
// does not know cannot multiply the cached pages.
func (q listing) cacheKey() string {
	after := ""
	if q.After != nil {
		after = strconv.FormatInt(q.After.PublishedAt.UnixNano(), 10) + "," + q.After.DocumentID
	}
	return strings.Join([]string{"list", q.Series, q.Type, q.Topic, q.Contributor, strconv.Itoa(q.Limit),
		after, strconv.FormatBool(q.whole)}, "\x00")
}

// listQuery reads and checks a listing's parameters.
func (s *Handler) listQuery(c echo.Context) (listing, error) {
	q := listing{Query: published.Query{
		Series: c.QueryParam("series"), Type: c.QueryParam("type"),
		Topic: strings.ToLower(c.QueryParam("topic")), Contributor: c.QueryParam("contributor"), Limit: defaultLimit,
	}}
	if raw := c.QueryParam("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxLimit {
			return q, cms.Invalid("limit", "must be between 1 and 100")
		}
		q.Limit = n
	}
	switch c.QueryParam("include") {
	case "":
	case "fields":
		q.whole = true
	default:
		return q, cms.Invalid("include", `must be "fields" (whole documents instead of digests)`)
	}
	if raw := c.QueryParam("cursor"); raw != "" {
		p, err := s.live.OpenCursor(raw)
		if err != nil {
			return q, err
		}
		q.After = &p
	}
	return q, nil
}

func (s *Handler) listDocuments(c echo.Context) error {
	q, err := s.listQuery(c)
	if err != nil {
		return err
	}
	key := q.cacheKey()
	shows := published.Shows{Series: q.Series, Type: q.Type, Topic: q.Topic, Contributor: q.Contributor}
	return s.serve(c, key, shows, func() ([]byte, string, error) {
		entries, total, err := s.store.FindDeliveredPage(c.Request().Context(), q.Query)
		if err != nil {
			return nil, "", err
		}
		next := ""
		if len(entries) > q.Limit {
			entries = entries[:q.Limit]
			last := entries[len(entries)-1]
			next = s.live.SealCursor(published.Position{PublishedAt: last.PublishedAt, DocumentID: last.DocumentID})
		}
		return pageJSON(entries, q.whole, next, total), jsonType, nil
	})
}

// pageJSON splices the stored bytes of digests (or whole documents) into a
// page without decoding them: {"data":[…],"next_cursor":…,"total":n}.
func pageJSON(entries []published.Entry, whole bool, next string, total int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	for i, e := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(item(e, whole))
	}
	b.WriteString(`],"next_cursor":`)
	if next == "" {
		b.WriteString("null")
	} else {
		cur, _ := json.Marshal(next)
		b.Write(cur)
	}
	b.WriteString(`,"total":`)
	b.WriteString(strconv.Itoa(total))
	b.WriteByte('}')
	return b.Bytes()
}

// item is an entry's digest, or its whole document when asked for or when
// an instance of an older build stored the entry without a digest (the
// document is a superset of the digest).
func item(e published.Entry, whole bool) []byte {
	if whole || len(e.Digest) == 0 {
		return e.Body
	}
	return e.Digest
}
