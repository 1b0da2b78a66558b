package management

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/newsletter"
)

// Newsletter editions: the domain asks the enforcer about the series of
// each (its publishers and admins), so these routes need a signed-in user.

func (h *handler) getNewsletterSettings(c echo.Context) error {
	s, err := h.Editions.Settings(c.Request().Context(), actorOf(c), c.Param("slug"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

func (h *handler) putNewsletterSettings(c echo.Context) error {
	var in newsletter.Settings
	if err := decode(c, &in); err != nil {
		return err
	}
	s, err := h.Editions.SaveSettings(c.Request().Context(), actorOf(c), c.Param("slug"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

func (h *handler) createSend(c echo.Context) error {
	var in struct {
		Series string `json:"series"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	s, err := h.Editions.CreateSend(c.Request().Context(), actorOf(c), c.Param("id"), in.Series)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s)
}

func (h *handler) listSends(c echo.Context) error {
	f := newsletter.SendFilter{DocumentID: c.QueryParam("document"), Series: c.QueryParam("series"), Status: c.QueryParam("status")}
	list, err := h.Editions.Sends(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list})
}

func (h *handler) getSend(c echo.Context) error {
	s, err := h.Editions.Send(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

// listRecipients pages by cursor: next_cursor is the last row's id, empty
// on the last page.
func (h *handler) listRecipients(c echo.Context) error {
	limit, _, err := pageParams(c, 100, 1000)
	if err != nil {
		return err
	}
	list, err := h.Editions.Recipients(c.Request().Context(), actorOf(c), c.Param("id"), c.QueryParam("status"), c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	next := ""
	if len(list) == limit {
		next = list[len(list)-1].ID
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list, "next_cursor": next})
}

func (h *handler) pauseSend(c echo.Context) error {
	s, err := h.Editions.Pause(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

func (h *handler) resumeSend(c echo.Context) error {
	s, err := h.Editions.Resume(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}
