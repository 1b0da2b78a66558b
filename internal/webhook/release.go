package webhook

import (
	"context"
	"fmt"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// ReleasePayload is the body of a release.published delivery: the
// release and the live slug of each of its documents. Paths lists the
// delivery paths whose responses changed, as in Payload.
type ReleasePayload struct {
	ID         string            `json:"id"`
	Event      string            `json:"event"`
	ReleaseID  string            `json:"release_id"`
	Name       string            `json:"name"`
	Documents  []ReleaseDocument `json:"documents"`
	Paths      []string          `json:"paths"`
	OccurredAt time.Time         `json:"occurred_at"`
}

// ReleaseDocument is one live document of a published release.
type ReleaseDocument struct {
	DocumentID string `json:"document_id"`
	Series     string `json:"series"`
	Slug       string `json:"slug"`
	URL        string `json:"url"`
	Revision   int    `json:"revision"`
}

// ReleasePublished queues one release.published message per subscribed
// webhook, inside the transaction that published the release (each
// document's own document.published is queued by DocumentChanged).
func (o *Outbox) ReleasePublished(ctx context.Context, tx content.Store, id, name string, docs []content.Document) error {
	ws, ok := tx.(Store)
	if !ok {
		return fmt.Errorf("webhook: the transaction's store lacks webhook methods")
	}
	hooks, err := ws.FindWebhooks(ctx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	now := time.Now().UTC()
	p := ReleasePayload{Event: EventReleasePublished, ReleaseID: id, Name: name, Documents: []ReleaseDocument{}, OccurredAt: now}
	for _, d := range docs {
		if d.LiveRevision == nil {
			continue
		}
		r, err := tx.FindRevision(ctx, d.ID, *d.LiveRevision)
		if err != nil {
			return err
		}
		p.Documents = append(p.Documents, ReleaseDocument{DocumentID: d.ID, Series: d.Series, Slug: r.Slug,
			URL: o.documentURL(d.Series, r.Slug), Revision: *d.LiveRevision})
		p.Paths = append(p.Paths, "/delivery/v1/documents/"+d.Series+"/"+r.Slug)
	}
	return enqueue(ctx, ws, hooks, EventReleasePublished, now, func() (string, any) {
		p.ID = cms.NewID()
		return p.ID, p
	})
}
