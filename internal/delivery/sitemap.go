package delivery

import (
	"encoding/xml"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/published"
)

// maxSitemapURLs is the sitemap protocol's limit for one file.
const maxSitemapURLs = 50_000

type urlSet struct {
	XMLName xml.Name     `xml:"urlset"`
	XMLNS   string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod"`
}

func (s *Handler) sitemap(c echo.Context) error {
	return s.serve(c, "sitemap", func() ([]byte, string, error) {
		entries, _, err := s.store.FindDeliveredPage(c.Request().Context(), published.Query{Limit: maxSitemapURLs})
		if err != nil {
			return nil, "", err
		}
		set := urlSet{XMLNS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
		var site []sitemapURL
		if s.cfg.ReaderSite && s.cfg.PublicURL == "" { // a front end elsewhere has pages of its own
			site = s.sitePages(entries)
		}
		for i, e := range entries {
			if i+len(site) >= maxSitemapURLs {
				break
			}
			set.URLs = append(set.URLs, sitemapURL{Loc: s.live.DocumentURL(e.SeriesSlug, e.Slug), LastMod: e.UpdatedAt.UTC().Format(time.RFC3339)})
		}
		set.URLs = append(set.URLs, site...)
		data, err := xml.MarshalIndent(set, "", "  ")
		if err != nil {
			return nil, "", err
		}
		return append([]byte(xml.Header), data...), "application/xml; charset=utf-8", nil
	})
}

// sitePages are the reader site's own pages besides the documents: the
// home page and the page of every series with something live (a parent's
// counts its children's), each last modified when its newest document was.
func (s *Handler) sitePages(entries []published.Entry) []sitemapURL {
	if len(entries) == 0 {
		return nil
	}
	base := s.cfg.BaseURL.String()
	latest := map[string]time.Time{}
	var order []string
	touch := func(slug string, t time.Time) {
		if old, ok := latest[slug]; !ok {
			order = append(order, slug)
			latest[slug] = t
		} else if t.After(old) {
			latest[slug] = t
		}
	}
	home := entries[0].UpdatedAt
	for _, e := range entries {
		touch(e.SeriesSlug, e.UpdatedAt)
		if e.ParentSlug != nil {
			touch(*e.ParentSlug, e.UpdatedAt)
		}
		if e.UpdatedAt.After(home) {
			home = e.UpdatedAt
		}
	}
	out := []sitemapURL{{Loc: base + "/", LastMod: home.UTC().Format(time.RFC3339)}}
	for _, slug := range order {
		out = append(out, sitemapURL{Loc: base + "/" + url.PathEscape(slug), LastMod: latest[slug].UTC().Format(time.RFC3339)})
	}
	return out
}
