// Package render turns a document revision into what readers get: rich
// text as CommonMark rendered to sanitized HTML, and the delivered JSON
// shape of SPEC §5. The delivery API and the editor's preview both use it,
// so a preview looks exactly like the published page. It imports content
// for the model and nothing of the web or the database.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/masthead-cms/masthead/internal/content"
)

// Renderer renders Markdown and delivered documents. It is safe for
// concurrent use.
type Renderer struct {
	md      goldmark.Markdown
	policy  *bluemonday.Policy
	baseURL *url.URL
	// public is MASTHEAD_PUBLIC_URL's pattern ({series}, {slug}); empty,
	// documents live on the reader site at baseURL.
	public string
}

// New returns a Renderer whose document URLs start at baseURL.
func New(baseURL *url.URL) *Renderer {
	p := bluemonday.UGCPolicy()
	// External links open safely: rel="noopener" (and nofollow, since the
	// text may quote anyone) on every fully qualified link.
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	return &Renderer{
		md:      goldmark.New(goldmark.WithExtensions(extension.Strikethrough, extension.Table, extension.Linkify)),
		policy:  p,
		baseURL: baseURL,
	}
}

// WithPublicURL makes document URLs follow pattern, an absolute URL with
// {series} and {slug} (a newsroom's own front end), and returns r.
func (r *Renderer) WithPublicURL(pattern string) *Renderer {
	r.public = pattern
	return r
}

// Stamp names what a rendering's addresses depend on: the base URL and
// the public URL pattern. A delivered document rendered under another
// stamp holds addresses that no longer resolve, and is rendered again.
func (r *Renderer) Stamp() string { return r.baseURL.String() + " " + r.public }

// HTML renders CommonMark to sanitized HTML: no script, no event
// handlers, no javascript: URLs, whatever the author typed.
func (r *Renderer) HTML(markdown string) string {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(markdown), &buf); err != nil {
		// goldmark only fails on writer errors, which a bytes.Buffer never
		// returns; fall back to escaped text all the same.
		return r.policy.Sanitize(markdown)
	}
	return r.policy.Sanitize(buf.String())
}

// RichText is a rich-text field as delivered: the Markdown source and its
// sanitized HTML.
type RichText struct {
	Markdown string `json:"markdown"`
	HTML     string `json:"html"`
}

// SeriesRef names a document's series.
type SeriesRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// ParentRef is the series a document's series belongs to, with the
// address of its page.
type ParentRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Section is one field as a page shows it: its name, label and kind from
// the content type, its value as sanitized HTML, and a list field's items.
type Section struct {
	Name  string   `json:"name"`
	Label string   `json:"label"`
	Kind  string   `json:"kind"`
	HTML  string   `json:"html"`
	Items []string `json:"items,omitempty"`
}

// Byline is who a document is by: a contributor (with a slug) or the
// series itself.
type Byline struct {
	Name string  `json:"name"`
	Slug *string `json:"slug"`
}

// CreditRef is a credit as delivered.
type CreditRef struct {
	Role string `json:"role"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

// Hero is a document's lead image with its attribution.
type Hero struct {
	URL     string `json:"url"`
	Alt     string `json:"alt"`
	Caption string `json:"caption"`
	Credit  string `json:"credit"`
	Licence string `json:"licence"` // the SPDX identifier, as stored
	// LicenceInfo is the licence's name and text; nil when there is none.
	LicenceInfo *Licence `json:"licence_info"`
	SourceURL   string   `json:"source_url"`
	Width       int      `json:"width"`
	Height      int      `json:"height"`
	// Variants are narrower copies of the image, narrowest first (none
	// for an image already narrow, or stored before variants existed).
	Variants []ImageVariant `json:"variants"`
	// Srcset lists the variants and the original by width, for an img's
	// srcset attribute.
	Srcset string `json:"srcset"`
	// Social is the image cropped to 1200×630 around its focal point, for
	// link previews; nil when there is none.
	Social *ImageVariant `json:"social"`
}

// ImageVariant is one resized copy of an image as delivered.
type ImageVariant struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Type   string `json:"type"`
}

// Document is the delivered shape of SPEC §5: its digest, and the fields,
// sections and the series' about-text that listings leave out.
type Document struct {
	Digest
	Fields map[string]any `json:"fields"`
	// Sections are the fields in the content type's order, with their
	// labels, each rendered to HTML: what a page or a feed prints.
	Sections []Section `json:"sections"`
	About    string    `json:"about"`
	// AboutHTML is the series' about-text rendered from Markdown.
	AboutHTML string `json:"about_html"`
	// EmbargoedUntil is set only in previews, while an embargo holds the
	// document back, so that whoever reads the preview sees the banner;
	// delivery never carries an embargoed document.
	EmbargoedUntil *time.Time `json:"embargoed_until,omitempty"`
}

// Digest is a document as listings show it: everything but its fields,
// sections and the series' about-text, which a reader fetches with the document.
type Digest struct {
	ID          string      `json:"id"`
	Type        string      `json:"type"`
	Series      SeriesRef   `json:"series"`
	Parent      *ParentRef  `json:"parent"` // the series' parent; nil for none
	Slug        string      `json:"slug"`
	URL         string      `json:"url"`
	Title       string      `json:"title"`
	Summary     string      `json:"summary"`
	Topics      []string    `json:"topics"`
	Byline      Byline      `json:"byline"`
	Credits     []CreditRef `json:"credits"`
	CreditLine  string      `json:"credit_line"`
	Hero        *Hero       `json:"hero"`
	PublishedAt time.Time   `json:"published_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
	Revision    int         `json:"revision"`
}

// Shape is the version of the delivered shape (Document and Digest).
// Raise it when either changes: instances re-render every delivered
// document of an older shape when they start.
//
// 4: no change of the JSON, but delivered_media (the assets a document
// shows) is filled when a document is delivered, so every live document
// is delivered again once.
// 5: the hero has variants, srcset and social.
const Shape = 5

// Input is everything a delivered document is made of. Names are the
// current ones (a renamed contributor is renamed everywhere).
type Input struct {
	DocumentID  string
	Type        content.ContentType
	Series      content.Series
	Parent      *content.Series // the series' parent, when it has one
	Revision    content.Revision
	BylineName  string // contributor's current name, or the series name
	CreditNames map[string]string
	Hero        HeroAsset // when the revision has a hero
	PublishedAt time.Time
	UpdatedAt   time.Time
}

// HeroAsset is the hero's stored facts and attribution. An asset that no
// longer exists leaves only its URL.
type HeroAsset struct {
	ID, Alt, Caption, Credit, Licence, SourceURL string
	Width, Height                                int
	Variants                                     []HeroVariant // the width variants, narrowest first
	Social                                       *HeroVariant
}

// HeroVariant is a stored variant of the hero: its blob's key names it.
type HeroVariant struct {
	Key, MIME     string
	Width, Height int
}

// Document builds the delivered document.
func (r *Renderer) Document(in Input) Document {
	rev := in.Revision
	d := Document{Digest: Digest{
		ID: in.DocumentID, Type: in.Type.Name, Series: SeriesRef{Slug: in.Series.Slug, Name: in.Series.Name},
		Slug: rev.Slug, URL: r.URL(in.Series.Slug, rev.Slug), Title: rev.Title,
		Topics: rev.Topics, Byline: Byline{Name: in.BylineName, Slug: rev.Byline}, Credits: []CreditRef{},
		PublishedAt: in.PublishedAt.UTC(), UpdatedAt: in.UpdatedAt.UTC(), Revision: rev.Number,
	}, Fields: map[string]any{}, Sections: []Section{}, About: in.Series.About, AboutHTML: r.HTML(in.Series.About)}
	if p := in.Parent; p != nil {
		d.Parent = &ParentRef{Slug: p.Slug, Name: p.Name, URL: r.SeriesURL(p.Slug)}
	}
	if d.Topics == nil {
		d.Topics = []string{}
	}
	if s, ok := rev.Fields["summary"].(string); ok {
		d.Summary = s
	}
	for _, f := range in.Type.Fields {
		v, ok := rev.Fields[f.Name]
		if !ok {
			continue
		}
		d.Sections = append(d.Sections, r.section(f, v))
		if s, isText := v.(string); isText && f.Kind == content.KindRichText {
			d.Fields[f.Name] = RichText{Markdown: s, HTML: r.HTML(s)}
			continue
		}
		d.Fields[f.Name] = v
	}
	credits := make([]content.Credit, 0, len(rev.Credits))
	for _, c := range rev.Credits {
		if name, ok := in.CreditNames[c.Contributor]; ok {
			c.Name = name
		}
		credits = append(credits, c)
		d.Credits = append(d.Credits, CreditRef{Role: c.Role, Name: c.Name, Slug: c.Contributor})
	}
	d.CreditLine = content.CreditLine(in.BylineName, credits)
	if rev.Hero != nil {
		d.Hero = r.hero(*rev.Hero, in.Hero)
	}
	return d
}

// hero is the delivered hero: the original at /media/{id}, each variant
// at /media/{id}/{its SHA-256}, an address whose bytes never change.
func (r *Renderer) hero(id string, h HeroAsset) *Hero {
	base := r.baseURL.String() + "/media/" + url.PathEscape(id)
	out := &Hero{URL: base, Alt: h.Alt, Caption: h.Caption, Credit: h.Credit, Licence: h.Licence,
		LicenceInfo: LicenceOf(h.Licence), SourceURL: h.SourceURL, Width: h.Width, Height: h.Height, Variants: []ImageVariant{}}
	at := func(v HeroVariant) ImageVariant {
		return ImageVariant{URL: base + "/" + url.PathEscape(v.Key), Width: v.Width, Height: v.Height, Type: v.MIME}
	}
	var set []string
	for _, v := range h.Variants {
		iv := at(v)
		out.Variants = append(out.Variants, iv)
		set = append(set, fmt.Sprintf("%s %dw", iv.URL, iv.Width))
	}
	if h.Width > 0 {
		out.Srcset = strings.Join(append(set, fmt.Sprintf("%s %dw", base, h.Width)), ", ")
	}
	if h.Social != nil {
		s := at(*h.Social)
		out.Social = &s
	}
	return out
}

// URL is the public address of a document.
func (r *Renderer) URL(series, slug string) string {
	if r.public != "" {
		return strings.NewReplacer("{series}", url.PathEscape(series), "{slug}", url.PathEscape(slug)).Replace(r.public)
	}
	return fmt.Sprintf("%s/%s/%s", r.baseURL.String(), url.PathEscape(series), url.PathEscape(slug))
}

// SeriesURL is the public address of a series' page: on the reader site,
// or where the public URL pattern puts {series} when the pattern starts
// with it (https://www.example.org/{series}/{slug}).
func (r *Renderer) SeriesURL(series string) string {
	if before, _, ok := strings.Cut(r.public, "{series}"); ok && !strings.Contains(before, "{slug}") {
		return before + url.PathEscape(series)
	}
	return r.baseURL.String() + "/" + url.PathEscape(series)
}

// section renders one field's value for a page: rich text as sanitized
// HTML, a list as a bulleted list that keeps its items, a media field as
// its image, anything else as escaped text.
func (r *Renderer) section(f content.Field, v any) Section {
	s := Section{Name: f.Name, Label: f.Label, Kind: f.Kind}
	switch val := v.(type) {
	case string:
		switch f.Kind {
		case content.KindRichText:
			s.HTML = r.HTML(val)
		case content.KindMedia:
			s.HTML = `<img src="` + html.EscapeString(r.baseURL.String()+"/media/"+url.PathEscape(val)) + `" alt="">`
		default:
			s.HTML = html.EscapeString(val)
		}
	case []any:
		s.Items = []string{}
		var b strings.Builder
		b.WriteString("<ul>")
		for _, item := range val {
			if text, ok := item.(string); ok {
				s.Items = append(s.Items, text)
				b.WriteString("<li>" + html.EscapeString(text) + "</li>")
			}
		}
		b.WriteString("</ul>")
		s.HTML = b.String()
	case []string:
		return r.section(f, anySlice(val))
	default:
		s.HTML = html.EscapeString(fmt.Sprint(val))
	}
	return s
}

func anySlice(list []string) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = v
	}
	return out
}

// JSON encodes a delivered document or digest. HTML in strings is not
// escaped further: it is already sanitized, and clients decode JSON anyway.
func JSON[T Document | Digest](d T) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
