package site

import (
	"context"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/published"
)

// page is what every template receives; .Data is the page's own part
// (README, "Themes", lists what each page's .Data holds).
type page struct {
	Title       string // the page's own title; the layout adds the site's
	Description string // meta description and og:description
	Canonical   string // absolute URL
	Type        string // og:type: "website" or "article"
	Image       string // og:image and twitter:image, absolute
	ImageAlt    string
	Robots      string // a robots meta value, "" for none
	Feeds       []feedLink
	JSONLD      any // a schema.org object, "" for none
	Stylesheet  string
	Total       int    // published documents: "Total Index: N publications"
	Query       string // the search box's words
	Signup      *signup
	Data        any
}

// feedLink is an autodiscovery link.
type feedLink struct {
	Type, Title, Href string
}

// signup is the mailing-list form: the list it signs up to.
type signup struct {
	Series, Name string
}

// newPage fills what every page shows: the search box with the size of
// the index, the stylesheet, the canonical address, the site's feeds and
// the sign-up of the first mailing list.
func (s *Site) newPage(ctx context.Context, title, path string, data any) page {
	p := page{Title: title, Canonical: s.pageURL(path, nil), Type: "website", Data: data,
		Stylesheet: "/assets/" + s.theme.cssName}
	p.Feeds = []feedLink{
		{Type: "application/atom+xml", Title: "All publications (Atom)", Href: s.base() + "/delivery/v1/feed.atom"},
		{Type: "application/feed+json", Title: "All publications (JSON Feed)", Href: s.base() + "/delivery/v1/feed.json"},
	}
	// An error page is drawn even when the database is not answering.
	if _, total, err := s.store.FindDeliveredPage(ctx, published.Query{Limit: 1}); err == nil {
		p.Total = total
	}
	if all, err := s.store.FindAllSeries(ctx); err == nil {
		for _, sr := range all {
			if sr.Kind == newsletterKind {
				p.Signup = &signup{Series: sr.Slug, Name: sr.Name}
				break
			}
		}
	}
	return p
}

// newsletterKind is the kind of series that has a mailing list.
const newsletterKind = "newsletter"

// signupFor is the mailing list a series page offers: its own, else its
// parent's, else its first child's that has one.
func (s *Site) signupFor(ctx context.Context, sr content.Series) *signup {
	if sr.Kind == newsletterKind {
		return &signup{Series: sr.Slug, Name: sr.Name}
	}
	if sr.Parent != nil {
		if p, err := s.store.FindSeries(ctx, *sr.Parent); err == nil && p.Kind == newsletterKind {
			return &signup{Series: p.Slug, Name: p.Name}
		}
	}
	all, err := s.store.FindAllSeries(ctx)
	if err != nil {
		return nil
	}
	for _, child := range all {
		if child.Parent != nil && *child.Parent == sr.Slug && child.Kind == newsletterKind {
			return &signup{Series: child.Slug, Name: child.Name}
		}
	}
	return nil
}

// seriesFeeds are a series' feeds, then the site's.
func (s *Site) seriesFeeds(sr seriesLink) []feedLink {
	feed := s.base() + "/delivery/v1/feeds/" + url.PathEscape(sr.Slug)
	return []feedLink{
		{Type: "application/atom+xml", Title: sr.Name + " (Atom)", Href: feed + ".atom"},
		{Type: "application/feed+json", Title: sr.Name + " (JSON Feed)", Href: feed + ".json"},
		{Type: "application/atom+xml", Title: "All publications (Atom)", Href: s.base() + "/delivery/v1/feed.atom"},
	}
}

// newsArticle is the document's schema.org NewsArticle for JSON-LD.
func (s *Site) newsArticle(v docView, canonical string) map[string]any {
	d := v.Doc
	publisher := map[string]any{"@type": "Organization", "name": v.Return.Name, "url": s.base() + v.Return.URL}
	a := map[string]any{
		"@context": "https://schema.org", "@type": "NewsArticle",
		"headline": d.Title, "description": d.Summary, "url": canonical,
		"mainEntityOfPage": canonical, "publisher": publisher,
		"isPartOf": map[string]any{"@type": "Periodical", "name": v.Series.Name, "url": s.base() + v.Series.URL},
	}
	if !d.PublishedAt.IsZero() {
		a["datePublished"] = d.PublishedAt.Format(time.RFC3339)
		a["dateModified"] = d.UpdatedAt.Format(time.RFC3339)
	}
	author := map[string]any{"@type": "Person", "name": d.Byline.Name}
	if d.Byline.Slug == nil {
		author["@type"] = "Organization"
	} else {
		author["url"] = s.base() + v.Byline.URL
	}
	a["author"] = author
	var editors, contributors []map[string]any
	for _, c := range d.Credits {
		person := map[string]any{"@type": "Person", "name": c.Name, "url": s.base() + "/contributors/" + url.PathEscape(c.Slug)}
		if c.Role == "editor" {
			editors = append(editors, person)
		} else {
			contributors = append(contributors, person)
		}
	}
	if editors != nil {
		a["editor"] = editors
	}
	if contributors != nil {
		a["contributor"] = contributors
	}
	if v.Hero != nil {
		a["image"] = map[string]any{"@type": "ImageObject", "url": v.Hero.URL, "caption": v.Hero.Caption,
			"width": v.Hero.Width, "height": v.Hero.Height, "creditText": v.Hero.Credit, "license": v.Hero.Licence.URL}
	}
	return a
}

// funcs are the helpers templates may call.
func (s *Site) funcs() template.FuncMap {
	return template.FuncMap{
		"seriesURL":      func(slug string) string { return "/" + url.PathEscape(slug) },
		"contributorURL": func(slug string) string { return "/contributors/" + url.PathEscape(slug) },
		"topicURL":       func(topic string) string { return "/topics/" + url.PathEscape(topic) },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(s.cfg.Location).Format("January 2, 2006")
		},
		"datetime": func(t time.Time) string { return t.In(s.cfg.Location).Format(time.RFC3339) },
		"returnTo": func(name string) string {
			// "The Peninsula" reads "Return to the Peninsula".
			if rest, ok := strings.CutPrefix(name, "The "); ok {
				return "the " + rest
			}
			return name
		},
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return one
			}
			return many
		},
	}
}
