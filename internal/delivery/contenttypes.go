package delivery

import (
	"encoding/json"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/server"
)

// contentTypeOut is a content type as a front end needs it: its fields in
// order with their labels and kinds, without the newsroom's bookkeeping.
type contentTypeOut struct {
	Name   string          `json:"name"`
	Label  string          `json:"label"`
	Fields []content.Field `json:"fields"`
}

func contentTypeOf(ct content.ContentType) contentTypeOut {
	return contentTypeOut{Name: ct.Name, Label: ct.Label, Fields: ct.Fields}
}

// listContentTypes answers GET /content-types. A new content type
// changes no delivered content, so the delivery cache would not notice
// it; the answer is built each time (one small table) and sent with the
// cache's validators, so a client still revalidates to a 304.
func (s *Handler) listContentTypes(c echo.Context) error {
	return s.fresh(c, func() ([]byte, string, error) {
		all, err := s.store.FindContentTypes(c.Request().Context())
		if err != nil {
			return nil, "", err
		}
		out := make([]contentTypeOut, 0, len(all))
		for _, ct := range all {
			out = append(out, contentTypeOf(ct))
		}
		body, err := json.Marshal(map[string]any{"data": out})
		return body, jsonType, err
	})
}

func (s *Handler) getContentType(c echo.Context) error {
	name := c.Param("name")
	return s.fresh(c, func() ([]byte, string, error) {
		ct, err := s.store.FindContentType(c.Request().Context(), name)
		if err != nil {
			return nil, "", err
		}
		body, err := json.Marshal(contentTypeOf(ct))
		return body, jsonType, err
	})
}

// fresh builds a response each time and sends it as serve does.
func (s *Handler) fresh(c echo.Context, build func() ([]byte, string, error)) error {
	body, contentType, err := build()
	if err != nil {
		return err
	}
	return server.WriteCached(c, published.Response(body, contentType), s.cfg.CacheControl)
}
