package management

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/newsletter"
)

// postMailEvents takes a provider's report of bounces and complaints.
func (h *handler) postMailEvents(c echo.Context) error {
	var events []newsletter.MailEvent
	if err := decode(c, &events); err != nil {
		return err
	}
	n, err := h.Editions.RecordMailEvents(c.Request().Context(), actorOf(c), events)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"received": len(events), "suppressed": n})
}
