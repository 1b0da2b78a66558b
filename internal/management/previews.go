package management

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/published"
)

func (h *handler) createPreviewLink(c echo.Context) error {
	var in published.PreviewRequest
	if c.Request().ContentLength != 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	l, err := h.Live.CreatePreviewLink(c.Request().Context(), actorOf(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, l)
}

func (h *handler) listPreviewLinks(c echo.Context) error {
	links, err := h.Live.PreviewLinks(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": links})
}

func (h *handler) revokePreviewLink(c echo.Context) error {
	if err := h.Live.RevokePreviewLink(c.Request().Context(), actorOf(c), c.Param("id"), c.Param("pid")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
