package delivery

import (
	"encoding/xml"
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
		for i, e := range entries {
			if i == maxSitemapURLs {
				break
			}
			set.URLs = append(set.URLs, sitemapURL{Loc: s.live.DocumentURL(e.SeriesSlug, e.Slug), LastMod: e.UpdatedAt.UTC().Format(time.RFC3339)})
		}
		data, err := xml.MarshalIndent(set, "", "  ")
		if err != nil {
			return nil, "", err
		}
		return append([]byte(xml.Header), data...), "application/xml; charset=utf-8", nil
	})
}
