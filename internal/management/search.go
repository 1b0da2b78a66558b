package management

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/search"
)

func (h *handler) staffSearch(c echo.Context) error {
	res, err := h.Search.StaffSearch(c.Request().Context(), actorOf(c), search.Params{
		Q: c.QueryParam("q"), State: c.QueryParam("state"), Limit: c.QueryParam("limit"), Cursor: c.QueryParam("cursor"),
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
