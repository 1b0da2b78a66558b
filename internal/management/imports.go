package management

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/wordpress"
)

// startImport takes a WordPress export as the multipart field "file",
// with the command's options as fields, and answers 202 with the job.
func (h *handler) startImport(c echo.Context) error {
	// The route is exempt from JSON's body limit; this is its own.
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, wordpress.MaxFileBytes+1<<20)
	fh, err := c.FormFile("file")
	if err != nil {
		return cms.Invalid("file", "send the export as the multipart field \"file\"")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	opt := wordpress.Options{Series: c.FormValue("series"), Type: c.FormValue("type")}
	for name, dst := range map[string]*bool{"dry_run": &opt.DryRun, "fetch_media": &opt.FetchMedia, "categories_as_series": &opt.CategoriesAsSeries} {
		if v := c.FormValue(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return cms.Invalid(name, "must be true or false")
			}
			*dst = b
		}
	}
	job, err := h.WordPress.Start(c.Request().Context(), actorOf(c), fh.Filename, f, opt)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/imports/"+job.ID)
	return c.JSON(http.StatusAccepted, job)
}

func (h *handler) getImport(c echo.Context) error {
	job, err := h.WordPress.Job(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, job)
}

func (h *handler) listRedirects(c echo.Context) error {
	limit, offset, err := pageParams(c, 100, 500)
	if err != nil {
		return err
	}
	list, total, err := h.Content.Redirects(c.Request().Context(), actorOf(c), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list, "total": total})
}

func (h *handler) createRedirect(c echo.Context) error {
	var in struct {
		Path       string `json:"path"`
		DocumentID string `json:"document_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := h.Content.AddRedirect(c.Request().Context(), actorOf(c), in.Path, in.DocumentID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (h *handler) deleteRedirect(c echo.Context) error {
	if err := h.Content.DeleteRedirect(c.Request().Context(), actorOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
