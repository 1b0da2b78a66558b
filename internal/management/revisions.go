package management

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// revisionParam reads a revision number from the path.
func revisionParam(c echo.Context, name string) (int, error) {
	n, err := strconv.Atoi(c.Param(name))
	if err != nil || n < 1 {
		return 0, cms.Invalid(name, "must be a revision number")
	}
	return n, nil
}

func (h *handler) listRevisions(c echo.Context) error {
	revs, err := h.Content.Revisions(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": revs})
}

func (h *handler) getRevision(c echo.Context) error {
	n, err := revisionParam(c, "n")
	if err != nil {
		return err
	}
	rev, err := h.Content.Revision(c.Request().Context(), actorOf(c), c.Param("id"), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rev)
}

func (h *handler) diffRevisions(c echo.Context) error {
	a, err := revisionParam(c, "a")
	if err != nil {
		return err
	}
	b, err := revisionParam(c, "b")
	if err != nil {
		return err
	}
	d, err := h.Content.Diff(c.Request().Context(), actorOf(c), c.Param("id"), a, b)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (h *handler) restoreRevision(c echo.Context) error {
	n, err := revisionParam(c, "n")
	if err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	d, err := h.Content.Restore(c.Request().Context(), actorOf(c), c.Param("id"), n, version)
	if err != nil {
		return err
	}
	return document(c, http.StatusOK, d)
}

func (h *handler) getCredits(c echo.Context) error {
	d, err := h.Content.Document(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(d.Version))
	return c.JSON(http.StatusOK, d.Credits)
}

func (h *handler) setCredits(c echo.Context) error {
	var in []content.CreditInput
	if err := decode(c, &in); err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	d, err := h.Content.SetCredits(c.Request().Context(), actorOf(c), c.Param("id"), version, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(d.Version))
	return c.JSON(http.StatusOK, d.Credits)
}

func (h *handler) listComments(c echo.Context) error {
	list, err := h.Content.Comments(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list})
}

func (h *handler) addComment(c echo.Context) error {
	var in content.NewComment
	if err := decode(c, &in); err != nil {
		return err
	}
	cm, err := h.Content.AddComment(c.Request().Context(), actorOf(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cm)
}

func (h *handler) resolveComment(c echo.Context) error {
	cm, err := h.Content.ResolveComment(c.Request().Context(), actorOf(c), c.Param("id"), c.Param("cid"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cm)
}

func (h *handler) listEvents(c echo.Context) error {
	list, err := h.Content.Events(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list})
}
