package management

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
)

// listSubscribers lets admins read a list, to export it to the tool that
// sends the newsletter.
func (h *handler) listSubscribers(c echo.Context) error {
	limit, offset := 100, 0
	if raw := c.QueryParam("limit"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < 1 || v > 1000 {
			return cms.Invalid("limit", "must be between 1 and 1000")
		}
		limit = v
	}
	if raw := c.QueryParam("offset"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < 0 {
			return cms.Invalid("offset", "must be a number from 0")
		}
		offset = v
	}
	list, total, err := h.Newsletter.Subscribers(c.Request().Context(), c.QueryParam("series"), c.QueryParam("status"), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list, "total": total})
}
