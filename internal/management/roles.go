package management

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
)

func (h *handler) listRoles(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"data": h.Authz.Assignments(c.QueryParam("user_id"))})
}

// roleRequest decodes and checks an assignment: the role is known, the
// user exists and the series is "*" or exists.
func (h *handler) roleRequest(c echo.Context) (authz.Assignment, error) {
	var a authz.Assignment
	if err := decode(c, &a); err != nil {
		return a, err
	}
	if err := authz.ValidateRole(a.Role); err != nil {
		return a, err
	}
	if _, err := h.Auth.User(c.Request().Context(), a.UserID); cms.IsCode(err, cms.CodeNotFound) {
		return a, cms.Invalid("user_id", "no such user")
	} else if err != nil {
		return a, err
	}
	if a.Series == "" {
		return a, cms.Invalid("series", `is required ("*" for every series)`)
	}
	if a.Series != authz.AllSeries {
		if _, err := h.Content.Series(c.Request().Context(), a.Series); cms.IsCode(err, cms.CodeNotFound) {
			return a, cms.Invalid("series", "no such series")
		} else if err != nil {
			return a, err
		}
	}
	return a, nil
}

func (h *handler) assignRole(c echo.Context) error {
	a, err := h.roleRequest(c)
	if err != nil {
		return err
	}
	if err := h.Authz.Assign(c.Request().Context(), actorOf(c), a); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a)
}

func (h *handler) revokeRole(c echo.Context) error {
	a, err := h.roleRequest(c)
	if err != nil {
		return err
	}
	if err := h.Authz.Revoke(c.Request().Context(), actorOf(c), a); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
