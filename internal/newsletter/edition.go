package newsletter

import (
	"context"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/render"
)

// Settings are a series' newsletter: whether publishing mails its list,
// who the mail is from, and the footer every edition carries. The sender
// is the series' own, apart from the transactional sender of confirmation
// mail.
type Settings struct {
	Enabled       bool   `json:"enabled"`
	FromName      string `json:"from_name"`
	FromAddress   string `json:"from_address"`
	ReplyTo       string `json:"reply_to"`
	SendOnPublish bool   `json:"send_on_publish"`
	Footer        string `json:"footer"`
	// IncludeChildren, on a parent series, mails its list the documents
	// of its children too.
	IncludeChildren bool `json:"include_children"`
}

// EditionMail is the mail that brings the live revision of document to
// sub, a subscriber of series, as settings say. It renders from what
// delivery serves, so the inbox shows what the site shows. A send to a
// whole list prepares the edition once (PrepareEdition) instead.
func (s *Service) EditionMail(ctx context.Context, documentID string, series content.Series, settings Settings, sub Subscriber) (Mail, error) {
	e, err := s.PrepareEdition(ctx, documentID, series, settings)
	if err != nil {
		return Mail{}, err
	}
	return e.Mail(sub)
}

// Edition is a live document rendered once for a send: both parts, with
// a slot where each recipient's unsubscribe link goes, so that a mail
// costs a copy of the parts with the link put in, not a rendering.
type Edition struct {
	s          *Service
	series     content.Series
	settings   Settings
	doc        render.Document
	html, text string // with unsubscribeSlot for the link
}

// unsubscribeSlot stands for the unsubscribe link in an edition's parts:
// a URL that neither template's escaping changes, random so that no
// document can carry it.
var unsubscribeSlot = "https://unsubscribe.invalid/" + cms.RandomToken(16)

// hrefTemplate escapes a link as the HTML part's href does: the same
// context (a quoted attribute holding a URL alone) escapes the same.
var hrefTemplate = htmltemplate.Must(htmltemplate.New("href").Parse(`<a href="{{.}}">`))

// hrefEscaped is link as html/template writes it in an href attribute.
func hrefEscaped(link string) (string, error) {
	var b strings.Builder
	if err := hrefTemplate.Execute(&b, link); err != nil {
		return "", fmt.Errorf("newsletter: unsubscribe link: %w", err)
	}
	out := b.String()
	return out[len(`<a href="`) : len(out)-len(`">`)], nil
}

// PrepareEdition reads the live revision of document, as delivery serves
// it, for editions of series' list.
func (s *Service) PrepareEdition(ctx context.Context, documentID string, series content.Series, settings Settings) (*Edition, error) {
	body, err := s.store.FindDeliveredBody(ctx, documentID)
	if err != nil {
		return nil, err
	}
	return s.prepare(ctx, body, series, settings)
}

func (s *Service) prepare(ctx context.Context, body []byte, series content.Series, settings Settings) (*Edition, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, fmt.Errorf("newsletter: delivered document: %w", err)
	}
	typ, err := s.store.FindContentType(ctx, head.Type)
	if err != nil {
		return nil, err
	}
	htmlPart, textPart, doc, err := renderEdition(body, typ, settings, unsubscribeSlot)
	if err != nil {
		return nil, err
	}
	return &Edition{s: s, series: series, settings: settings, doc: doc, html: htmlPart, text: textPart}, nil
}

// Mail is the edition for one subscriber, with their own unsubscribe link.
func (e *Edition) Mail(sub Subscriber) (Mail, error) {
	return e.mail(sub.Email, e.s.UnsubscribeLink(sub))
}

func (e *Edition) mail(to, unsubscribe string) (Mail, error) {
	href, err := hrefEscaped(unsubscribe)
	if err != nil {
		return Mail{}, err
	}
	htmlPart := strings.ReplaceAll(e.html, unsubscribeSlot, href)
	textPart := strings.ReplaceAll(e.text, unsubscribeSlot, unsubscribe)
	m := Mail{ID: cms.NewID(), To: to, Subject: e.doc.Title, Body: textPart, HTML: htmlPart,
		ListUnsubscribe: unsubscribe, ListID: e.series.Slug, ListName: e.series.Name,
		FromName: e.settings.FromName, FromAddress: e.settings.FromAddress, ReplyTo: e.settings.ReplyTo}
	if addr := e.s.cfg.UnsubscribeMailto; addr != "" {
		m.UnsubscribeMailto = "mailto:" + addr + "?subject=" + url.PathEscape("unsubscribe "+tokenOf(unsubscribe))
	}
	if m.FromName == "" {
		m.FromName = e.series.Name
	}
	return m, nil
}

// tokenOf is the signed token of an unsubscribe link, for the mailto:
// address's subject, so that whoever reads that mailbox can act on it
// with the same check as the link.
func tokenOf(link string) string {
	if u, err := url.Parse(link); err == nil {
		return u.Query().Get("token")
	}
	return ""
}

// SettingsFunc reads a series' newsletter settings.
type SettingsFunc func(ctx context.Context, series content.Series) (Settings, error)

// settings are the newsletter settings of series, or, where none are
// kept, the series' name as the sender's.
func (s *Service) settings(ctx context.Context, series content.Series) (Settings, error) {
	if s.cfg.Settings != nil {
		return s.cfg.Settings(ctx, series)
	}
	return Settings{FromName: series.Name}, nil
}

// PreviewEdition is the HTML part that doc, a document in the delivered
// shape (the head revision, as the newsroom previews it), would be mailed
// with to the list of seriesSlug: the document's own series or one above
// it; empty means the nearest that has a list.
func (s *Service) PreviewEdition(ctx context.Context, doc render.Document, seriesSlug string) (string, error) {
	m, err := s.headMail(ctx, doc, seriesSlug, "")
	return m.HTML, err
}

// SendTest queues doc as an edition of seriesSlug's list to one address
// only, to, with "[Test]" before its subject: a person checks in their own
// inbox what the list will get. Its unsubscribe link is a real one that
// leads nowhere, since to is not a subscriber.
func (s *Service) SendTest(ctx context.Context, doc render.Document, seriesSlug, to string) (Mail, error) {
	if to == "" {
		return Mail{}, cms.Invalid("email", "your account has no address to mail the test to")
	}
	m, err := s.headMail(ctx, doc, seriesSlug, to)
	if err != nil {
		return Mail{}, err
	}
	m.Subject = "[Test] " + m.Subject
	return m, s.store.QueueMail(ctx, m)
}

func (s *Service) headMail(ctx context.Context, doc render.Document, seriesSlug, to string) (Mail, error) {
	series, err := s.listOf(ctx, doc.Series.Slug, seriesSlug)
	if err != nil {
		return Mail{}, err
	}
	settings, err := s.settings(ctx, series)
	if err != nil {
		return Mail{}, err
	}
	body, err := render.JSON(doc)
	if err != nil {
		return Mail{}, err
	}
	e, err := s.prepare(ctx, body, series, settings)
	if err != nil {
		return Mail{}, err
	}
	return e.mail(to, s.UnsubscribeLink(Subscriber{ID: "test-" + cms.NewID()}))
}

// listOf finds the list a document of series own goes to: want, which
// must be own or a series above it, or, when want is empty, the nearest
// of those with a mailing list.
func (s *Service) listOf(ctx context.Context, own, want string) (content.Series, error) {
	for slug, depth := own, 0; slug != "" && depth < 16; depth++ {
		sr, err := s.store.FindSeries(ctx, slug)
		if err != nil {
			return content.Series{}, err
		}
		if (want == "" && sr.Kind == listKind) || want == sr.Slug {
			if sr.Kind != listKind {
				return content.Series{}, cms.Invalid("series", "has no mailing list: only newsletter series take subscribers")
			}
			return sr, nil
		}
		slug = ""
		if sr.Parent != nil {
			slug = *sr.Parent
		}
	}
	if want != "" {
		return content.Series{}, cms.Invalid("series", "must be the document's series or one above it")
	}
	return content.Series{}, cms.Invalid("series", "neither the document's series nor one above it has a mailing list")
}
