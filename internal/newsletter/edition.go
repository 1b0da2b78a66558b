package newsletter

import (
	"context"

	"github.com/masthead-cms/masthead/internal/content"
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
//
// For now it is a plain-text placeholder; the rendered edition (HTML and
// text, issue 14 item 6) replaces its body.
func (s *Service) EditionMail(ctx context.Context, documentID string, series content.Series, settings Settings, sub Subscriber) (Mail, error) {
	return Mail{
		To:              sub.Email,
		Subject:         series.Name,
		Body:            "A new edition of " + series.Name + " is out.\n\nUnsubscribe: " + s.UnsubscribeLink(sub) + "\n",
		ListUnsubscribe: s.UnsubscribeLink(sub),
		ListID:          series.Slug,
		ListName:        series.Name,
	}, nil
}
