package management

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/server"
)

// listSubscribers lets admins read a list, to export it to the tool that
// sends the newsletter.
func (h *handler) listSubscribers(c echo.Context) error {
	limit, offset, err := pageParams(c, 100, 1000)
	if err != nil {
		return err
	}
	list, total, err := h.Newsletter.Subscribers(c.Request().Context(), c.QueryParam("series"), c.QueryParam("status"), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list, "total": total})
}

// pageParams reads limit and offset query parameters: limit in 1..maxLimit
// (def when absent), offset from 0; anything else is a 400.
func pageParams(c echo.Context, def, maxLimit int) (limit, offset int, err error) {
	limit = def
	if raw := c.QueryParam("limit"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < 1 || v > maxLimit {
			return 0, 0, cms.Invalid("limit", fmt.Sprintf("must be between 1 and %d", maxLimit))
		}
		limit = v
	}
	if raw := c.QueryParam("offset"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < 0 {
			return 0, 0, cms.Invalid("offset", "must be a number from 0")
		}
		offset = v
	}
	return limit, offset, nil
}

// exportSubscribers streams a list as CSV (the domain authorizes: the
// series' publishers, or admins for every list), page by page as the
// domain reads it, so that a long list is never held whole.
func (h *handler) exportSubscribers(c echo.Context) error {
	name := c.QueryParam("series")
	if name == "" {
		name = "all"
	}
	return h.Editions.ExportSubscribers(c.Request().Context(), actorOf(c), c.QueryParam("series"), server.CSVDownload(c, "subscribers-"+name+".csv"))
}

// eraseSubscriber erases an address on every list (admins).
func (h *handler) eraseSubscriber(c echo.Context) error {
	if err := h.Editions.EraseSubscriber(c.Request().Context(), actorOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// importSubscribers takes a CSV as the multipart field "file" (with the
// form fields series and basis) or as a text/csv body (with them in the
// query string).
func (h *handler) importSubscribers(c echo.Context) error {
	req, closeFile, err := importRequest(c)
	if err != nil {
		return err
	}
	defer closeFile()
	rep, err := h.Editions.ImportSubscribers(c.Request().Context(), actorOf(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

func importRequest(c echo.Context) (newsletter.ImportRequest, func(), error) {
	none := func() {}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	switch mt {
	case "text/csv":
		req := newsletter.ImportRequest{Series: c.QueryParam("series"), Basis: c.QueryParam("basis"), CSV: c.Request().Body}
		return req, none, server.CheckText("basis", req.Basis)
	case echo.MIMEMultipartForm:
		fh, err := c.FormFile("file")
		if err != nil {
			return newsletter.ImportRequest{}, none, cms.Invalid("file", `send the CSV as the multipart form field "file"`)
		}
		if err := server.CheckMultipart(c); err != nil {
			return newsletter.ImportRequest{}, none, err
		}
		f, err := fh.Open()
		if err != nil {
			return newsletter.ImportRequest{}, none, err
		}
		return newsletter.ImportRequest{Series: c.FormValue("series"), Basis: c.FormValue("basis"), CSV: f}, func() { f.Close() }, nil
	}
	return newsletter.ImportRequest{}, none, cms.Errorf(cms.CodeUnsupportedMedia, "send the CSV as text/csv or as multipart/form-data")
}
