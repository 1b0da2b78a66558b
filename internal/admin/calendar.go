package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

type calendarData struct {
	From, To string // the form's dates, YYYY-MM-DD
	Calendar content.Calendar
	Error    string
}

// entryLabels say what each calendar entry is, for people.
var entryLabels = map[string]string{
	content.EntryScheduled: "Goes live (scheduled)",
	content.EntryEmbargo:   "Embargo ends",
	content.EntryExpiry:    "Expires",
	content.EntryRelease:   "Release goes live",
}

// calendarPage shows the planned moments the person may see, by day: the
// same use case as GET /api/v1/calendar.
func (h *handler) calendarPage(c echo.Context) error {
	data := calendarData{From: c.QueryParam("from"), To: c.QueryParam("to")}
	from, to, err := h.Content.CalendarRange(data.From, data.To)
	if fields, ok := problemFields(err); ok {
		for _, msg := range fields {
			data.Error = msg
		}
		return h.render(c, http.StatusBadRequest, "calendar.html", "Calendar", data)
	} else if err != nil {
		return err
	}
	if data.From == "" {
		data.From = from.Format(time.DateOnly)
	}
	if data.To == "" {
		data.To = to.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	ctx, actor := c.Request().Context(), actorOf(c)
	releases, err := h.Releases.Scheduled(ctx, actor, from, to)
	if err != nil {
		return err
	}
	if data.Calendar, err = h.Content.Calendar(ctx, actor, from, to, releases...); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "calendar.html", "Calendar", data)
}

type planSetter func(ctx context.Context, actor cms.Actor, id string, version int, at *time.Time) (content.Document, error)

// setEmbargo sets or lifts (button "clear") a document's embargo from the
// editor, based on the version the page showed.
func (h *handler) setEmbargo(c echo.Context) error {
	return h.setPlan(c, h.Content.SetEmbargo, "Embargoed until ", "The embargo is lifted.")
}

// setExpiry sets or clears when the clock takes a document down.
func (h *handler) setExpiry(c echo.Context) error {
	return h.setPlan(c, h.Content.SetExpiry, "Expires at ", "No expiry any more.")
}

func (h *handler) setPlan(c echo.Context, set planSetter, setMsg, clearedMsg string) error {
	ctx, id := c.Request().Context(), c.Param("id")
	back := "/admin/documents/" + id
	var at *time.Time
	if c.FormValue("clear") == "" {
		t, err := parseLocalTime(c.FormValue("at"), c.FormValue("tz"))
		if err != nil {
			return h.redirect(c, back, "error", "Choose a date and time.")
		}
		at = &t
	}
	based := atoi(c.FormValue("version"))
	if based < 1 {
		return cms.Errorf(cms.CodePreconditionNeeded, "the form lacks the version it was loaded at; reload the page")
	}
	if _, err := set(ctx, actorOf(c), id, based, at); err != nil {
		msg, ok := h.explain(ctx, actorOf(c), id, err)
		if !ok {
			return err
		}
		return h.redirect(c, back, "error", msg)
	}
	if at == nil {
		return h.redirect(c, back, "ok", clearedMsg)
	}
	return h.redirect(c, back, "ok", setMsg+h.clock(c).format(*at)+".")
}
