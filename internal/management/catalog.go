package management

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/content"
)

func (h *handler) listSeries(c echo.Context) error {
	all, err := h.Content.AllSeries(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": all})
}

func (h *handler) getSeries(c echo.Context) error {
	s, err := h.Content.Series(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

func (h *handler) createSeries(c echo.Context) error {
	var in content.SeriesInput
	if err := decode(c, &in); err != nil {
		return err
	}
	s, err := h.Content.CreateSeries(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s)
}

func (h *handler) updateSeries(c echo.Context) error {
	var in content.SeriesInput
	if err := decode(c, &in); err != nil {
		return err
	}
	s, err := h.Content.UpdateSeries(c.Request().Context(), actorOf(c), c.Param("slug"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

func (h *handler) listContentTypes(c echo.Context) error {
	all, err := h.Content.ContentTypes(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": all})
}

func (h *handler) getContentType(c echo.Context) error {
	ct, err := h.Content.ContentType(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ct)
}

type contentTypeRequest struct {
	Name   string          `json:"name"`
	Label  string          `json:"label"`
	Fields []content.Field `json:"fields"`
}

func (h *handler) createContentType(c echo.Context) error {
	var in contentTypeRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	ct, err := h.Content.CreateContentType(c.Request().Context(), actorOf(c),
		content.ContentType{Name: in.Name, Label: in.Label, Fields: in.Fields})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ct)
}

func (h *handler) listContributors(c echo.Context) error {
	all, err := h.Content.Contributors(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": all})
}

func (h *handler) getContributor(c echo.Context) error {
	ct, err := h.Content.Contributor(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ct)
}

func (h *handler) createContributor(c echo.Context) error {
	var in content.ContributorInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ct, err := h.Content.CreateContributor(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ct)
}

func (h *handler) updateContributor(c echo.Context) error {
	var in content.ContributorInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ct, err := h.Content.UpdateContributor(c.Request().Context(), actorOf(c), c.Param("slug"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ct)
}
