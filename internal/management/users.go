package management

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/auth"
)

func (h *handler) listUsers(c echo.Context) error {
	users, err := h.Auth.Users(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": users})
}

func (h *handler) createUser(c echo.Context) error {
	var req auth.NewUser
	if err := decode(c, &req); err != nil {
		return err
	}
	u, err := h.Auth.CreateUser(c.Request().Context(), actorOf(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (h *handler) getUser(c echo.Context) error {
	u, err := h.Auth.User(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (h *handler) updateUser(c echo.Context) error {
	var req auth.UserPatch
	if err := decode(c, &req); err != nil {
		return err
	}
	u, err := h.Auth.UpdateUser(c.Request().Context(), actorOf(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}
