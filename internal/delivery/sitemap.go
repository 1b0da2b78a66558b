package delivery

import (
	"encoding/json"
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
	return s.serve(c, "sitemap", published.Shows{}, func() ([]byte, string, error) {
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
// home page and the page of every series (a parent's counts its
// children's), topic and contributor with something live, each last
// modified when its newest document was.
func (s *Handler) sitePages(entries []published.Entry) []sitemapURL {
	if len(entries) == 0 {
		return nil
	}
	latest := map[string]time.Time{}
	var order []string
	touch := func(path string, t time.Time) {
		if old, ok := latest[path]; !ok {
			order = append(order, path)
			latest[path] = t
		} else if t.After(old) {
			latest[path] = t
		}
	}
	touch("/", entries[0].UpdatedAt)
	for _, e := range entries {
		touch("/", e.UpdatedAt)
		touch("/"+url.PathEscape(e.SeriesSlug), e.UpdatedAt)
		if e.ParentSlug != nil {
			touch("/"+url.PathEscape(*e.ParentSlug), e.UpdatedAt)
		}
		for _, path := range catalogPages(e.Digest) {
			touch(path, e.UpdatedAt)
		}
	}
	base := s.cfg.BaseURL.String()
	out := make([]sitemapURL, 0, len(order))
	for _, path := range order {
		out = append(out, sitemapURL{Loc: base + path, LastMod: latest[path].UTC().Format(time.RFC3339)})
	}
	return out
}

// catalogPages are the topic and contributor pages a delivered digest
// appears on: its topics, its byline's contributor and everyone credited.
func catalogPages(digest []byte) []string {
	var d struct {
		Topics  []string
		Byline  struct{ Slug *string }
		Credits []struct{ Slug string }
	}
	if json.Unmarshal(digest, &d) != nil {
		return nil
	}
	var paths []string
	for _, t := range d.Topics {
		paths = append(paths, "/topics/"+url.PathEscape(t))
	}
	if d.Byline.Slug != nil {
		paths = append(paths, "/contributors/"+url.PathEscape(*d.Byline.Slug))
	}
	for _, c := range d.Credits {
		paths = append(paths, "/contributors/"+url.PathEscape(c.Slug))
	}
	return paths
}
