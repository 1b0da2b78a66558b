package delivery

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/server"
)

// RegisterSubscribers mounts the mailing-list sign-up on g (the
// /delivery/v1 group): the one write the delivery API takes.
func RegisterSubscribers(g *echo.Group, n *newsletter.Service) {
	h := subscribers{n}
	g.POST("/subscribers", h.subscribe)
	g.Match([]string{http.MethodGet, http.MethodPost}, "/subscribers/confirm", h.confirm)
	// POST for mail clients' one-click unsubscribe (RFC 8058), GET for people.
	g.Match([]string{http.MethodGet, http.MethodPost}, "/subscribers/unsubscribe", h.unsubscribe)
}

type subscribers struct {
	n *newsletter.Service
}

// subscribe always answers 202 with the same body for a well-formed
// request, whether the address is new, pending or already confirmed.
func (h subscribers) subscribe(c echo.Context) error {
	var req newsletter.SubscribeRequest
	if err := server.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := h.n.Subscribe(c.Request().Context(), req); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{
		"status":  newsletter.Pending,
		"message": "If this address is not on the list yet, a confirmation link is on its way.",
	})
}

func (h subscribers) confirm(c echo.Context) error {
	sub, err := h.n.Confirm(c.Request().Context(), c.QueryParam("token"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]string{"status": sub.Status, "series": sub.Series})
}

func (h subscribers) unsubscribe(c echo.Context) error {
	sub, err := h.n.Unsubscribe(c.Request().Context(), c.QueryParam("token"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]string{"status": sub.Status, "series": sub.Series})
}
