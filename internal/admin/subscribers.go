package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/server"
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
	// Privacy is on when the editions are: export, import and erasure.
	Privacy bool
	// Import is the report of the import just made; ImportErrors, why
	// the one just tried was refused whole (by field: series, basis, file).
	Import       *newsletter.ImportReport
	ImportSeries string
	ImportBasis  string
	ImportErrors map[string]string
}

// listSubscribers finds subscribers by a part of their address, series
// and status, and shows each one's status and consent: when they signed
// up, confirmed and left, and on what basis.
func (h *handler) listSubscribers(c echo.Context) error {
	f := newsletter.SubscriberFilter{Email: c.QueryParam("q"), Series: c.QueryParam("series"), Status: c.QueryParam("status")}
	data := subscribersData{Filter: f, Offset: max(atoi(c.QueryParam("offset")), 0)}
	return h.showSubscribers(c, http.StatusOK, data)
}

// showSubscribers renders the page for data's filter and offset.
func (h *handler) showSubscribers(c echo.Context, status int, data subscribersData) error {
	ctx := c.Request().Context()
	all, err := h.Content.AllSeries(ctx)
	if err != nil {
		return err
	}
	data.Series, data.Next, data.Prev, data.Privacy = all, -1, -1, h.Editions != nil
	list, total, err := h.Newsletter.SearchSubscribers(ctx, data.Filter, subscribersPage, data.Offset)
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
	return h.render(c, status, "subscribers.html", "Subscribers", data)
}

// exportSubscribers downloads a list (or every list) as CSV, streamed as
// the domain reads it.
func (h *handler) exportSubscribers(c echo.Context) error {
	name := c.QueryParam("series")
	if name == "" {
		name = "all"
	}
	return h.Editions.ExportSubscribers(c.Request().Context(), actorOf(c), c.QueryParam("series"), server.CSVDownload(c, "subscribers-"+name+".csv"))
}

// importSubscribers adds a CSV's new addresses to a list with the consent
// basis given, and shows what it added, skipped and refused, row by row.
// A file refused whole comes back with the reason by its field.
func (h *handler) importSubscribers(c echo.Context) error {
	data := subscribersData{ImportSeries: c.FormValue("series"), ImportBasis: c.FormValue("basis")}
	fh, err := c.FormFile("file")
	if err != nil {
		data.ImportErrors = map[string]string{"file": "choose a CSV file with a header row and an email column"}
		return h.showSubscribers(c, http.StatusBadRequest, data)
	}
	if err := server.CheckMultipart(c); err != nil {
		return err
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := h.Editions.ImportSubscribers(c.Request().Context(), actorOf(c),
		newsletter.ImportRequest{Series: data.ImportSeries, Basis: data.ImportBasis, CSV: f})
	if errs, ok := problemFields(err); ok {
		data.ImportErrors = errs
		return h.showSubscribers(c, http.StatusBadRequest, data)
	}
	if err != nil {
		return h.failed(c, "/admin/subscribers", err)
	}
	data.Import = &rep
	data.Filter.Series = data.ImportSeries
	return h.showSubscribers(c, http.StatusOK, data)
}

// confirmErase asks before erasing: the strict CSP leaves no room for a
// script's confirm(), so the question is a page of its own.
func (h *handler) confirmErase(c echo.Context) error {
	sub, err := h.Editions.Subscriber(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "subscriber_erase.html", "Erase "+sub.Email, sub)
}

// eraseSubscriber erases the address on every list, keeping only its
// hash so that it is never mailed again.
func (h *handler) eraseSubscriber(c echo.Context) error {
	if err := h.Editions.EraseSubscriber(c.Request().Context(), actorOf(c), c.Param("id")); err != nil {
		return h.failed(c, "/admin/subscribers", err)
	}
	return h.redirect(c, "/admin/subscribers", "ok", "The address was erased from every list; only its hash is kept, so it is never mailed again.")
}
