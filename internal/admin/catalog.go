package admin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/content"
)

type seriesData struct {
	All       []content.Series
	Parents   []content.Series
	CanManage bool
	Edit      *content.Series
	// Newsletter holds the slugs whose newsletter settings the person may
	// open.
	Newsletter map[string]bool
}

func (h *handler) listSeries(c echo.Context) error {
	return h.showSeries(c, nil)
}

func (h *handler) editSeries(c echo.Context) error {
	s, err := h.Content.Series(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return h.showSeries(c, &s)
}

func (h *handler) showSeries(c echo.Context, edit *content.Series) error {
	all, err := h.Content.AllSeries(c.Request().Context())
	if err != nil {
		return err
	}
	data := seriesData{All: all, Edit: edit, CanManage: h.Authz.Allowed(actorOf(c), "manage", authz.SeriesObj)}
	if h.Editions != nil {
		data.Newsletter = map[string]bool{}
		for _, s := range all {
			data.Newsletter[s.Slug] = h.Authz.Allowed(actorOf(c), "manage", newsletterObj(s))
		}
	}
	for _, s := range all {
		if s.Parent == nil && (edit == nil || s.Slug != edit.Slug) {
			data.Parents = append(data.Parents, s)
		}
	}
	title := "Series"
	if edit != nil {
		title = "Edit series: " + edit.Name
	}
	return h.render(c, http.StatusOK, "series.html", title, data)
}

func seriesForm(c echo.Context) content.SeriesInput {
	v := func(name string) *string { s := strings.TrimSpace(c.FormValue(name)); return &s }
	return content.SeriesInput{Slug: strings.TrimSpace(c.FormValue("slug")), Name: v("name"), Kind: v("kind"),
		Description: v("description"), About: v("about"), Parent: v("parent"), RequiresCredit: v("requires_credit"),
		ApprovalsRequired: approvalsRequired(c.FormValue("approvals_required"))}
}

// approvalsRequired reads the form's approvals_required: absent stays as
// it is; anything but a number is 0, which the series refuses ("must be
// 1 or 2").
func approvalsRequired(v string) *int {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		n = 0
	}
	return &n
}

func (h *handler) createSeries(c echo.Context) error {
	in := seriesForm(c)
	if *in.Parent == "" {
		in.Parent = nil
	}
	s, err := h.Content.CreateSeries(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return h.failed(c, "/admin/series", err)
	}
	return h.redirect(c, "/admin/series", "ok", "Created the series "+s.Name+".")
}

func (h *handler) updateSeries(c echo.Context) error {
	in := seriesForm(c)
	in.Slug = ""
	s, err := h.Content.UpdateSeries(c.Request().Context(), actorOf(c), c.Param("slug"), in)
	if err != nil {
		return h.failed(c, "/admin/series/"+c.Param("slug"), err)
	}
	return h.redirect(c, "/admin/series", "ok", "Saved the series "+s.Name+".")
}

type contributorsData struct {
	All       []content.Contributor
	CanManage bool
}

func (h *handler) listContributors(c echo.Context) error {
	all, err := h.Content.Contributors(c.Request().Context())
	if err != nil {
		return err
	}
	data := contributorsData{All: all, CanManage: h.Authz.CanSomewhere(actorOf(c), "manage", authz.Contributors) == nil}
	return h.render(c, http.StatusOK, "contributors.html", "Contributors", data)
}

// createContributor adds a person who can be credited; the domain asks
// the enforcer whether this person may.
func (h *handler) createContributor(c echo.Context) error {
	name, bio := strings.TrimSpace(c.FormValue("name")), strings.TrimSpace(c.FormValue("bio"))
	in := content.ContributorInput{Slug: strings.TrimSpace(c.FormValue("slug")), Name: &name, Bio: &bio}
	ct, err := h.Content.CreateContributor(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return h.failed(c, "/admin/contributors", err)
	}
	return h.redirect(c, "/admin/contributors", "ok", "Added "+ct.Name+".")
}

func (h *handler) updateContributor(c echo.Context) error {
	name, bio := strings.TrimSpace(c.FormValue("name")), strings.TrimSpace(c.FormValue("bio"))
	ct, err := h.Content.UpdateContributor(c.Request().Context(), actorOf(c), c.Param("slug"),
		content.ContributorInput{Name: &name, Bio: &bio})
	if err != nil {
		return h.failed(c, "/admin/contributors", err)
	}
	return h.redirect(c, "/admin/contributors", "ok", "Saved "+ct.Name+".")
}

func (h *handler) listContentTypes(c echo.Context) error {
	all, err := h.Content.ContentTypes(c.Request().Context())
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "content_types.html", "Content types", all)
}
