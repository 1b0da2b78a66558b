package published

import (
	"context"
	"fmt"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/render"
)

// BatchStore is what a store offers for delivering many documents in a
// few statements, as PutDelivered would one by one.
type BatchStore interface {
	PutDeliveredBatch(ctx context.Context, es []Entry) error
}

// BatchIndex is a LiveIndex that takes many documents at once.
type BatchIndex interface {
	PutLives(ctx context.Context, tx content.Store, docs []render.Document, parents []*string) error
}

// DocumentsChanged does what DocumentChanged does for each change of an
// import batch, in bulk: each document is rendered once, with the
// catalog read once per batch; the delivered rows and the public index
// are written in a few multi-row statements, and the delivery version
// moves once. A store or index without bulk methods is written change by
// change.
func (s *Service) DocumentsChanged(ctx context.Context, tx content.Store, cs []content.Change) error {
	ds, ok := tx.(Store)
	if !ok {
		return fmt.Errorf("published: the transaction's store lacks delivery methods")
	}
	bs, bulk := tx.(BatchStore)
	bix, bulkIndex := s.index.(BatchIndex)
	if !bulk {
		for _, c := range cs {
			if err := s.DocumentChanged(ctx, tx, c); err != nil {
				return err
			}
		}
		return nil
	}
	cat := &memoCatalog{catalog: ds, series: map[string]content.Series{}, types: map[string]content.ContentType{},
		contributors: map[string]content.Contributor{}}
	var entries []Entry
	var docs []render.Document
	var parents []*string
	var changed []Change
	for _, c := range cs {
		if !c.LiveChanged() && !(c.Redeliver && c.After != nil && c.After.LiveRevision != nil) {
			continue
		}
		if c.After == nil || c.After.LiveRevision == nil {
			changed = append(changed, Change{Kind: ChangeDocument, ID: c.Before.ID})
			if err := s.undeliver(ctx, tx, ds, c.Before.ID); err != nil {
				return err
			}
			continue
		}
		changed = append(changed, Change{Kind: ChangeDocument, ID: c.After.ID})
		e, doc, err := s.entryOf(ctx, tx, ds, cat, *c.After, c.Before == nil)
		if err != nil {
			return err
		}
		entries, docs, parents = append(entries, e), append(docs, doc), append(parents, e.ParentSlug)
	}
	if err := bs.PutDeliveredBatch(ctx, entries); err != nil {
		return err
	}
	if err := s.indexBatch(ctx, tx, bix, bulkIndex, docs, parents); err != nil {
		return err
	}
	if len(changed) > 0 {
		return ds.BumpDeliveryVersion(ctx, changed...)
	}
	return nil
}

// undeliver takes a document out of delivery and the public index.
func (s *Service) undeliver(ctx context.Context, tx content.Store, ds Store, id string) error {
	if err := ds.DeleteDelivered(ctx, id); err != nil {
		return err
	}
	if s.index != nil {
		return s.index.DeleteLive(ctx, tx, id)
	}
	return nil
}

func (s *Service) indexBatch(ctx context.Context, tx content.Store, bix BatchIndex, bulk bool, docs []render.Document, parents []*string) error {
	switch {
	case s.index == nil || len(docs) == 0:
		return nil
	case bulk:
		return bix.PutLives(ctx, tx, docs, parents)
	}
	for i, d := range docs {
		if err := s.index.PutLive(ctx, tx, d, parents[i]); err != nil {
			return err
		}
	}
	return nil
}

// memoCatalog reads each series, content type and contributor once per
// batch; assets are read each time (a batch rarely shares a hero).
type memoCatalog struct {
	catalog
	series       map[string]content.Series
	types        map[string]content.ContentType
	contributors map[string]content.Contributor
}

func (m *memoCatalog) FindSeries(ctx context.Context, slug string) (content.Series, error) {
	return memo(ctx, m.series, slug, m.catalog.FindSeries)
}

func (m *memoCatalog) FindContentType(ctx context.Context, name string) (content.ContentType, error) {
	return memo(ctx, m.types, name, m.catalog.FindContentType)
}

func (m *memoCatalog) FindContributor(ctx context.Context, slug string) (content.Contributor, error) {
	return memo(ctx, m.contributors, slug, m.catalog.FindContributor)
}

// FindAsset reads an asset.
func (m *memoCatalog) FindAsset(ctx context.Context, id string) (media.Asset, error) {
	return m.catalog.FindAsset(ctx, id)
}

func memo[T any](ctx context.Context, seen map[string]T, key string, find func(context.Context, string) (T, error)) (T, error) {
	if v, ok := seen[key]; ok {
		return v, nil
	}
	v, err := find(ctx, key)
	if err == nil {
		seen[key] = v
	}
	return v, err
}
