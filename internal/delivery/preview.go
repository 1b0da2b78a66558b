package delivery

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/render"
)

// preview shows a document's head revision in the delivered shape. It is
// private: never cached by anyone, never indexed.
func (s *Handler) preview(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Robots-Tag", "noindex")
	l, doc, err := s.live.OpenPreview(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	s.cfg.Logger.Info("preview link used", "link", l.ID, "document", l.DocumentID, "remote_ip", c.RealIP())
	if s.cfg.PreviewPage != nil && wantsPage(c.Request().Header.Get(echo.HeaderAccept)) {
		page, err := s.cfg.PreviewPage(c.Request().Context(), doc)
		if err != nil {
			return err
		}
		h.Set("Content-Security-Policy", s.cfg.PreviewPolicy)
		h.Add("Vary", "Accept")
		return c.HTMLBlob(http.StatusOK, page)
	}
	body, err := render.JSON(doc)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, jsonType, body)
}

// wantsPage is true for a browser opening a preview link: one that names
// text/html and prefers it to JSON. API clients keep the JSON.
func wantsPage(accept string) bool {
	htmlQ, htmlNamed := acceptQuality(accept, "text/html")
	jsonQ, _ := acceptQuality(accept, "application/json")
	return htmlNamed && htmlQ > jsonQ
}
