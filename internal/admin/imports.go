package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/wordpress"
)

// importView is one import's progress, as its page polls it.
type importView struct {
	wordpress.Job
	Percent int
}

// Running is true while the import still moves, so the page polls it.
func (v importView) Running() bool { return v.Status == wordpress.JobRunning }

func viewOf(j wordpress.Job) importView {
	v := importView{Job: j}
	if j.Total > 0 {
		v.Percent = min(j.Done*100/j.Total, 100)
	}
	if j.Status == wordpress.JobDone {
		v.Percent = 100
	}
	return v
}

// importForm is the page to start a WordPress import.
func (h *handler) importForm(c echo.Context) error {
	return h.render(c, http.StatusOK, "imports.html", "Import a WordPress site", nil)
}

// startImport takes the uploaded export and shows the import's page.
func (h *handler) startImport(c echo.Context) error {
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, wordpress.MaxFileBytes+1<<20)
	fh, err := c.FormFile("file")
	if err != nil {
		return h.redirect(c, "/admin/imports", "error", "Choose the WordPress export file (WXR) to import.")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	opt := wordpress.Options{Series: c.FormValue("series"), Type: c.FormValue("type"), DryRun: c.FormValue("dry_run") == "on",
		CategoriesAsSeries: c.FormValue("categories_as_series") == "on", FetchMedia: c.FormValue("fetch_media") == "on"}
	job, err := h.WordPress.Start(c.Request().Context(), actorOf(c), fh.Filename, f, opt)
	if err != nil {
		return h.failed(c, "/admin/imports", err)
	}
	return h.redirect(c, "/admin/imports/"+job.ID, "ok", "Importing "+fh.Filename+".")
}

// showImport is one import's page: its progress bar, then its report.
func (h *handler) showImport(c echo.Context) error {
	job, err := h.WordPress.Job(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "imports.html", "Import of "+job.Filename, viewOf(job))
}

// importProgress answers the progress fragment, which the import's page
// polls every two seconds while it runs.
func (h *handler) importProgress(c echo.Context) error {
	job, err := h.WordPress.Job(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	html, err := h.fragmentFor(c, "imports.html", "importProgress", viewOf(job))
	if err != nil {
		return err
	}
	return c.HTML(http.StatusOK, html)
}
