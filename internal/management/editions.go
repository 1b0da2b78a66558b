package management

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/server"
)

// newsletterPreview answers the HTML part that the document's head
// revision would be mailed with, to the list of ?series= (or the nearest
// list of its series and those above it).
func (h *handler) newsletterPreview(c echo.Context) error {
	ctx := c.Request().Context()
	doc, err := h.Live.RenderHead(ctx, actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	html, err := h.Newsletter.PreviewEdition(ctx, doc, c.QueryParam("series"))
	if err != nil {
		return err
	}
	return server.InertHTML(c, html)
}

type testSendRequest struct {
	Series string `json:"series"`
}

// testSend mails the head revision, as its newsletter would, to the
// person who asks and nobody else.
func (h *handler) testSend(c echo.Context) error {
	var in testSendRequest
	if c.Request().ContentLength != 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	ctx, actor := c.Request().Context(), actorOf(c)
	if _, err := h.Content.Authorize(ctx, actor, c.Param("id"), "test_send"); err != nil {
		return err
	}
	doc, err := h.Live.RenderHead(ctx, actor, c.Param("id"))
	if err != nil {
		return err
	}
	m, err := h.Newsletter.SendTest(ctx, doc, in.Series, actor.Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"id": m.ID, "to": m.To, "subject": m.Subject, "series": m.ListID})
}
