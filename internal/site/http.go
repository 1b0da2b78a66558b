package site

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/server"
)

// Register mounts the site at the root. Echo prefers static segments to
// parameters, so /admin, /api, /delivery and /media keep their routes;
// the series and document routes take what is left, and answer the
// site's 404 page for what is not live. Deeper unknown paths keep the
// one error handler's problem+json.
func Register(e *echo.Echo, s *Site) {
	// Each route wraps its own handler: a group's middleware would add
	// catch-all routes that turn every unknown path (and every wrong
	// method) into the site's 404 page.
	wrap := func(h echo.HandlerFunc) echo.HandlerFunc { return s.headers(s.handleErrors(h)) }
	get := func(path string, h echo.HandlerFunc) {
		e.Match([]string{http.MethodGet, http.MethodHead}, path, wrap(h))
	}
	get("/", s.home)
	get("/robots.txt", s.robots)
	get("/assets/:file", s.asset)
	get("/search", s.searchPage)
	get("/contributors/:slug", s.contributorPage)
	get("/topics/:topic", s.topicPage)
	get("/:series", s.seriesPage)
	get("/:series/:slug", s.documentPage)
	// Echo lets a route's last parameter take the rest of the path; this
	// child keeps :slug one segment, so that /api/v1/unknown stays the
	// API's problem+json 404 (or 405) rather than a document's page.
	get("/:series/:slug/", s.dropSlash)
}

// dropSlash sends /{series}/{slug}/ to a live document's address; any
// other such path is not found (and an old one's redirect, set by
// delivery.OldPaths, takes over from the 404).
func (s *Site) dropSlash(c echo.Context) error {
	series, slug := c.Param("series"), c.Param("slug")
	if _, err := s.store.FindDelivered(c.Request().Context(), series, slug); err != nil {
		return err
	}
	return c.Redirect(http.StatusMovedPermanently, "/"+url.PathEscape(series)+"/"+url.PathEscape(slug))
}

// contentSecurityPolicy allows no script at all, styles only from the
// site's own file, images from here and the media the base URL serves.
func (s *Site) contentSecurityPolicy() string {
	img := "'self'"
	if origin := s.cfg.BaseURL.Scheme + "://" + s.cfg.BaseURL.Host; origin != "://" {
		img += " " + origin
	}
	return "default-src 'none'; style-src 'self'; img-src " + img + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}

// headers sets what every site response carries.
func (s *Site) headers(next echo.HandlerFunc) echo.HandlerFunc {
	csp := s.contentSecurityPolicy()
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		return next(c)
	}
}

// handleErrors answers an error with a page: the 404 page for what is
// not found (a draft's url included), the error page for the rest.
func (s *Site) handleErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil || c.Response().Committed {
			return err
		}
		p := server.ProblemFor(err)
		if p.Status >= 500 {
			s.cfg.Logger.Error("request failed", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		}
		body, rerr := s.errorPage(c, p)
		if rerr != nil {
			return rerr
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		if c.Request().Method == http.MethodHead {
			return c.NoContent(p.Status)
		}
		return c.HTMLBlob(p.Status, body)
	}
}

// errorPage draws the page for a problem. The 404 page is the same for
// every address, so it comes from the cache: a crawler walking unknown
// urls costs no query each.
func (s *Site) errorPage(c echo.Context, p server.Problem) ([]byte, error) {
	build := func(name string) ([]byte, error) {
		pg := s.newPage(c.Request().Context(), p.Title, "", p)
		pg.Canonical, pg.Robots = "", "noindex"
		return s.theme.render(name, pg)
	}
	if p.Status != http.StatusNotFound {
		return build("error.html")
	}
	v, err := s.live.Cached("site\x00404", func() ([]byte, string, error) {
		body, err := build("notfound.html")
		return body, echo.MIMETextHTMLCharsetUTF8, err
	})
	if err != nil {
		return nil, err
	}
	return v.Body, nil
}

// serve answers a page from the delivery cache, building it on a miss.
func (s *Site) serve(c echo.Context, key string, build func() ([]byte, error)) error {
	v, err := s.live.Cached("site\x00"+key, func() ([]byte, string, error) {
		body, err := build()
		return body, echo.MIMETextHTMLCharsetUTF8, err
	})
	if err != nil {
		return err
	}
	return server.WriteCached(c, v, s.cfg.CacheControl)
}

// asset serves the stylesheet: under its hashed name for ever, under
// its plain name revalidated.
func (s *Site) asset(c echo.Context) error {
	name := c.Param("file")
	h := c.Response().Header()
	switch name {
	case s.theme.cssName:
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	case stylesheet:
		h.Set("Cache-Control", "no-cache")
	default:
		return cms.NotFound("asset")
	}
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", s.theme.css)
}

// robots lets crawlers read the site and tells them where its sitemap is.
func (s *Site) robots(c echo.Context) error {
	body := "User-agent: *\nDisallow: /admin/\nDisallow: /api/\nDisallow: /delivery/v1/preview/\n\nSitemap: " +
		s.base() + "/sitemap.xml\n"
	c.Response().Header().Set("Cache-Control", s.cfg.CacheControl)
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(body))
}

// pageURL is an absolute address on the site for a path and query.
func (s *Site) pageURL(path string, q url.Values) string {
	u := s.base() + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}
