package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/render"
	"github.com/masthead-cms/masthead/internal/search"
	"github.com/masthead-cms/masthead/internal/store"
)

// deriveImported runs in the import's transaction once every row is in.
// It applies the API's rules to what the rows hold (the domain's own
// checks, on the objects the store reads back), then renders every live
// document from its live revision with the code a publish runs — never
// from the file's HTML — indexing it for readers, and indexes every
// document's head for staff. It returns how many documents are live.
func deriveImported(ctx context.Context, tx *store.DB, cfg Config, f *importFile) (int, error) {
	if err := checkCatalog(ctx, tx, f.assets); err != nil {
		return 0, err
	}
	key, err := tx.SigningKey(ctx)
	if err != nil {
		return 0, err
	}
	dl, err := published.NewService(tx, render.New(cfg.BaseURL).WithPublicURL(cfg.PublicURL), published.Config{BaseURL: cfg.BaseURL, Key: key, Index: search.LiveIndexer{}})
	if err != nil {
		return 0, err
	}
	// In publish order, not the file's, so that the public index's rowids
	// (the newest matches rank first) follow it as they did at the source.
	ids, err := tx.DocumentIDsByPublication(ctx)
	if err != nil {
		return 0, err
	}
	live := 0
	err = tx.BulkIndex(ctx, func() error {
		for batch := range slices.Chunk(ids, deriveBatch) {
			n, err := deriveBatchOf(ctx, tx, dl, batch)
			if err != nil {
				return err
			}
			live += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return live, tx.BumpDeliveryVersion(ctx)
}

// deriveBatch is how many documents one pass of deriveImported checks,
// renders and indexes together: the delivered rows and both search
// indexes take them in a few multi-row statements. A variable for tests.
var deriveBatch = 500

// deriveBatchOf checks the documents ids and derives what they show.
func deriveBatchOf(ctx context.Context, tx *store.DB, dl *published.Service, ids []string) (int, error) {
	changes := make([]content.Change, 0, len(ids))
	var live []content.Change
	for _, id := range ids {
		d, err := checkDocument(ctx, tx, id)
		if err != nil {
			return 0, err
		}
		changes = append(changes, content.Change{After: &d})
		if d.LiveRevision != nil {
			// New to this database: never delivered, so nowhere to
			// redirect from.
			live = append(live, content.Change{After: &d, Redeliver: true})
		}
	}
	if err := (search.StaffIndexer{}).DocumentsChanged(ctx, tx, changes); err != nil {
		return 0, err
	}
	if err := dl.DocumentsChanged(ctx, tx, live); err != nil {
		return 0, importRefusal(fmt.Sprintf("one of the live documents %s to %s", ids[0], ids[len(ids)-1]), err)
	}
	return len(live), nil
}

// checkCatalog applies the API's rules to the imported accounts, series,
// content types, contributors and media assets.
func checkCatalog(ctx context.Context, tx *store.DB, assets map[string]assetFile) error {
	users, err := tx.FindUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if err := auth.CheckUser(u); err != nil {
			return importRefusal("user "+u.ID, err)
		}
	}
	series, err := tx.FindAllSeries(ctx)
	if err != nil {
		return err
	}
	for _, s := range series {
		if err := content.CheckSeries(s); err != nil {
			return importRefusal("series "+s.ID, err)
		}
	}
	types, err := tx.FindContentTypes(ctx)
	if err != nil {
		return err
	}
	for _, ct := range types {
		if err := content.CheckContentType(ct); err != nil {
			return importRefusal("content type "+ct.ID, err)
		}
	}
	contributors, err := tx.FindContributors(ctx)
	if err != nil {
		return err
	}
	for _, c := range contributors {
		if err := content.CheckContributor(c); err != nil {
			return importRefusal("contributor "+c.ID, err)
		}
	}
	for id := range assets {
		a, err := tx.FindAsset(ctx, id)
		if err == nil {
			err = media.CheckAsset(a)
		}
		if err != nil {
			return importRefusal("media asset "+id, err)
		}
	}
	return nil
}

// checkDocument applies the API's rules to an imported document, its
// revisions and its comments, and returns it.
func checkDocument(ctx context.Context, tx *store.DB, id string) (content.Document, error) {
	d, err := tx.FindDocument(ctx, id)
	if err != nil {
		return d, importRefusal("document "+id, err)
	}
	ct, err := tx.FindContentType(ctx, d.Type)
	if err != nil {
		return d, importRefusal("document "+id, err)
	}
	if err := content.CheckDocument(d, ct); err != nil {
		return d, importRefusal("document "+id, err)
	}
	revs, err := tx.FindRevisions(ctx, id)
	if err != nil {
		return d, err
	}
	for _, r := range revs {
		if err := content.CheckRevision(r, ct); err != nil {
			return d, importRefusal(fmt.Sprintf("revision %d of document %s", r.Number, id), err)
		}
	}
	comments, err := tx.FindComments(ctx, id)
	if err != nil {
		return d, err
	}
	for _, c := range comments {
		if err := content.CheckComment(c); err != nil {
			return d, importRefusal("comment "+c.ID, err)
		}
	}
	return d, nil
}

// importRefusal names what an invalid imported object is; other errors
// pass as they are.
func importRefusal(what string, err error) error {
	var ce *cms.Error
	if errors.As(err, &ce) {
		return &cms.Error{Code: cms.CodeInvalid, Message: "import: " + what + ": " + ce.Message, Fields: ce.Fields}
	}
	return err
}
