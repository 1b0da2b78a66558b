package admin

import (
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/render"
)

// previewData is a document rendered by delivery's own code, laid out
// like the public page of the example.
type previewData struct {
	Doc        render.Document
	Source     content.Document
	ParentName string
	Sections   []previewSection
	Published  bool
	Link       string // a preview link just made, shown once
	// SitePage is the reader site's rendering of the revision, shown in
	// a frame; "" when the UI draws the preview itself.
	SitePage string
}

// previewSection is one field of the content type, in its order.
type previewSection struct {
	Label string
	Kind  string
	Text  string
	HTML  template.HTML // rich text, sanitized by the renderer
	Items []string
}

// renderMarkdown answers the editor's live preview with the HTML that
// publishing would make of the text: rendered and sanitized by delivery's
// own code, never by a script in the browser. Any signed-in person may
// ask; it reads and writes nothing.
func (h *handler) renderMarkdown(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"html": h.Live.RenderMarkdown(c.FormValue("markdown"))})
}

func (h *handler) previewDocument(c echo.Context) error {
	return h.showPreview(c, "")
}

// createPreviewLink makes a signed, expiring link to the head revision
// for someone without an account, and shows it on the preview page.
func (h *handler) createPreviewLink(c echo.Context) error {
	days := atoi(c.FormValue("days"))
	if days < 1 || days > 30 {
		days = 7
	}
	l, err := h.Live.CreatePreviewLink(c.Request().Context(), actorOf(c), c.Param("id"),
		published.PreviewRequest{ExpiresIn: days * 24 * 3600})
	if err != nil {
		return err
	}
	return h.showPreview(c, l.URL)
}

func (h *handler) showPreview(c echo.Context, link string) error {
	ctx := c.Request().Context()
	actor := actorOf(c)
	d, err := h.Content.Document(ctx, actor, c.Param("id"))
	if err != nil {
		return err
	}
	doc, err := h.Live.RenderHead(ctx, actor, d.ID)
	if err != nil {
		return err
	}
	ct, err := h.Content.ContentType(ctx, d.Type)
	if err != nil {
		return err
	}
	data := previewData{Doc: doc, Source: d, Published: d.FirstPublishedAt != nil, Link: link}
	if h.PreviewPage != nil {
		data.SitePage = "/admin/documents/" + d.ID + "/page"
	}
	if s, err := h.Content.Series(ctx, d.Series); err == nil && s.Parent != nil {
		if p, err := h.Content.Series(ctx, *s.Parent); err == nil {
			data.ParentName = p.Name
		}
	}
	for _, f := range ct.Fields {
		v, ok := doc.Fields[f.Name]
		if !ok || f.Name == "summary" {
			continue
		}
		s := previewSection{Label: f.Label, Kind: f.Kind}
		switch x := v.(type) {
		case render.RichText:
			s.HTML = template.HTML(x.HTML) // sanitized by render.Renderer.HTML
		case []any:
			s.Items = textList(x)
		default:
			s.Text = fmt.Sprint(x)
		}
		data.Sections = append(data.Sections, s)
	}
	return h.render(c, http.StatusOK, "preview.html", "Preview: "+doc.Title, data)
}

// richHTML returns the sanitized HTML of a delivered rich-text field.
func richHTML(v any) template.HTML {
	if rt, ok := v.(render.RichText); ok {
		return template.HTML(rt.HTML) // sanitized by render.Renderer.HTML
	}
	return ""
}

// textList returns a list field's items as strings.
func textList(v any) []string {
	var out []string
	if list, ok := v.([]any); ok {
		for _, item := range list {
			out = append(out, fmt.Sprint(item))
		}
	}
	return out
}

// previewSitePage is the head revision as the reader site's document
// page, for the preview's frame: the same template the site publishes
// with. The hero comes through the newsroom's media route, since a draft's
// hero may not be public yet. Private: never stored by a cache.
func (h *handler) previewSitePage(c echo.Context) error {
	if h.PreviewPage == nil {
		return h.notFound(c)
	}
	ctx := c.Request().Context()
	d, err := h.Content.Document(ctx, actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	doc, err := h.Live.RenderHead(ctx, actorOf(c), d.ID)
	if err != nil {
		return err
	}
	// The images, the hero's and those in the text, come through the
	// newsroom's media route, since a draft's may not be public yet.
	if doc, err = published.MediaAt(doc, "/api/v1/media/", "/file"); err != nil {
		return err
	}
	if d.FirstPublishedAt == nil {
		doc.PublishedAt = time.Time{} // the page says "Not yet published"
	}
	body, err := h.PreviewPage(ctx, doc)
	if err != nil {
		return err
	}
	hdr := c.Response().Header()
	hdr.Set("Content-Security-Policy", h.PreviewPolicy)
	hdr.Set("X-Frame-Options", "SAMEORIGIN")
	hdr.Set("X-Robots-Tag", "noindex")
	return c.HTMLBlob(http.StatusOK, body)
}
