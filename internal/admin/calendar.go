package admin

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

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
	if data.Calendar, err = h.Content.Calendar(c.Request().Context(), actorOf(c), from, to); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "calendar.html", "Calendar", data)
}
