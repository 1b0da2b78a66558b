package management

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// setEmbargo sets or lifts a document's embargo: PUT {at} or {at: null},
// with If-Match like any write.
func (h *handler) setEmbargo(c echo.Context) error {
	return h.setPlan(c, h.Content.SetEmbargo)
}

// setExpiry sets or clears when a document is unpublished by the clock.
func (h *handler) setExpiry(c echo.Context) error {
	return h.setPlan(c, h.Content.SetExpiry)
}

type planSetter func(ctx context.Context, actor cms.Actor, id string, version int, at *time.Time) (content.Document, error)

func (h *handler) setPlan(c echo.Context, set planSetter) error {
	var in content.PlanRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var at *time.Time
	if in.At != nil {
		at = &in.At.Time
	}
	d, err := set(c.Request().Context(), actorOf(c), c.Param("id"), version, at)
	if err != nil {
		return err
	}
	return document(c, http.StatusOK, d)
}

// getCalendar lists the planned moments the caller may see, by day.
func (h *handler) getCalendar(c echo.Context) error {
	from, to, err := h.Content.CalendarRange(c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), actorOf(c)
	releases, err := h.Releases.Scheduled(ctx, actor, from, to)
	if err != nil {
		return err
	}
	cal, err := h.Content.Calendar(ctx, actor, from, to, releases...)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cal)
}
