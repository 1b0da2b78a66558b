package site

import (
	"context"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/search"
)

// searchView is search.html's .Data.
type searchView struct {
	Query        string
	Series       string // the series facet chosen, "" for all
	Topic        string // the topic facet chosen
	Total        int    // matches
	Hits         []hitView
	SeriesFacets []facetView
	TopicFacets  []facetView
	Next         string // the next page's address
	First        string
}

// hitView is one result with its highlighted snippet.
type hitView struct {
	Title, URL, Summary string
	Series              seriesLink
	Snippet             template.HTML // escaped by search.Highlight, matches in <mark>
	Published           time.Time
}

// facetView is one value of a facet: a link that narrows the search, or
// widens it again when chosen.
type facetView struct {
	Value, Label, URL string
	Count             int
	Chosen            bool
}

// searchPage answers /search?q= with the public search: published
// documents only, ranked, with the exact total, facets and paging.
func (s *Site) searchPage(c echo.Context) error {
	q := url.Values{}
	for _, name := range []string{"q", "series", "topic", "cursor"} {
		if v := strings.TrimSpace(c.QueryParam(name)); v != "" {
			q.Set(name, v)
		}
	}
	return s.serve(c, "search\x00"+q.Encode(), func() ([]byte, error) {
		ctx := c.Request().Context()
		v := searchView{Query: q.Get("q"), Series: q.Get("series"), Topic: q.Get("topic")}
		if v.Query != "" {
			res, err := s.search(ctx, search.Params{Q: v.Query, Series: v.Series, Topic: v.Topic, Cursor: q.Get("cursor")})
			if err != nil {
				return nil, err
			}
			s.fillSearch(&v, res, q, s.seriesNames(ctx))
		}
		p := s.newPage(ctx, "Search", "/search", v)
		if v.Query != "" {
			p.Title, p.Robots = "Search: "+v.Query, "noindex"
		}
		p.Query = v.Query
		p.Description = "Search all site content."
		return s.theme.render("search.html", p)
	})
}

// seriesNames names the series facet's values; a failed read leaves
// the slugs.
func (s *Site) seriesNames(ctx context.Context) map[string]string {
	names := map[string]string{}
	if all, err := s.store.FindAllSeries(ctx); err == nil {
		for _, sr := range all {
			names[sr.Slug] = sr.Name
		}
	}
	return names
}

func (s *Site) fillSearch(v *searchView, res search.Result, q url.Values, names map[string]string) {
	v.Total = res.Total
	for _, h := range res.Data {
		v.Hits = append(v.Hits, hitView{Title: h.Title, URL: "/" + url.PathEscape(h.Series.Slug) + "/" + url.PathEscape(h.Slug),
			Summary: h.Summary, Series: s.seriesLink(h.Series.Slug, h.Series.Name),
			Snippet: template.HTML(h.Snippet), Published: h.PublishedAt}) // escaped by search.Highlight
	}
	if res.NextCursor != nil {
		v.Next = searchURL(q, "cursor", *res.NextCursor)
	}
	if q.Get("cursor") != "" {
		v.First = searchURL(q, "cursor", "")
	}
	if res.Facets == nil {
		return
	}
	for _, f := range res.Facets.Series {
		label := names[f.Value]
		if label == "" {
			label = f.Value
		}
		v.SeriesFacets = append(v.SeriesFacets, facet(q, "series", f, label))
	}
	for _, f := range res.Facets.Topics {
		v.TopicFacets = append(v.TopicFacets, facet(q, "topic", f, f.Value))
	}
}

// facet links a facet value: choosing it narrows the search (from its
// first page); a chosen one links back to the wider search.
func facet(q url.Values, name string, f search.FacetCount, label string) facetView {
	chosen := q.Get(name) == f.Value
	value := f.Value
	if chosen {
		value = ""
	}
	return facetView{Value: f.Value, Label: label, Count: f.Count, Chosen: chosen, URL: searchURL(q, name, value)}
}

// searchURL is the search with one parameter set (or dropped when
// value is empty); any other change starts again from the first page.
func searchURL(q url.Values, name, value string) string {
	n := url.Values{}
	for k, v := range q {
		n[k] = v
	}
	if name != "cursor" {
		n.Del("cursor")
	}
	if value == "" {
		n.Del(name)
	} else {
		n.Set(name, value)
	}
	return "/search?" + n.Encode()
}
