package management

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

type lockRequest struct {
	TakeOver bool `json:"take_over"`
}

// lockDocument takes, renews (the heartbeat) or takes over the caller's
// edit lock; someone else's is 409 naming them.
func (h *handler) lockDocument(c echo.Context) error {
	var in lockRequest
	if c.Request().ContentLength != 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	l, err := h.Content.LockDocument(c.Request().Context(), actorOf(c), c.Param("id"), in.TakeOver)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

// unlockDocument lets go of the caller's lock.
func (h *handler) unlockDocument(c echo.Context) error {
	if err := h.Content.UnlockDocument(c.Request().Context(), actorOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
