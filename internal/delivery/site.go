package delivery

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/server"
)

// siteOut is what a front end needs to know of the site itself.
type siteOut struct {
	BaseURL string `json:"base_url"`
	// TimeZone is the IANA name of the zone pages print dates in.
	TimeZone string `json:"time_zone"`
	// ReaderSite says whether Masthead serves the reader site itself.
	ReaderSite bool `json:"reader_site"`
	// DocumentURL is the pattern of delivered documents' urls.
	DocumentURL string `json:"document_url"`
}

// getSite answers GET /site from settings, which change only with a
// restart; it is built once per instance.
func (s *Handler) getSite(c echo.Context) error {
	return server.WriteCached(c, s.site, s.cfg.CacheControl)
}

func (s *Handler) siteResponse() *published.Cached {
	out := siteOut{BaseURL: s.cfg.BaseURL.String(), TimeZone: s.cfg.TimeZone, ReaderSite: s.cfg.ReaderSite,
		DocumentURL: s.cfg.PublicURL}
	if out.TimeZone == "" {
		out.TimeZone = "UTC"
	}
	if out.DocumentURL == "" {
		out.DocumentURL = out.BaseURL + "/{series}/{slug}"
	}
	body, _ := json.Marshal(out) // strings only: cannot fail
	return published.Response(body, jsonType)
}

// noSite is / when the reader site is off: a short page for whoever
// opens the host, pointing to the newsroom and the API's documentation.
const noSite = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Masthead</title></head>
<body><main><h1>Masthead</h1>
<p>This Masthead serves its content through the delivery API; the reader site is turned off.</p>
<ul><li><a href="/admin">The newsroom</a> (sign in)</li><li><a href="/api/openapi.json">The API's description</a> (OpenAPI 3.1)</li></ul>
</main></body></html>
`

// RegisterNoSite answers / with a page pointing to /admin and the API's
// documentation, for an instance whose reader site is off.
func RegisterNoSite(e *echo.Echo) {
	e.Match([]string{http.MethodGet, http.MethodHead}, "/", func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "public, max-age=300")
		return c.HTML(http.StatusOK, noSite)
	})
}
