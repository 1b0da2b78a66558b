package newsletter

import (
	"context"
	"errors"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// EditionHook is the content hook that creates an edition's sends in the
// publishing transaction: publishing (by hand, by the clock or in a
// release) a document of a series whose newsletter sends on publish
// queues one send for the series, and one for its parent when the
// parent's newsletter takes its children's documents. The database keeps
// one send per (document, series), so publishing again never mails twice.
type EditionHook struct{}

// DocumentChanged queues the sends of a document that went live.
func (EditionHook) DocumentChanged(ctx context.Context, tx content.Store, c content.Change) error {
	if c.After == nil || c.After.LiveRevision == nil || (c.Before != nil && c.Before.LiveRevision != nil) {
		return nil // not a publish: an edit, a live update or an unpublish
	}
	if c.Event.Action == content.ActionImport {
		return nil // an archive moving in is no news to mail
	}
	es, ok := tx.(EditionStore)
	if !ok {
		return errors.New("newsletter: the transaction's store lacks the edition methods")
	}
	sr, err := es.FindSeries(ctx, c.After.Series)
	if err != nil {
		return err
	}
	if err := queueSend(ctx, es, c.After.ID, sr, false); err != nil || sr.ParentID == nil {
		return err
	}
	parent, err := es.FindSeriesByID(ctx, *sr.ParentID)
	if err != nil {
		return err
	}
	return queueSend(ctx, es, c.After.ID, parent, true)
}

// queueSend creates the send of a document to sr's list if its settings
// send on publish (and take children's documents, for a parent).
func queueSend(ctx context.Context, es EditionStore, documentID string, sr content.Series, child bool) error {
	set, err := es.FindSettings(ctx, sr.ID)
	if err != nil || !set.Enabled || !set.SendOnPublish || (child && !set.IncludeChildren) {
		return err
	}
	_, err = es.CreateSend(ctx, Send{ID: cms.NewID(), DocumentID: documentID, SeriesID: sr.ID, Series: sr.Slug,
		Status: SendQueued, CreatedAt: time.Now().UTC()})
	return err
}
