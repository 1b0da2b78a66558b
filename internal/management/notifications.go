package management

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/notify"
)

// listNotifications pages the caller's notifications, newest first;
// ?unread=true keeps the unread ones.
func (h *handler) listNotifications(c echo.Context) error {
	limit := 0
	if raw := c.QueryParam("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return cms.Invalid("limit", "must be a positive integer")
		}
		limit = n
	}
	unread := false
	switch c.QueryParam("unread") {
	case "", "false":
	case "true":
		unread = true
	default:
		return cms.Invalid("unread", "must be true or false")
	}
	page, err := h.Notify.List(c.Request().Context(), actorOf(c), unread, c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// readNotifications marks the caller's notifications read: {ids} or
// {all: true}.
func (h *handler) readNotifications(c echo.Context) error {
	var in notify.ReadRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := h.Notify.MarkRead(c.Request().Context(), actorOf(c), in); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *handler) getNotificationPrefs(c echo.Context) error {
	p, err := h.Notify.Prefs(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// putNotificationPrefs switches mail on or off per kind; kinds left out
// stay as they are.
func (h *handler) putNotificationPrefs(c echo.Context) error {
	var in notify.Prefs
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := h.Notify.SetPrefs(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
