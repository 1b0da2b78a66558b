package newsletter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

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
// delivery serves, so the inbox shows what the site shows.
func (s *Service) EditionMail(ctx context.Context, documentID string, series content.Series, settings Settings, sub Subscriber) (Mail, error) {
	body, err := s.store.FindDeliveredBody(ctx, documentID)
	if err != nil {
		return Mail{}, err
	}
	return s.edition(ctx, body, series, settings, sub.Email, s.UnsubscribeLink(sub))
}

// edition renders a document's JSON, in the delivered shape, into the
// mail for one address.
func (s *Service) edition(ctx context.Context, body []byte, series content.Series, settings Settings, to, unsubscribe string) (Mail, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return Mail{}, fmt.Errorf("newsletter: delivered document: %w", err)
	}
	typ, err := s.store.FindContentType(ctx, head.Type)
	if err != nil {
		return Mail{}, err
	}
	htmlPart, textPart, doc, err := renderEdition(body, typ, settings, unsubscribe)
	if err != nil {
		return Mail{}, err
	}
	m := Mail{ID: cms.NewID(), To: to, Subject: doc.Title, Body: textPart, HTML: htmlPart,
		ListUnsubscribe: unsubscribe, ListID: series.Slug, ListName: series.Name,
		FromName: settings.FromName, FromAddress: settings.FromAddress, ReplyTo: settings.ReplyTo}
	if s.cfg.UnsubscribeMailto != "" {
		m.UnsubscribeMailto = "mailto:" + s.cfg.UnsubscribeMailto + "?subject=" + url.PathEscape("unsubscribe "+tokenOf(unsubscribe))
	}
	if m.FromName == "" {
		m.FromName = series.Name
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
	return s.edition(ctx, body, series, settings, to, s.UnsubscribeLink(Subscriber{ID: "test-" + cms.NewID()}))
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
