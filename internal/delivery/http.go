package delivery

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/server"
)

// Register mounts the delivery API on g (the /delivery/v1 group). Every
// route is public and read-only; CORS is open for GET.
func Register(g *echo.Group, s *Handler) {
	g.Use(cors(middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins:  []string{"*"},
		AllowMethods:  []string{http.MethodGet, http.MethodHead, http.MethodPost}, // POST: mailing-list sign-up only
		ExposeHeaders: []string{"ETag"},
		MaxAge:        86400,
	})))
	g.RouteNotFound("/*", notFoundOrNotAllowed)
	// Every route answers HEAD as GET; net/http drops the body.
	get := func(path string, h echo.HandlerFunc) {
		g.Match([]string{http.MethodGet, http.MethodHead}, path, h)
	}
	get("/documents", s.listDocuments)
	get("/documents/:series/:slug", s.getDocument)
	get("/series", s.listSeries)
	get("/series/:slug", s.getSeries)
	get("/contributors/:slug", s.getContributor)
	get("/site", s.getSite)
	get("/content-types", s.listContentTypes)
	get("/content-types/:name", s.getContentType)
	get("/feed.atom", s.siteFeed)
	get("/feed.json", s.siteFeed)
	get("/feeds/:file", s.seriesFeed)
	get("/sitemap.xml", s.sitemap)
	get("/preview/:token", s.preview)
	get("/search", s.searchDocuments)
	get("/redirects", s.listRedirects)
}

// Header values of CORS answers, shared by every response: each has a
// capacity of one, so that an Add makes a slice of its own.
var (
	varyOrigin = []string{echo.HeaderOrigin}[:1:1]
	anyOrigin  = []string{"*"}[:1:1]
	exposeETag = []string{"ETag"}[:1:1]
)

// cors answers a GET, HEAD or POST as Echo's CORS middleware, set up as
// above (any origin, ETag exposed), does — Vary: Origin, and for a
// request with an Origin the allowed origin and exposed headers — without
// its per-request work; preflights (OPTIONS) go through preflight, the
// middleware itself.
func cors(preflight echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.Method == http.MethodOptions {
				return preflight(next)(c)
			}
			h := c.Response().Header()
			if vary, ok := h[echo.HeaderVary]; ok {
				h[echo.HeaderVary] = append(vary, echo.HeaderOrigin)
			} else {
				h[echo.HeaderVary] = varyOrigin
			}
			if r.Header.Get(echo.HeaderOrigin) != "" {
				h[echo.HeaderAccessControlAllowOrigin] = anyOrigin
				h[echo.HeaderAccessControlExposeHeaders] = exposeETag
			}
			return next(c)
		}
	}
}

// RegisterSitemap also serves the sitemap at the site root, where
// crawlers look for it.
func RegisterSitemap(e *echo.Echo, s *Handler) {
	e.Match([]string{http.MethodGet, http.MethodHead}, "/sitemap.xml", s.sitemap)
}

// serve answers from the cache, building and storing the response on a
// miss; shows is what the response shows (published.Shows), which says
// the publishes that drop it.
func (s *Handler) serve(c echo.Context, key string, shows published.Shows, build func() ([]byte, string, error)) error {
	v, err := s.live.CachedShowing(key, shows, build)
	if err != nil {
		return err
	}
	return server.WriteCached(c, v, s.cfg.CacheControl)
}

// searchParams are the parameters a public search reads.
var searchParams = []string{"q", "series", "type", "topic", "year", "limit", "cursor", "facets"}

// searchDocuments answers a public search from the cache: results change
// only when delivered content does, which clears it.
func (s *Handler) searchDocuments(c echo.Context) error {
	if s.cfg.Search == nil {
		return cms.NotFound("search")
	}
	query := url.Values{}
	for _, name := range searchParams {
		if v, ok := c.QueryParams()[name]; ok {
			query[name] = v
		}
	}
	// Encode sorts by name: one entry per search, whatever else the URL holds.
	return s.serve(c, "search\x00"+query.Encode(), published.Shows{}, func() ([]byte, string, error) {
		res, err := s.cfg.Search(c.Request().Context(), query)
		if err != nil {
			return nil, "", err
		}
		body, err := json.Marshal(res)
		return body, jsonType, err
	})
}
