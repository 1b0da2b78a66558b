package site

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/render"
)

// docView is what document.html receives as .Data: the delivered
// document laid out as the example page.
type docView struct {
	Doc        render.Document
	Series     seriesLink
	Parent     *seriesLink // the blog the series belongs to, if any
	Published  string      // "April 14, 2021", in the site's time zone
	Datetime   string      // the same instant, RFC 3339, for <time>
	Byline     link
	Sections   []section
	Hero       *heroView
	AboutHTML  template.HTML
	CreditLine string
	Return     seriesLink // "Return to …": the parent, else the series
	Signup     *signup
	// SignupLink adds a sign-up link after an about-text that has none.
	SignupLink bool
	Preview    bool // a draft shown to its newsroom or a reviewer
}

// seriesLink names a series and its page.
type seriesLink struct {
	Slug, Name, URL string
}

// link is a name with an optional page.
type link struct {
	Name, URL string
}

// section is one field of the content type, in its order, with its
// label as the heading.
type section struct {
	Name, Label, Kind string
	HTML              template.HTML // rich text, sanitized by the renderer
	Items             []string      // a list stays a list
	Text              string
}

// heroView is the lead image with its attribution.
type heroView struct {
	URL, Alt, Caption, Credit, SourceURL string
	Width, Height                        int
	Licence                              licence
	// Srcset is the variants by width; Social the 1200×630 crop link
	// previews show (the original when there is none).
	Srcset, Social string
}

// licence is a hero's licence as a reader sees it.
type licence struct {
	ID, Name, URL string
}

// documentPage shows a published document at its delivered url.
func (s *Site) documentPage(c echo.Context) error {
	series, slug := c.Param("series"), c.Param("slug")
	path := "/" + url.PathEscape(series) + "/" + url.PathEscape(slug)
	return s.serve(c, "doc\x00"+series+"\x00"+slug, func() ([]byte, error) {
		ctx := c.Request().Context()
		e, err := s.store.FindDelivered(ctx, series, slug)
		if err != nil {
			return nil, err
		}
		var d render.Document
		if err := json.Unmarshal(e.Body, &d); err != nil {
			return nil, fmt.Errorf("site: delivered document %s: %w", e.DocumentID, err)
		}
		return s.renderDocument(ctx, d, path, false)
	})
}

// renderDocument renders document.html for a delivered (or, for a
// preview, a just-rendered) document.
func (s *Site) renderDocument(ctx context.Context, d render.Document, path string, preview bool) ([]byte, error) {
	v, err := s.docView(ctx, d)
	if err != nil {
		return nil, err
	}
	v.Preview = preview
	p := s.newPage(ctx, d.Title, path, v)
	p.Description, p.Type, p.Signup = d.Summary, "article", v.Signup
	if v.Hero != nil {
		p.Image, p.ImageAlt = v.Hero.Social, v.Hero.Alt
	}
	p.Feeds = s.seriesFeeds(v.Series)
	p.JSONLD = s.newsArticle(v, p.Canonical)
	if preview {
		p.Robots = "noindex, nofollow"
	}
	return s.theme.render("document.html", p)
}

// docView lays the document out.
func (s *Site) docView(ctx context.Context, d render.Document) (docView, error) {
	sr, err := s.store.FindSeries(ctx, d.Series.Slug)
	if err != nil {
		return docView{}, err
	}
	v := docView{Doc: d, Series: s.seriesLink(d.Series.Slug, d.Series.Name), CreditLine: d.CreditLine,
		Published: s.date(d), Datetime: d.PublishedAt.In(s.cfg.Location).Format("2006-01-02T15:04:05Z07:00")}
	if p := d.Parent; p != nil {
		l := s.seriesLink(p.Slug, p.Name)
		v.Parent = &l
	}
	v.Return = v.Series
	if v.Parent != nil {
		v.Return = *v.Parent
	}
	v.Byline = link{Name: d.Byline.Name}
	if d.Byline.Slug != nil {
		v.Byline.URL = "/contributors/" + url.PathEscape(*d.Byline.Slug)
	}
	v.Sections = sectionsOf(d)
	v.Hero = heroOf(d.Hero)
	v.AboutHTML = template.HTML(d.AboutHTML) // rendered and sanitized at publish
	v.Signup = s.signupFor(ctx, sr)
	v.SignupLink = v.Signup != nil && !strings.Contains(string(v.AboutHTML), "<a ")
	return v, nil
}

// date is when the document was first published, as the example shows
// it, in the site's time zone. A preview of a draft has no date yet.
func (s *Site) date(d render.Document) string {
	if d.PublishedAt.IsZero() {
		return ""
	}
	return d.PublishedAt.In(s.cfg.Location).Format("January 2, 2006")
}

func (s *Site) seriesLink(slug, name string) seriesLink {
	return seriesLink{Slug: slug, Name: name, URL: "/" + url.PathEscape(slug)}
}

// parentOf is a series' parent (the blog a newsletter belongs to), for
// the series page; a document carries its own.
func (s *Site) parentOf(ctx context.Context, sr content.Series) *seriesLink {
	if sr.Parent == nil {
		return nil
	}
	p, err := s.store.FindSeries(ctx, *sr.Parent)
	if err != nil {
		return nil
	}
	l := s.seriesLink(p.Slug, p.Name)
	return &l
}

// sectionsOf lists the delivered sections (the content type's fields in
// its order, labelled), leaving out the summary — the page's description
// — and empty ones.
func sectionsOf(d render.Document) []section {
	var out []section
	for _, sec := range d.Sections {
		if sec.Name == "summary" || (strings.TrimSpace(sec.HTML) == "" && len(sec.Items) == 0) {
			continue
		}
		v := section{Name: sec.Name, Label: sec.Label, Kind: sec.Kind, Items: sec.Items,
			HTML: template.HTML(sec.HTML)} // sanitized (or escaped) by the renderer
		if sec.Kind != content.KindRichText && len(sec.Items) == 0 {
			v.HTML = template.HTML("<p>" + sec.HTML + "</p>") // escaped by the renderer
		}
		out = append(out, v)
	}
	return out
}

// heroOf is the lead image and its attribution.
func heroOf(h *render.Hero) *heroView {
	if h == nil {
		return nil
	}
	v := &heroView{URL: h.URL, Alt: h.Alt, Caption: h.Caption, Credit: h.Credit, SourceURL: h.SourceURL,
		Width: h.Width, Height: h.Height, Licence: licenceOf(h), Social: h.URL}
	if len(h.Variants) > 0 {
		v.Srcset = h.Srcset
	}
	if h.Social != nil {
		v.Social = h.Social.URL
	}
	return v
}

// licenceOf is the hero's licence as delivered: its SPDX name and text,
// or its identifier alone when the list does not know it.
func licenceOf(h *render.Hero) licence {
	if h.LicenceInfo != nil {
		return licence{ID: h.LicenceInfo.ID, Name: h.LicenceInfo.Name, URL: h.LicenceInfo.URL}
	}
	return licence{ID: h.Licence, Name: h.Licence}
}

// aboutHTML is the series' about-text, Markdown rendered and sanitized
// as publishing renders rich text.
func (s *Site) aboutHTML(sr content.Series) template.HTML {
	if strings.TrimSpace(sr.About) == "" {
		return ""
	}
	return template.HTML(s.live.RenderMarkdown(sr.About)) // sanitized by the renderer
}
