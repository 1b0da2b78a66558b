package management

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/release"
)

// releaseJSON writes a release with its ETag.
func releaseJSON(c echo.Context, status int, r release.Release) error {
	c.Response().Header().Set("ETag", etag(r.Version))
	return c.JSON(status, r)
}

// basedOn is the version an optional If-Match names, or nil.
func basedOn(c echo.Context) (*int, error) {
	v, ok, err := optionalIfMatch(c)
	if err != nil || !ok {
		return nil, err
	}
	return &v, nil
}

func (h *handler) listReleases(c echo.Context) error {
	list, err := h.Releases.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list})
}

func (h *handler) createRelease(c echo.Context) error {
	var in release.NewRelease
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := h.Releases.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return releaseJSON(c, http.StatusCreated, r)
}

func (h *handler) getRelease(c echo.Context) error {
	r, err := h.Releases.Release(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return releaseJSON(c, http.StatusOK, r)
}

func (h *handler) deleteRelease(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	if err := h.Releases.Delete(c.Request().Context(), actorOf(c), c.Param("id"), version); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// releaseItem is the body that adds a document to a release.
type releaseItem struct {
	Document string `json:"document"`
}

func (h *handler) addReleaseItem(c echo.Context) error {
	var in releaseItem
	if err := decode(c, &in); err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	r, err := h.Releases.AddItem(c.Request().Context(), actorOf(c), c.Param("id"), in.Document, &version)
	if err != nil {
		return err
	}
	return releaseJSON(c, http.StatusOK, r)
}

func (h *handler) removeReleaseItem(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	r, err := h.Releases.RemoveItem(c.Request().Context(), actorOf(c), c.Param("id"), c.Param("document"), &version)
	if err != nil {
		return err
	}
	return releaseJSON(c, http.StatusOK, r)
}

func (h *handler) publishRelease(c echo.Context) error {
	version, err := basedOn(c)
	if err != nil {
		return err
	}
	r, err := h.Releases.Publish(c.Request().Context(), actorOf(c), c.Param("id"), version)
	if err != nil {
		return err
	}
	return releaseJSON(c, http.StatusOK, r)
}

func (h *handler) scheduleRelease(c echo.Context) error {
	var in release.ScheduleRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	version, err := basedOn(c)
	if err != nil {
		return err
	}
	r, err := h.Releases.Schedule(c.Request().Context(), actorOf(c), c.Param("id"), in, version)
	if err != nil {
		return err
	}
	return releaseJSON(c, http.StatusOK, r)
}

func (h *handler) unscheduleRelease(c echo.Context) error {
	version, err := basedOn(c)
	if err != nil {
		return err
	}
	r, err := h.Releases.Unschedule(c.Request().Context(), actorOf(c), c.Param("id"), version)
	if err != nil {
		return err
	}
	return releaseJSON(c, http.StatusOK, r)
}
