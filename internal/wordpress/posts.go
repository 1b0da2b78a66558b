package wordpress

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// pending is a document of the batch being gathered.
type pending struct {
	it     *Item
	doc    content.ImportedDocument
	digest string
}

// posts reads the file again and imports its posts and pages, a batch to
// a transaction.
func (r *run) posts(rd *Reader) error {
	var batch []pending
	for {
		v, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err // the file changed since the first pass
		}
		it, ok := v.(*Item)
		if !ok || it.Type == "attachment" {
			continue
		}
		p, ok := r.plan(it)
		r.progressUnless(ok)
		if !ok {
			continue
		}
		if batch = append(batch, p); len(batch) >= r.opt.BatchSize {
			if err := r.write(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return r.write(batch)
}

func (r *run) progressUnless(queued bool) {
	if !queued {
		r.progress()
	}
}

// plan maps one item to a document, or reports why it is not one.
func (r *run) plan(it *Item) (pending, bool) {
	r.report.Comments += len(it.Comments)
	typ := r.opt.Type
	switch it.Type {
	case "post":
	case "page":
		typ = "page"
	default:
		r.report.skip(it, fmt.Sprintf("a %q is not imported", it.Type))
		return pending{}, false
	}
	if r.seen[it.ID] {
		r.report.skip(it, "the export holds this post id twice: the first was imported")
		return pending{}, false
	}
	r.seen[it.ID] = true
	state, note, skip := standing(it, r.now)
	if skip {
		r.report.skip(it, note)
		return pending{}, false
	}
	r.report.alter(it, note)
	doc, err := r.document(it, typ, state)
	if err != nil {
		r.report.skip(it, err.Error())
		return pending{}, false
	}
	p := pending{it: it, doc: doc, digest: digest(doc)}
	if rec, ok := r.records["post/"+it.ID]; ok {
		p.doc.ID = rec.TargetID
	}
	return p, true
}

// document is the imported document an item makes.
func (r *run) document(it *Item, typ string, state workflow.State) (content.ImportedDocument, error) {
	title, note := titleFor(it)
	r.report.alter(it, note)
	series := r.seriesOf(it)
	slug, note := slugFor(it)
	r.report.alter(it, note)
	slug = r.uniqueSlug(series, slug, it)
	conv := Convert(it.Content(), r.imageURL)
	if len(conv.Shortcodes) > 0 {
		r.report.alter(it, "shortcodes kept as text: ["+strings.Join(conv.Shortcodes, "], [")+"]")
	}
	if len(conv.Markdown) > maxBody {
		return content.ImportedDocument{}, fmt.Errorf("the body is %d characters; at most %d fit", len(conv.Markdown), maxBody)
	}
	topics, note := topicsFor(it, r.sc.categories, func(slug string) bool { return false })
	r.report.alter(it, note)
	in := content.NewDocument{Type: typ, Series: series, Title: title, Slug: slug, Topics: topics,
		Fields: map[string]any{"summary": summaryFor(it, conv.Markdown), "body": conv.Markdown}}
	doc := content.ImportedDocument{In: in, State: state, OldPaths: oldPaths(it, r.sc.site),
		PublishedAt: parseDate(it.DateGMT, it.Date), UpdatedAt: parseDate(it.ModifiedGMT, it.Modified)}
	if state == workflow.Scheduled && doc.PublishedAt == nil {
		doc.State = workflow.Draft
		r.report.alter(it, "scheduled without a date: imported as a draft")
	}
	if author := r.bylineOf(it); author != "" {
		doc.In.Byline = &author
		doc.Credits = []content.CreditInput{{Role: "author", Contributor: author}}
	}
	r.hero(it, &doc)
	return doc, nil
}

// seriesOf is the series of an item: its top-level category's with
// --categories-as-series, else the import's.
func (r *run) seriesOf(it *Item) string {
	for _, c := range it.Categories {
		if c.Domain != "category" {
			continue
		}
		if s, ok := r.topSeries[topCategory(c.Nicename, r.sc.categories)]; ok {
			return s
		}
	}
	return r.series
}

// uniqueSlug keeps slugs unique within a series: WordPress keeps them
// unique per post type, so a page and a post may share one.
func (r *run) uniqueSlug(series, slug string, it *Item) string {
	key := series + "/" + slug
	if owner, taken := r.slugs[key]; taken && owner != it.ID {
		alt := strings.Trim(content.Slugify(slug+"-"+it.ID), "-")
		if len(alt) > maxSlug {
			alt = strings.Trim(alt[len(alt)-maxSlug:], "-")
		}
		r.report.alter(it, fmt.Sprintf("slug %q is another item's in the series: %q", slug, alt))
		slug, key = alt, series+"/"+alt
	}
	r.slugs[key] = it.ID
	return slug
}

// bylineOf is the contributor of the item's author, made now for an
// author the export did not list (WXR 1.0 lists none).
func (r *run) bylineOf(it *Item) string {
	login := strings.TrimSpace(it.Creator)
	if login == "" {
		return ""
	}
	if _, ok := r.authors[login]; !ok {
		if err := r.author(&Author{Login: login, DisplayName: login}); err != nil {
			r.report.alter(it, "author "+login+": "+err.Error())
			return ""
		}
		r.report.Authors++
	}
	return r.authorOf(it)
}

// hero sets the featured image as the hero, when it was imported.
func (r *run) hero(it *Item, doc *content.ImportedDocument) {
	id := strings.TrimSpace(it.MetaValue("_thumbnail_id"))
	if id == "" {
		return
	}
	asset, ok := r.assets[id]
	if !ok {
		r.report.alter(it, "featured image "+id+" was not imported: no hero")
		return
	}
	if strings.HasPrefix(asset, "dry-run-") {
		return
	}
	doc.In.Hero = &asset
	if doc.State == workflow.Published || doc.State == workflow.Scheduled {
		r.report.HeroesWithoutLicence = append(r.report.HeroesWithoutLicence,
			Note{Item: it.ID, Title: it.Title, Reason: "hero " + asset + " has no licence"})
	}
}

// write imports a batch and remembers what it made.
func (r *run) write(batch []pending) error {
	if len(batch) == 0 {
		return nil
	}
	var docs []content.ImportedDocument
	var todo []pending
	for _, p := range batch {
		rec, seen := r.records["post/"+p.it.ID]
		switch {
		case seen && rec.Digest == p.digest:
			// Most of a second run: the same input makes the same
			// document, whatever content would say.
			r.count(p, content.ImportUnchanged)
		case r.opt.DryRun && seen:
			r.count(p, content.ImportUpdated)
		case r.opt.DryRun:
			r.count(p, content.ImportCreated)
		default:
			docs, todo = append(docs, p.doc), append(todo, p)
		}
	}
	if len(docs) == 0 {
		return nil
	}
	// The records commit with their documents: a run stopped between
	// two batches finds every document it made.
	outcomes, err := r.im.d.Content.ImportDocuments(r.ctx, r.actor, docs, func(ctx context.Context, tx content.Store, done map[int]content.ImportOutcome) error {
		st, ok := tx.(Store)
		if !ok {
			return fmt.Errorf("wordpress: the transaction's store keeps no import records")
		}
		recs := make([]Record, 0, len(done))
		for i, o := range done {
			recs = append(recs, Record{Source: r.source, Kind: "post", Key: todo[i].it.ID, TargetID: o.ID, Digest: todo[i].digest})
		}
		return st.PutImportRecords(ctx, recs)
	})
	if err != nil {
		return err
	}
	for i, o := range outcomes {
		p := todo[i]
		if o.Status == content.ImportSkipped {
			r.report.skip(p.it, o.Err.Error())
			r.progress()
			continue
		}
		r.count(p, o.Status)
		r.records["post/"+p.it.ID] = Record{Source: r.source, Kind: "post", Key: p.it.ID, TargetID: o.ID, Digest: p.digest}
	}
	return nil
}

func (r *run) count(p pending, status string) {
	switch status {
	case content.ImportCreated:
		r.report.Created++
	case content.ImportUpdated:
		r.report.Updated++
	default:
		r.report.Unchanged++
	}
	r.report.ByState[stateName(p.doc.State)]++
	r.progress()
}
