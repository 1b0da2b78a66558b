package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// Payload is the body of every webhook delivery. Paths lists the delivery
// paths whose responses changed, for CDN purges.
type Payload struct {
	ID         string    `json:"id"`
	Event      string    `json:"event"`
	DocumentID string    `json:"document_id"`
	Series     string    `json:"series"`
	Slug       string    `json:"slug"`
	URL        string    `json:"url"`
	Revision   *int      `json:"revision"`
	Paths      []string  `json:"paths"`
	OccurredAt time.Time `json:"occurred_at"`
}

// Outbox is the content hook that queues events.
type Outbox struct {
	documentURL func(series, slug string) string
}

// NewOutbox returns the hook; documentURL gives a document's public
// address as delivery does (the reader site, or a public URL pattern).
func NewOutbox(documentURL func(series, slug string) string) *Outbox {
	return &Outbox{documentURL: documentURL}
}

// eventOf names what a change did to the live revision, or "" when it did
// not touch it (drafts, reviews, edits of a draft head).
func eventOf(c content.Change) string {
	if !c.LiveChanged() {
		return ""
	}
	switch {
	case c.Before == nil || c.Before.LiveRevision == nil:
		return EventPublished
	case c.After == nil || c.After.LiveRevision == nil:
		return EventUnpublished
	default:
		return EventUpdatedLive
	}
}

// DocumentChanged queues one message per subscribed webhook, inside the
// workflow transaction.
//
// An import going live is no document.published: an archive moving in is
// not news, and a 20,000-post import would queue 20,000 messages per
// subscriber (a chat channel, a newsletter tool) for things published
// years ago. A re-run that changes or unpublishes what is already live
// still tells: a cache purger must hear of it.
func (o *Outbox) DocumentChanged(ctx context.Context, tx content.Store, c content.Change) error {
	event := eventOf(c)
	if event == "" || (event == EventPublished && c.Event.Action == content.ActionImport) {
		return nil
	}
	ws, ok := tx.(Store)
	if !ok {
		return fmt.Errorf("webhook: the transaction's store lacks webhook methods")
	}
	hooks, err := ws.FindWebhooks(ctx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	slugs, err := liveSlugs(ctx, tx, event, c)
	if err != nil {
		return err
	}
	doc := c.After
	if doc == nil || event == EventUnpublished {
		doc = c.Before
	}
	now := time.Now().UTC()
	return enqueue(ctx, ws, hooks, event, now, func() (string, any) {
		p := o.payload(event, c, *doc, slugs, now)
		return p.ID, p
	})
}

// enqueue queues one message of event for every webhook subscribed to it,
// with the payload build makes for it (each has its own delivery id).
func enqueue(ctx context.Context, ws Store, hooks []Webhook, event string, now time.Time, build func() (id string, payload any)) error {
	for _, w := range hooks {
		if !slices.Contains(w.Events, event) {
			continue
		}
		id, p := build()
		body, err := json.Marshal(p)
		if err != nil {
			return err
		}
		m := Message{ID: id, WebhookID: w.ID, Event: event, Payload: body, NextAttemptAt: now, CreatedAt: now}
		if err := ws.Enqueue(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// liveSlugs returns the slugs the change concerns, the one the payload
// names first: the live revision's slug after a publish or a live update,
// the slug that was live before an unpublish, and, after a live update
// that renamed the document, the old live slug second. The document's own
// Slug is its working copy's, which may be an unpublished draft's: it
// must never leave in a payload.
func liveSlugs(ctx context.Context, tx content.Store, event string, c content.Change) ([]string, error) {
	slugOf := func(d *content.Document) (string, error) {
		r, err := tx.FindRevision(ctx, d.ID, *d.LiveRevision)
		return r.Slug, err
	}
	if event == EventUnpublished {
		before, err := slugOf(c.Before)
		return []string{before}, err
	}
	after, err := slugOf(c.After)
	if err != nil || event != EventUpdatedLive {
		return []string{after}, err
	}
	before, err := slugOf(c.Before)
	if err != nil || before == after {
		return []string{after}, err
	}
	return []string{after, before}, nil
}

func (o *Outbox) payload(event string, c content.Change, d content.Document, slugs []string, now time.Time) Payload {
	p := Payload{ID: cms.NewID(), Event: event, DocumentID: d.ID, Series: d.Series, Slug: slugs[0],
		URL: o.documentURL(d.Series, slugs[0]), OccurredAt: now}
	if c.After != nil {
		p.Revision = c.After.LiveRevision
	}
	for _, slug := range slugs {
		p.Paths = append(p.Paths, "/delivery/v1/documents/"+d.Series+"/"+slug)
	}
	p.Paths = append(p.Paths,
		"/delivery/v1/documents",
		"/delivery/v1/series",
		"/delivery/v1/series/"+d.Series,
		"/delivery/v1/feeds/"+d.Series+".atom",
		"/delivery/v1/feeds/"+d.Series+".json",
		"/delivery/v1/feed.atom",
		"/delivery/v1/feed.json",
		"/delivery/v1/sitemap.xml",
		"/sitemap.xml",
	)
	return p
}
