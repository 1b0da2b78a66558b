package published

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/render"
)

// DocumentChanged keeps the delivered tables equal to the live revisions:
// it renders a document whose live revision changed, or removes one that
// is no longer live. It runs inside the content transaction, so a publish
// and its delivery commit together.
func (s *Service) DocumentChanged(ctx context.Context, tx content.Store, c content.Change) error {
	if !c.LiveChanged() && !(c.Redeliver && c.After != nil && c.After.LiveRevision != nil) {
		return nil
	}
	ds, ok := tx.(Store)
	if !ok {
		return fmt.Errorf("published: the transaction's store lacks delivery methods")
	}
	id := c.After
	if id == nil {
		id = c.Before
	}
	// What it showed before, for the cache to drop once this commits.
	var inv Invalidation
	switch was, err := ds.FindDeliveredListing(ctx, id.ID); {
	case err == nil:
		inv = touched(inv, was)
	case !cms.IsCode(err, cms.CodeNotFound):
		return err
	}
	if c.After == nil || c.After.LiveRevision == nil {
		if err := ds.DeleteDelivered(ctx, c.Before.ID); err != nil {
			return err
		}
		if s.index != nil {
			if err := s.index.DeleteLive(ctx, tx, c.Before.ID); err != nil {
				return err
			}
		}
		inv.Removed = true
		s.pending.add(id.ID, inv)
		return ds.BumpDeliveryVersion(ctx, s.ownChange(c.Before.ID))
	}
	e, err := s.deliver(ctx, tx, ds, *c.After)
	if err != nil {
		return err
	}
	// A document at a new address left its old one: whatever showed it
	// there is not served stale.
	if len(inv.Documents) > 0 && inv.Documents[0] != e.SeriesSlug+"/"+e.Slug {
		inv.Removed = true
	}
	s.pending.add(id.ID, touched(inv, e))
	return ds.BumpDeliveryVersion(ctx, s.ownChange(c.After.ID))
}

// ownChange is the Change a document's publish or unpublish announces,
// marked as this instance's: Committed invalidates what it touched here,
// so this instance need not drop everything when it hears itself.
func (s *Service) ownChange(documentID string) Change {
	return Change{Kind: ChangeDocument, ID: documentID, Origin: s.origin}
}

// touched adds what listings know of e to inv.
func touched(inv Invalidation, e Entry) Invalidation {
	add := Invalidation{Documents: []string{e.SeriesSlug + "/" + e.Slug}, Series: []string{e.SeriesSlug},
		Types: []string{e.Type}, Contributors: e.Contributors}
	if e.ParentSlug != nil {
		add.Series = append(add.Series, *e.ParentSlug)
	}
	for _, t := range e.Topics {
		add.Topics = append(add.Topics, strings.ToLower(t))
	}
	return inv.merge(add)
}

// Committed drops from this instance's cache what a change touching
// delivery touched, as soon as it has committed; other instances notice
// the version.
func (s *Service) Committed(c content.Change) {
	if !c.LiveChanged() && !c.Redeliver {
		return
	}
	d := c.After
	if d == nil {
		d = c.Before
	}
	p, ok := s.pending.take(d.ID)
	if !ok {
		s.cache.clear() // not told what it showed
		return
	}
	s.localBumps.Add(int64(p.bumps))
	s.cache.invalidate(p.Invalidation)
}

// Redeliver renders d's live revision into the delivered tables inside
// tx, as a publish does, without bumping the delivery version (the caller
// bumps it once). An import derives what readers get this way rather than
// trusting the rendered HTML in its file.
func (s *Service) Redeliver(ctx context.Context, tx content.Store, d content.Document) error {
	ds, ok := tx.(Store)
	if !ok {
		return fmt.Errorf("published: the transaction's store lacks delivery methods")
	}
	if d.LiveRevision == nil {
		return nil
	}
	_, err := s.deliver(ctx, tx, ds, d)
	return err
}

// deliver renders d's live revision and stores it.
func (s *Service) deliver(ctx context.Context, tx content.Store, ds Store, d content.Document) (Entry, error) {
	e, doc, err := s.entryOf(ctx, tx, ds, ds, d, false)
	if err != nil {
		return Entry{}, err
	}
	if err := ds.PutDelivered(ctx, e); err != nil {
		return Entry{}, err
	}
	if s.index != nil {
		return e, s.index.PutLive(ctx, tx, doc, e.ParentSlug)
	}
	return e, nil
}

// entryOf renders d's live revision, with the names cat gives, into the
// delivered row it makes (and keeps a redirect from where it was, unless
// d is new: never delivered, it was nowhere): the one rendering a publish
// and an import batch share.
func (s *Service) entryOf(ctx context.Context, tx content.Store, ds Store, cat catalog, d content.Document, isNew bool) (Entry, render.Document, error) {
	rev, err := tx.FindRevision(ctx, d.ID, *d.LiveRevision)
	if err != nil {
		return Entry{}, render.Document{}, err
	}
	doc, err := s.renderRevision(ctx, cat, d, rev)
	if err != nil {
		return Entry{}, render.Document{}, err
	}
	body, err := render.JSON(doc)
	if err != nil {
		return Entry{}, render.Document{}, err
	}
	digest, err := render.JSON(doc.Digest)
	if err != nil {
		return Entry{}, render.Document{}, err
	}
	series, err := cat.FindSeries(ctx, d.Series)
	if err != nil {
		return Entry{}, render.Document{}, err
	}
	e := Entry{
		DocumentID: d.ID, SeriesID: series.ID, SeriesSlug: series.Slug, ParentSlug: series.Parent,
		Type: d.Type, Slug: rev.Slug, Title: rev.Title, Summary: doc.Summary, Revision: rev.Number,
		PublishedAt: doc.PublishedAt, UpdatedAt: doc.UpdatedAt, Body: body, Digest: digest, Shape: render.Shape,
		Topics: rev.Topics, HeroID: rev.Hero,
	}
	for _, c := range doc.Credits {
		e.Contributors = appendOnce(e.Contributors, c.Slug)
	}
	if !isNew {
		if err := keepOldPath(ctx, ds, e, d.UpdatedAt); err != nil {
			return Entry{}, render.Document{}, err
		}
	}
	if rev.Byline != nil {
		e.Contributors = appendOnce(e.Contributors, *rev.Byline)
	}
	e.Media = mediaShown(body)
	if rev.Hero != nil {
		e.Media = appendOnce(e.Media, *rev.Hero)
	}
	return e, doc, nil
}

// mediaPath is an address of an asset on this site: the hero's, and every
// image or link an author (or an import) put into the text.
// The host, when there is one, is part of the match, so that MediaAt can
// put an address of its own in the place of the whole of it.
var mediaPath = regexp.MustCompile(`(?:https?://[^/"\s]+)?/media/([0-9a-f]{32})\b`)

// mediaShown lists the assets a delivered document's JSON points to, each
// once: the files it makes public.
func mediaShown(body []byte) []string {
	var ids []string
	for _, m := range mediaPath.FindAllSubmatch(body, -1) {
		ids = appendOnce(ids, string(m[1]))
	}
	return ids
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// catalog is what rendering reads: the content catalog, and media for
// the hero's attribution.
type catalog interface {
	FindContentType(ctx context.Context, name string) (content.ContentType, error)
	FindSeries(ctx context.Context, slug string) (content.Series, error)
	FindContributor(ctx context.Context, slug string) (content.Contributor, error)
	FindAsset(ctx context.Context, id string) (media.Asset, error)
}

// renderRevision builds the delivered shape of one revision of d, with
// today's names of its series and contributors.
func (s *Service) renderRevision(ctx context.Context, cat catalog, d content.Document, rev content.Revision) (render.Document, error) {
	ct, err := cat.FindContentType(ctx, d.Type)
	if err != nil {
		return render.Document{}, err
	}
	series, err := cat.FindSeries(ctx, d.Series)
	if err != nil {
		return render.Document{}, err
	}
	in := render.Input{DocumentID: d.ID, Type: ct, Series: series, Revision: rev, BylineName: series.Name,
		CreditNames: map[string]string{}}
	if series.Parent != nil {
		parent, err := cat.FindSeries(ctx, *series.Parent)
		if err != nil && !cms.IsCode(err, cms.CodeNotFound) {
			return render.Document{}, err
		}
		if err == nil {
			in.Parent = &parent
		}
	}
	if rev.Byline != nil {
		if c, err := cat.FindContributor(ctx, *rev.Byline); err == nil {
			in.BylineName = c.Name
		}
	}
	for _, cr := range rev.Credits {
		if c, err := cat.FindContributor(ctx, cr.Contributor); err == nil {
			in.CreditNames[cr.Contributor] = c.Name
		} else if !cms.IsCode(err, cms.CodeNotFound) {
			return render.Document{}, err
		}
	}
	if rev.Hero != nil {
		a, err := cat.FindAsset(ctx, *rev.Hero)
		if err != nil && !cms.IsCode(err, cms.CodeNotFound) {
			return render.Document{}, err
		}
		in.Hero = heroOf(a)
	}
	in.PublishedAt, in.UpdatedAt = rev.CreatedAt, rev.CreatedAt
	if d.FirstPublishedAt != nil {
		in.PublishedAt = *d.FirstPublishedAt
	}
	if d.LastPublishedAt != nil {
		in.UpdatedAt = *d.LastPublishedAt
	}
	return s.renderer.Document(in), nil
}

// heroOf is the attribution a reader sees for an asset.
func heroOf(a media.Asset) render.HeroAsset {
	h := render.HeroAsset{ID: a.ID, Alt: a.Alt, Caption: a.Caption, Credit: a.Credit, Licence: a.Licence,
		SourceURL: a.SourceURL, Width: a.Width, Height: a.Height}
	for _, v := range a.Variants {
		hv := render.HeroVariant{Key: v.SHA256, MIME: v.MIME, Width: v.Width, Height: v.Height}
		if v.Kind == media.KindSocial {
			h.Social = &hv
		} else {
			h.Variants = append(h.Variants, hv)
		}
	}
	return h
}

// Rerender renders again every delivered document of a series (and its
// children), crediting a contributor, or showing an asset, after a change
// of what they show.
func (s *Service) Rerender(ctx context.Context, seriesSlug, contributor, heroID string) error {
	ids, err := s.store.FindDeliveredIDs(ctx, seriesSlug, contributor, heroID)
	if err != nil {
		return err
	}
	if err := s.rerender(ctx, ids); err != nil {
		return err
	}
	// What shows the series or contributor itself (its own page, the
	// series list) changed even where no document did.
	c := Change{Kind: ChangeSeries, ID: seriesSlug}
	switch {
	case contributor != "":
		c = Change{Kind: ChangeContributor, ID: contributor}
	case heroID != "":
		c = Change{Kind: ChangeMedia, ID: heroID}
	}
	return s.store.BumpDeliveryVersion(ctx, c)
}

// RenderOlderShapes renders again every delivered document stored in an
// older delivered shape than this build's (after an upgrade), or all of
// them when they were rendered for another base URL or public URL
// pattern, and reports how many it rendered. Addresses are thus fixed
// once at start rather than rewritten on every read: delivery is hot, a
// change of host is rare.
func (s *Service) RenderOlderShapes(ctx context.Context) (int, error) {
	was, err := s.store.RenderedFor(ctx)
	if err != nil {
		return 0, err
	}
	stamp, shape := s.renderer.Stamp(), render.Shape
	if was != stamp {
		shape = math.MaxInt32 // every stored shape is older than that
	}
	ids, err := s.store.FindDeliveredOlderThan(ctx, shape)
	if err != nil {
		return 0, err
	}
	if len(ids) > 0 {
		if err := s.rerender(ctx, ids); err != nil {
			return 0, err
		}
	}
	if was != stamp {
		return len(ids), s.store.SetRenderedFor(ctx, stamp)
	}
	return len(ids), nil
}

// rerender renders the live revisions of ids again, each document in its
// own transaction, and drops the cache.
func (s *Service) rerender(ctx context.Context, ids []string) error {
	for _, id := range ids {
		err := s.store.DocumentTx(ctx, func(tx content.Store) error {
			d, err := tx.FindDocument(ctx, id)
			if err != nil || d.LiveRevision == nil {
				return err
			}
			ds := tx.(Store)
			if _, err := s.deliver(ctx, tx, ds, d); err != nil {
				return err
			}
			return ds.BumpDeliveryVersion(ctx, Change{Kind: ChangeDocument, ID: id})
		})
		if err != nil && !cms.IsCode(err, cms.CodeNotFound) {
			return err
		}
	}
	s.cache.clear()
	return nil
}

// SeriesChanged re-renders what shows a renamed or re-described series.
func (s *Service) SeriesChanged(ctx context.Context, slug string) error {
	return s.Rerender(ctx, slug, "", "")
}

// ContributorChanged re-renders what credits a renamed contributor.
func (s *Service) ContributorChanged(ctx context.Context, slug string) error {
	return s.Rerender(ctx, "", slug, "")
}

// MediaChanged re-renders what shows an asset whose attribution changed.
func (s *Service) MediaChanged(ctx context.Context, id string) error {
	return s.Rerender(ctx, "", "", id)
}

// pending holds, by document, what changes not yet committed touched:
// DocumentChanged learns it inside the transaction, Committed hands it
// to the cache after. A change rolled back leaves its entry, which only
// widens the next change's invalidation of that document.
type pending struct {
	mu sync.Mutex
	m  map[string]pendingChange
}

type pendingChange struct {
	Invalidation
	bumps int // delivery version bumps it made
}

// pendingLimit bounds the entries rolled-back changes can leave.
const pendingLimit = 10_000

func (p *pending) add(id string, inv Invalidation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil || len(p.m) >= pendingLimit {
		p.m = map[string]pendingChange{}
	}
	was := p.m[id]
	p.m[id] = pendingChange{Invalidation: was.merge(inv), bumps: was.bumps + 1}
}

func (p *pending) take(id string) (pendingChange, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.m[id]
	delete(p.m, id)
	return c, ok
}
