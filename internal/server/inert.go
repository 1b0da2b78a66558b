package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// inertPolicy keeps HTML that staff preview (a newsletter edition) inert
// in the browser that opens it from Masthead's origin: no script, no
// requests but its images.
const inertPolicy = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; sandbox"

// InertHTML answers html under that policy, never stored by caches: the
// API and the newsroom UI show a mail's preview the same way.
func InertHTML(c echo.Context, html string) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", inertPolicy)
	h.Set("Cache-Control", "no-store")
	return c.HTMLBlob(http.StatusOK, []byte(html))
}
