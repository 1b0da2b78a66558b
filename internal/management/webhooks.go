package management

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/webhook"
)

// createdWebhook is the one response that shows a webhook's secret.
type createdWebhook struct {
	webhook.Webhook
	Secret string `json:"secret"`
}

func (h *handler) listWebhooks(c echo.Context) error {
	list, err := h.Webhooks.List(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list})
}

func (h *handler) createWebhook(c echo.Context) error {
	var in webhook.NewWebhook
	if err := decode(c, &in); err != nil {
		return err
	}
	w, secret, err := h.Webhooks.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createdWebhook{Webhook: w, Secret: secret})
}

func (h *handler) deleteWebhook(c echo.Context) error {
	if err := h.Webhooks.Delete(c.Request().Context(), actorOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *handler) listWebhookDeliveries(c echo.Context) error {
	list, err := h.Webhooks.Attempts(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list})
}
