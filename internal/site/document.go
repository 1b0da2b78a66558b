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
		p.Image, p.ImageAlt = v.Hero.URL, v.Hero.Alt
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
	v.Parent = s.parentOf(ctx, sr)
	v.Return = v.Series
	if v.Parent != nil {
		v.Return = *v.Parent
	}
	v.Byline = link{Name: d.Byline.Name}
	if d.Byline.Slug != nil {
		v.Byline.URL = "/contributors/" + url.PathEscape(*d.Byline.Slug)
	}
	if v.Sections, err = s.sectionsOf(ctx, d); err != nil {
		return docView{}, err
	}
	v.Hero = heroOf(d.Hero)
	v.AboutHTML = s.aboutHTML(sr)
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

// parentOf is the series' parent (the blog a newsletter belongs to).
// Until the delivered document carries it, it is read from the catalog.
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

// sectionsOf lists the content type's fields in its order, labelled,
// leaving out the summary (the page's description). Until the delivered
// document carries its sections, they are derived from its fields and
// the content type.
func (s *Site) sectionsOf(ctx context.Context, d render.Document) ([]section, error) {
	ct, err := s.store.FindContentType(ctx, d.Type)
	if err != nil {
		return nil, err
	}
	var out []section
	for _, f := range ct.Fields {
		v, ok := d.Fields[f.Name]
		if !ok || f.Name == "summary" {
			continue
		}
		sec := section{Name: f.Name, Label: f.Label, Kind: f.Kind}
		switch x := v.(type) {
		case render.RichText:
			sec.HTML = template.HTML(x.HTML) // sanitized by render.Renderer.HTML
		case map[string]any: // rich text decoded from the delivered JSON
			h, _ := x["html"].(string)
			sec.HTML = template.HTML(h) // sanitized by render.Renderer.HTML at publish
		case []any:
			for _, item := range x {
				sec.Items = append(sec.Items, fmt.Sprint(item))
			}
		default:
			sec.Text = fmt.Sprint(x)
		}
		if sec.HTML == "" && sec.Items == nil && strings.TrimSpace(sec.Text) == "" {
			continue
		}
		out = append(out, sec)
	}
	return out, nil
}

// heroOf is the lead image and its attribution.
func heroOf(h *render.Hero) *heroView {
	if h == nil {
		return nil
	}
	return &heroView{URL: h.URL, Alt: h.Alt, Caption: h.Caption, Credit: h.Credit, SourceURL: h.SourceURL,
		Width: h.Width, Height: h.Height, Licence: licenceOf(h.Licence)}
}

// licenceOf names an SPDX licence identifier and links its text: the
// Creative Commons deeds for CC licences, the SPDX page for the rest.
func licenceOf(id string) licence {
	if id == "" {
		return licence{}
	}
	if id == "CC0-1.0" {
		return licence{ID: id, Name: "CC0 1.0", URL: "https://creativecommons.org/publicdomain/zero/1.0/"}
	}
	if rest, ok := strings.CutPrefix(id, "CC-"); ok {
		if i := strings.LastIndex(rest, "-"); i > 0 {
			terms, version := strings.ToLower(rest[:i]), rest[i+1:]
			return licence{ID: id, Name: "CC " + rest[:i] + " " + version,
				URL: "https://creativecommons.org/licenses/" + terms + "/" + version + "/"}
		}
	}
	return licence{ID: id, Name: id, URL: "https://spdx.org/licenses/" + url.PathEscape(id) + ".html"}
}

// aboutHTML is the series' about-text, Markdown rendered and sanitized
// as publishing renders rich text.
func (s *Site) aboutHTML(sr content.Series) template.HTML {
	if strings.TrimSpace(sr.About) == "" {
		return ""
	}
	return template.HTML(s.live.RenderMarkdown(sr.About)) // sanitized by the renderer
}
