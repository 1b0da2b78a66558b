package management

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
)

// listSubscribers lets admins read a list, to export it to the tool that
// sends the newsletter.
func (h *handler) listSubscribers(c echo.Context) error {
	limit, offset, err := pageParams(c, 100, 1000)
	if err != nil {
		return err
	}
	list, total, err := h.Newsletter.Subscribers(c.Request().Context(), c.QueryParam("series"), c.QueryParam("status"), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list, "total": total})
}

// pageParams reads limit and offset query parameters: limit in 1..maxLimit
// (def when absent), offset from 0; anything else is a 400.
func pageParams(c echo.Context, def, maxLimit int) (limit, offset int, err error) {
	limit = def
	if raw := c.QueryParam("limit"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < 1 || v > maxLimit {
			return 0, 0, cms.Invalid("limit", fmt.Sprintf("must be between 1 and %d", maxLimit))
		}
		limit = v
	}
	if raw := c.QueryParam("offset"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < 0 {
			return 0, 0, cms.Invalid("offset", "must be a number from 0")
		}
		offset = v
	}
	return limit, offset, nil
}
