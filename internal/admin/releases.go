package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/release"
)

type releasesData struct {
	Releases  []release.Release
	Candidate []content.Document // approved and scheduled documents to choose from
}

// candidates are the documents a release is usually made of: approved
// ones, and approved ones already scheduled on their own.
func (h *handler) candidates(c echo.Context) ([]content.Document, error) {
	var out []content.Document
	for _, state := range []string{"approved", "scheduled"} {
		p, err := h.Content.Documents(c.Request().Context(), actorOf(c), content.ListQuery{State: state, Limit: 100})
		if err != nil {
			return nil, err
		}
		out = append(out, p.Data...)
	}
	return out, nil
}

func (h *handler) listReleases(c echo.Context) error {
	list, err := h.Releases.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	docs, err := h.candidates(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "releases.html", "Releases", releasesData{Releases: list, Candidate: docs})
}

func (h *handler) createRelease(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	in := release.NewRelease{Name: form.Get("name"), Documents: form["documents"]}
	r, err := h.Releases.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return h.failed(c, "/admin/releases", err)
	}
	return h.redirect(c, "/admin/releases/"+r.ID, "ok", "Release created.")
}

type releaseData struct {
	Release   release.Release
	Ready     bool // every item ready or live
	Candidate []content.Document
}

func (h *handler) showRelease(c echo.Context) error {
	r, err := h.Releases.Release(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	docs, err := h.candidates(c)
	if err != nil {
		return err
	}
	data := releaseData{Release: r, Ready: len(r.Items) > 0}
	for _, it := range r.Items {
		data.Ready = data.Ready && (it.Ready || it.Live)
	}
	for _, d := range docs {
		if !inRelease(r, d.ID) {
			data.Candidate = append(data.Candidate, d)
		}
	}
	return h.render(c, http.StatusOK, "release.html", "Release "+r.Name, data)
}

func inRelease(r release.Release, id string) bool {
	for _, it := range r.Items {
		if it.DocumentID == id {
			return true
		}
	}
	return false
}

// releaseVersion is the version the page was loaded at: every release
// form sends it, so a change never applies to a release nobody saw.
func releaseVersion(c echo.Context) (*int, error) {
	v := atoi(c.FormValue("version"))
	if v < 1 {
		return nil, cms.Errorf(cms.CodePreconditionNeeded, "the form lacks the version it was loaded at; reload the page")
	}
	return &v, nil
}

// releaseAction runs one change of a release from its page and comes back
// to it with what happened, or why not.
func (h *handler) releaseAction(c echo.Context, done string, fn func(id string, version *int) error) error {
	id := c.Param("id")
	back := "/admin/releases/" + id
	version, err := releaseVersion(c)
	if err != nil {
		return err
	}
	if err := fn(id, version); err != nil {
		var ce *cms.Error
		if errors.As(err, &ce) && len(ce.Blockers) > 0 {
			return h.redirect(c, back, "error", blockedMessage(ce.Blockers))
		}
		return h.failed(c, back, err)
	}
	return h.redirect(c, back, "ok", done)
}

// blockedMessage names every item that holds a release back.
func blockedMessage(blockers []cms.Blocker) string {
	parts := make([]string, len(blockers))
	for i, b := range blockers {
		parts[i] = fmt.Sprintf("%q: %s", b.Title, b.Message)
	}
	return "Nothing was published. " + strings.Join(parts, "; ") + "."
}

func (h *handler) publishRelease(c echo.Context) error {
	return h.releaseAction(c, "Published: every document is live.", func(id string, v *int) error {
		_, err := h.Releases.Publish(c.Request().Context(), actorOf(c), id, v)
		return err
	})
}

func (h *handler) scheduleRelease(c echo.Context) error {
	at, err := parseLocalTime(c.FormValue("at"), c.FormValue("tz"))
	if err != nil {
		return h.redirect(c, "/admin/releases/"+c.Param("id"), "error", err.Error())
	}
	done := "Scheduled for " + h.clock(c).format(at) + "."
	return h.releaseAction(c, done, func(id string, v *int) error {
		_, err := h.Releases.Schedule(c.Request().Context(), actorOf(c), id, release.ScheduleRequest{At: &cms.Time{Time: at.Truncate(time.Second)}}, v)
		return err
	})
}

func (h *handler) unscheduleRelease(c echo.Context) error {
	return h.releaseAction(c, "Unscheduled.", func(id string, v *int) error {
		_, err := h.Releases.Unschedule(c.Request().Context(), actorOf(c), id, v)
		return err
	})
}

func (h *handler) addReleaseItem(c echo.Context) error {
	return h.releaseAction(c, "Document added.", func(id string, v *int) error {
		_, err := h.Releases.AddItem(c.Request().Context(), actorOf(c), id, c.FormValue("document"), v)
		return err
	})
}

func (h *handler) removeReleaseItem(c echo.Context) error {
	return h.releaseAction(c, "Document removed.", func(id string, v *int) error {
		_, err := h.Releases.RemoveItem(c.Request().Context(), actorOf(c), id, c.Param("document"), v)
		return err
	})
}

func (h *handler) deleteRelease(c echo.Context) error {
	version, err := releaseVersion(c)
	if err != nil {
		return err
	}
	if err := h.Releases.Delete(c.Request().Context(), actorOf(c), c.Param("id"), *version); err != nil {
		return h.failed(c, "/admin/releases/"+c.Param("id"), err)
	}
	return h.redirect(c, "/admin/releases", "ok", "Release deleted.")
}

// releaseObject is what the menu asks about: may the person manage
// releases in some series.
var releaseObject = authz.Object{Kind: "release"}
