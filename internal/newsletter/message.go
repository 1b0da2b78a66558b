package newsletter

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/render"
)

//go:embed templates/edition.html templates/edition.txt
var templateFiles embed.FS

// The two parts of an edition. The HTML one has inline styles only (mail
// clients drop style sheets and remote fonts), no scripts and no remote
// resource but the hero image; html/template escapes everything that is
// not already sanitized rich text.
var (
	editionHTML = htmltemplate.Must(htmltemplate.New("edition.html").Funcs(htmltemplate.FuncMap{"lines": lines}).
			ParseFS(templateFiles, "templates/edition.html"))
	editionText = texttemplate.Must(texttemplate.New("edition.txt").Funcs(texttemplate.FuncMap{"wrap": wrap}).
			ParseFS(templateFiles, "templates/edition.txt"))
)

// edition is what both parts of an edition show, taken from the
// delivered document.
type edition struct {
	render.Document
	Date        string // "April 14, 2021"
	Sections    []section
	HeroLine    string // the hero's attribution: caption, credit, licence, source
	HeroImage   string // the hero's variant the mail shows (absolute)
	Footer      string
	Unsubscribe string
}

// section is one field of the content type, under its label: a list, or
// a text with its HTML (rich text's sanitized rendering, or the escaped
// plain text).
type section struct {
	Label string
	Items []string
	Text  string
	HTML  htmltemplate.HTML
}

// renderEdition renders the HTML and text parts of a delivered document
// (its JSON, as delivery serves it) for the subscriber whose unsubscribe
// link is given. typ orders the sections; the summary and the media and
// document fields, which the mail shows otherwise or not at all, are left
// out.
func renderEdition(body []byte, typ content.ContentType, settings Settings, unsubscribe string) (htmlPart, textPart string, doc render.Document, err error) {
	var raw struct {
		render.Document
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return "", "", doc, fmt.Errorf("newsletter: delivered document: %w", err)
	}
	doc = raw.Document
	e := edition{Document: doc, Date: publishedDate(doc.PublishedAt), HeroLine: heroLine(doc.Hero),
		HeroImage: heroImage(doc.Hero), Footer: settings.Footer, Unsubscribe: unsubscribe}
	for _, f := range typ.Fields {
		if v, ok := raw.Fields[f.Name]; ok && f.Name != "summary" {
			if s, ok := fieldSection(f, v); ok {
				e.Sections = append(e.Sections, s)
			}
		}
	}
	var h, t bytes.Buffer
	if err := editionHTML.Execute(&h, e); err != nil {
		return "", "", doc, fmt.Errorf("newsletter: edition html: %w", err)
	}
	if err := editionText.Execute(&t, e); err != nil {
		return "", "", doc, fmt.Errorf("newsletter: edition text: %w", err)
	}
	return h.String(), t.String(), doc, nil
}

// fieldSection reads one delivered field as a section; an empty one, or
// one of a kind a mail does not show, is none.
func fieldSection(f content.Field, v json.RawMessage) (section, bool) {
	s := section{Label: f.Label}
	if s.Label == "" {
		s.Label = f.Name
	}
	switch f.Kind {
	case content.KindTextList:
		if json.Unmarshal(v, &s.Items) != nil || len(s.Items) == 0 {
			return s, false
		}
	case content.KindRichText:
		var rt render.RichText
		if json.Unmarshal(v, &rt) != nil || strings.TrimSpace(rt.Markdown) == "" {
			return s, false
		}
		// The renderer sanitized the HTML when the document was delivered.
		s.Text, s.HTML = rt.Markdown, htmltemplate.HTML(rt.HTML)
	case content.KindText, content.KindDate:
		if json.Unmarshal(v, &s.Text) != nil || strings.TrimSpace(s.Text) == "" {
			return s, false
		}
		s.HTML = htmltemplate.HTML("<p>" + htmltemplate.HTMLEscapeString(s.Text) + "</p>")
	default:
		return s, false
	}
	return s, true
}

// publishedDate is the date line's date; a head revision that never went
// live (a test send) is dated today.
func publishedDate(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Format("January 2, 2006")
}

// mailImageWidth is the width the mail shows the hero at, in pixels of a
// screen of twice the density: 536 CSS pixels.
const mailImageWidth = 2 * 536

// heroImage is the narrowest variant of the hero at least mailImageWidth
// wide, or the original when none is: the mail downloads no more than it
// shows, at the delivered (absolute) address.
func heroImage(h *render.Hero) string {
	if h == nil {
		return ""
	}
	for _, v := range h.Variants {
		if v.Width >= mailImageWidth {
			return v.URL
		}
	}
	return h.URL
}

// heroLine is the hero's attribution as the mail prints it under the
// image, so that a licence that asks for credit gets it in the inbox too.
func heroLine(h *render.Hero) string {
	if h == nil {
		return ""
	}
	var parts []string
	for _, p := range []string{h.Caption, h.Credit} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	if h.Licence != "" {
		parts = append(parts, "Licence: "+h.Licence)
	}
	if h.SourceURL != "" {
		parts = append(parts, "Source: "+h.SourceURL)
	}
	return strings.Join(parts, " · ")
}

// lines splits a text that people typed with line breaks (a footer with
// an address), so that the HTML part keeps them.
func lines(text string) []string { return strings.Split(strings.TrimSpace(text), "\n") }

// wrap breaks plain text at 76 columns, as mail readers expect, keeping
// its own line breaks; a word longer than a line (a link) stays whole.
func wrap(indent, text string) string {
	var out strings.Builder
	for i, para := range strings.Split(strings.TrimSpace(text), "\n") {
		if i > 0 {
			out.WriteString("\n")
		}
		n := len(indent)
		for j, word := range strings.Fields(para) {
			switch {
			case j == 0:
			case n+1+utf8.RuneCountInString(word) > 76:
				out.WriteString("\n" + strings.Repeat(" ", len(indent)))
				n = len(indent)
			default:
				out.WriteString(" ")
				n++
			}
			out.WriteString(word)
			n += utf8.RuneCountInString(word)
		}
	}
	return out.String()
}
