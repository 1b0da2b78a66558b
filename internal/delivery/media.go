package delivery

import (
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/published"
)

// RegisterMedia serves the files of live documents at /media/{id}, where
// delivered heroes point. A file no live document shows is not found.
// The bytes at an asset's address never change (they are stored under
// their SHA-256, its ETag), hence immutable: no revalidation while fresh.
// Freshness stays an hour, so that an unpublished file leaves caches soon.
func RegisterMedia(e *echo.Echo, m *media.Service) {
	e.Match([]string{http.MethodGet, http.MethodHead}, "/media/:id", func(c echo.Context) error {
		a, f, err := m.OpenLive(c.Request().Context(), c.Param("id"))
		if err != nil {
			return err
		}
		defer f.Close()
		media.Serve(c.Response(), c.Request(), a, f, "public, max-age=3600, immutable")
		return nil
	})
	// A variant (a narrower copy, the social crop) is at /media/{id}/{its
	// SHA-256}, under the same gate as the original.
	e.Match([]string{http.MethodGet, http.MethodHead}, "/media/:id/:key", func(c echo.Context) error {
		a, f, err := m.OpenLiveVariant(c.Request().Context(), c.Param("id"), c.Param("key"))
		if err != nil {
			return err
		}
		defer f.Close()
		media.Serve(c.Response(), c.Request(), a, f, "public, max-age=3600, immutable")
		return nil
	})
}

// RegisterPreviewMedia serves, under a preview link, the files its
// document shows (at published.PreviewMediaPath), so that an outside
// reviewer sees a draft's images before they are public. Like the preview
// itself, never cached by anyone.
func RegisterPreviewMedia(g *echo.Group, live *published.Service, m *media.Service) {
	serve := func(c echo.Context, open func() (media.Asset, io.ReadSeekCloser, error)) error {
		if err := live.PreviewMedia(c.Request().Context(), c.Param("token"), c.Param("id")); err != nil {
			return err
		}
		a, f, err := open()
		if err != nil {
			return err
		}
		defer f.Close()
		c.Response().Header().Set("X-Robots-Tag", "noindex")
		media.Serve(c.Response(), c.Request(), a, f, "private, no-store")
		return nil
	}
	g.Match([]string{http.MethodGet, http.MethodHead}, "/preview/:token/media/:id", func(c echo.Context) error {
		return serve(c, func() (media.Asset, io.ReadSeekCloser, error) { return m.Open(c.Request().Context(), c.Param("id")) })
	})
	g.Match([]string{http.MethodGet, http.MethodHead}, "/preview/:token/media/:id/:key", func(c echo.Context) error {
		return serve(c, func() (media.Asset, io.ReadSeekCloser, error) {
			return m.OpenVariant(c.Request().Context(), c.Param("id"), c.Param("key"))
		})
	})
}
