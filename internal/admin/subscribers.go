package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

// subscribersPage is how many subscribers the page lists at once.
const subscribersPage = 100

type subscribersData struct {
	Filter      newsletter.SubscriberFilter
	Series      []content.Series
	Subscribers []newsletter.Subscriber
	Total       int
	Offset      int
	Next, Prev  int // offsets of the neighbouring pages; -1: none
	Errors      map[string]string
}

// listSubscribers finds subscribers by a part of their address, series
// and status, and shows each one's status and consent: when they signed
// up, confirmed and left.
func (h *handler) listSubscribers(c echo.Context) error {
	ctx := c.Request().Context()
	f := newsletter.SubscriberFilter{Email: c.QueryParam("q"), Series: c.QueryParam("series"), Status: c.QueryParam("status")}
	all, err := h.Content.AllSeries(ctx)
	if err != nil {
		return err
	}
	data := subscribersData{Filter: f, Series: all, Offset: max(atoi(c.QueryParam("offset")), 0), Next: -1, Prev: -1}
	list, total, err := h.Newsletter.SearchSubscribers(ctx, f, subscribersPage, data.Offset)
	if errs, ok := problemFields(err); ok {
		data.Errors = errs
		return h.render(c, http.StatusBadRequest, "subscribers.html", "Subscribers", data)
	}
	if err != nil {
		return err
	}
	data.Subscribers, data.Total = list, total
	if data.Offset+len(list) < total {
		data.Next = data.Offset + subscribersPage
	}
	if data.Offset > 0 {
		data.Prev = max(data.Offset-subscribersPage, 0)
	}
	return h.render(c, http.StatusOK, "subscribers.html", "Subscribers", data)
}
