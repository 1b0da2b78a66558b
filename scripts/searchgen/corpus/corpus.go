// Package corpus generates a deterministic newsroom of published
// briefings for search benchmarks: a few series (one the child of
// another), contributors, topics and ten years of documents whose text is
// drawn from a Zipf-distributed vocabulary. It writes straight into a
// store through the store's own methods — the document, its revision, its
// delivered form and both search index entries, exactly what publishing
// writes — in large transactions. scripts/searchgen and the search
// benchmarks use it; it is not part of the product.
package corpus

import (
	"context"
	"fmt"
	"math/rand"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/render"
	"github.com/masthead-cms/masthead/internal/search"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// Config says how much to generate.
type Config struct {
	Docs  int
	Seed  int64
	Batch int // documents per transaction (default 2,000)
	// Tail is the number of coined rare words (default 200,000).
	Tail int
	// Progress, when set, is called after each committed batch.
	Progress func(done int)
}

// Series are the generated series with their share of documents; the
// child korea-view is found by searches filtered on the-peninsula.
var Series = []struct {
	Slug, Name, Kind, Parent string
	Weight                   int
}{
	{"the-peninsula", "The Peninsula", "blog", "", 20},
	{"korea-view", "Korea View", "newsletter", "the-peninsula", 25},
	{"asia-unbound", "Asia Unbound", "blog", "", 20},
	{"energy-watch", "Energy Watch", "newsletter", "", 15},
	{"trade-lines", "Trade Lines", "report", "", 12},
	{"health-desk", "Health Desk", "newsletter", "", 8},
}

// Start and End bound the publication dates: ten years, so ten year facets.
var (
	Start = time.Date(2016, 1, 1, 8, 0, 0, 0, time.UTC)
	End   = time.Date(2025, 12, 31, 18, 0, 0, 0, time.UTC)
)

const ownerID = "searchgen-owner"

// BaseURL is where the generated documents live.
var BaseURL = &url.URL{Scheme: "https", Host: "masthead.example"}

// Load fills db with cfg.Docs published briefings. db must be migrated
// and empty of them.
func Load(ctx context.Context, db *store.DB, cfg Config) error {
	if cfg.Batch <= 0 {
		cfg.Batch = 2000
	}
	if cfg.Tail <= 0 {
		cfg.Tail = 200_000
	}
	now := time.Now().UTC()
	ev := func(action, id string) cms.AuditEvent {
		return cms.AuditEvent{ActorID: ownerID, Action: action, ObjectType: "searchgen", ObjectID: id}
	}
	if err := db.CreateUser(ctx, auth.User{ID: ownerID, Email: "searchgen@example.org", Name: "Search Generator",
		PasswordHash: "!", Active: true, CreatedAt: now, UpdatedAt: now}, ev("user.create", ownerID)); err != nil {
		return fmt.Errorf("corpus: user: %w", err)
	}
	series := map[string]content.Series{}
	for _, s := range Series {
		cs := content.Series{ID: "series-" + s.Slug, Slug: s.Slug, Name: s.Name, Kind: s.Kind,
			About: "This briefing comes from " + s.Name + ".", CreatedAt: now, UpdatedAt: now}
		if s.Parent != "" {
			p := series[s.Parent]
			cs.ParentID, cs.Parent = &p.ID, &p.Slug
		}
		if err := db.CreateSeries(ctx, cs, ev("series.create", cs.ID)); err != nil {
			return fmt.Errorf("corpus: series: %w", err)
		}
		series[s.Slug] = cs
	}
	people := contributors()
	for _, c := range people {
		c.CreatedAt, c.UpdatedAt = now, now
		if err := db.CreateContributor(ctx, c, ev("contributor.create", c.ID)); err != nil {
			return fmt.Errorf("corpus: contributor: %w", err)
		}
	}
	ct, err := db.FindContentType(ctx, "briefing")
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	gen := newDocGen(cfg, people)
	renderer := render.New(BaseURL)

	// Three stages run at once: generate (in order, from one random
	// source), render (two workers per batch), write (in order, so that
	// rowids follow publication dates).
	generated := make(chan []item, 2)
	rendered := make(chan []item, 2)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(generated)
		for done := 0; done < cfg.Docs; {
			n := min(cfg.Batch, cfg.Docs-done)
			batch := make([]item, n)
			for i := range batch {
				batch[i].doc, batch[i].rev = gen.next()
			}
			done += n
			select {
			case generated <- batch:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		defer close(rendered)
		for batch := range generated {
			var wg sync.WaitGroup
			const workers = 2
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for i := w; i < len(batch); i += workers {
						it := &batch[i]
						s := series[it.doc.Series]
						in := render.Input{DocumentID: it.doc.ID, Type: ct, Series: s, Revision: it.rev,
							BylineName: s.Name, CreditNames: map[string]string{},
							PublishedAt: *it.doc.FirstPublishedAt, UpdatedAt: *it.doc.LastPublishedAt}
						if it.rev.Byline != nil {
							in.BylineName = gen.names[*it.rev.Byline]
						}
						for _, c := range it.rev.Credits {
							in.CreditNames[c.Contributor] = gen.names[c.Contributor]
						}
						it.rendered = renderer.Document(in)
						it.body, _ = render.JSON(it.rendered)
					}
				}(w)
			}
			wg.Wait()
			select {
			case rendered <- batch:
			case <-ctx.Done():
				return
			}
		}
	}()
	return db.BulkLoadSearch(ctx, func() error { return writeBatches(ctx, db, rendered, series, cfg.Progress) })
}

// item is one generated document on its way to the database.
type item struct {
	doc      content.Document
	rev      content.Revision
	rendered render.Document
	body     []byte
}

// writeBatches stores the rendered batches in order, each in one
// transaction.
func writeBatches(ctx context.Context, db *store.DB, rendered <-chan []item, series map[string]content.Series, progress func(int)) error {
	done := 0
	for batch := range rendered {
		err := db.InTx(ctx, func(tx *store.DB) error {
			rec := &recorder{DB: tx}
			for _, it := range batch {
				if err := write(ctx, rec, series[it.doc.Series], it.doc, it.rev, it.rendered, it.body); err != nil {
					return err
				}
			}
			if err := tx.PutStaffBatch(ctx, rec.staff); err != nil {
				return err
			}
			if err := tx.PutLiveBatch(ctx, rec.live); err != nil {
				return err
			}
			return tx.BumpDeliveryVersion(ctx)
		})
		if err != nil {
			return fmt.Errorf("corpus: %w", err)
		}
		done += len(batch)
		if progress != nil {
			progress(done)
		}
	}
	return ctx.Err()
}

// recorder collects the index entries the indexers make, so that a batch
// writes them in a few statements (store.PutLiveBatch, PutStaffBatch):
// the same rows, without the full-text index flushing after every one.
type recorder struct {
	*store.DB
	live  []search.Doc
	staff []store.StaffEntry
}

func (r *recorder) PutLive(_ context.Context, d search.Doc) error {
	r.live = append(r.live, d)
	return nil
}

func (r *recorder) PutStaff(_ context.Context, documentID, title, body string) error {
	r.staff = append(r.staff, store.StaffEntry{DocumentID: documentID, Title: title, Body: body})
	return nil
}

// write stores one published document the way publishing does: the
// document and its revision, the staff index entry (a content hook), the
// delivered form and the public index entry (delivery's deliver), through
// the same indexers.
func write(ctx context.Context, tx *recorder, s content.Series, d content.Document, rev content.Revision, doc render.Document, body []byte) error {
	if err := tx.InsertDocument(ctx, d); err != nil {
		return err
	}
	if err := tx.AddRevision(ctx, rev); err != nil {
		return err
	}
	if err := (search.StaffIndexer{}).DocumentChanged(ctx, tx, content.Change{After: &d}); err != nil {
		return err
	}
	e := published.Entry{DocumentID: d.ID, SeriesID: s.ID, SeriesSlug: s.Slug, ParentSlug: s.Parent, Type: d.Type,
		Slug: rev.Slug, Title: rev.Title, Summary: doc.Summary, Revision: rev.Number, PublishedAt: doc.PublishedAt,
		UpdatedAt: doc.UpdatedAt, Body: body, Topics: rev.Topics}
	for _, c := range doc.Credits {
		e.Contributors = appendOnce(e.Contributors, c.Slug)
	}
	if rev.Byline != nil {
		e.Contributors = appendOnce(e.Contributors, *rev.Byline)
	}
	if err := tx.PutDelivered(ctx, e); err != nil {
		return err
	}
	return (search.LiveIndexer{}).PutLive(ctx, tx, doc, s.Parent)
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func contributors() []content.Contributor {
	r := rand.New(rand.NewSource(7))
	seen := map[string]bool{}
	var out []content.Contributor
	for len(out) < 60 {
		name := firstNames[r.Intn(len(firstNames))] + " " + lastNames[r.Intn(len(lastNames))]
		slug := strings.ToLower(strings.ReplaceAll(name, " ", "-"))
		if seen[slug] {
			continue
		}
		seen[slug] = true
		out = append(out, content.Contributor{ID: "contributor-" + slug, Slug: slug, Name: name})
	}
	return out
}

// docGen makes documents in publication order.
type docGen struct {
	cfg    Config
	text   *textGen
	r      *rand.Rand
	people []content.Contributor
	names  map[string]string
	topicZ *rand.Zipf
	bylZ   *rand.Zipf
	i      int
	step   time.Duration
	weight int
}

func newDocGen(cfg Config, people []content.Contributor) *docGen {
	g := &docGen{cfg: cfg, text: newTextGen(cfg.Seed, cfg.Tail), people: people, names: map[string]string{}}
	g.r = g.text.r
	g.topicZ = rand.NewZipf(g.r, 1.1, 2, uint64(len(topics)-1))
	g.bylZ = rand.NewZipf(g.r, 1.05, 3, uint64(len(people)-1))
	for _, p := range people {
		g.names[p.Slug] = p.Name
	}
	g.step = End.Sub(Start) / time.Duration(max(cfg.Docs, 1))
	for _, s := range Series {
		g.weight += s.Weight
	}
	return g
}

func (g *docGen) next() (content.Document, content.Revision) {
	at := Start.Add(time.Duration(g.i)*g.step + time.Duration(g.r.Int63n(int64(max(g.step, 1)))))
	at = at.Truncate(time.Second)
	g.i++
	series := Series[0].Slug
	for w, i := g.r.Intn(g.weight), 0; i < len(Series); i++ {
		if w < Series[i].Weight {
			series = Series[i].Slug
			break
		}
		w -= Series[i].Weight
	}
	t := g.text
	title := t.title()
	fields := map[string]any{
		"summary":       t.paragraph(160),
		"what_happened": []any{t.paragraph(220), t.paragraph(220), t.paragraph(220)},
		"implications":  t.paragraph(650) + "\n\n" + t.paragraph(650) + "\n\n- " + t.paragraph(120) + "\n- " + t.paragraph(120),
		"context":       t.paragraph(650),
	}
	var tops []string
	for n := 1 + g.r.Intn(3); len(tops) < n; {
		tp := topics[g.topicZ.Uint64()]
		if !contains(tops, tp) {
			tops = append(tops, tp)
		}
	}
	var byline *string
	if g.r.Intn(10) < 8 {
		b := g.people[g.bylZ.Uint64()].Slug
		byline = &b
	}
	var credits []content.Credit
	for n := g.r.Intn(3); len(credits) < n; {
		p := g.people[g.bylZ.Uint64()]
		credits = append(credits, content.Credit{Role: []string{"Reporting", "Editing", "Research"}[len(credits)], Contributor: p.Slug, Name: p.Name})
	}
	id := fmt.Sprintf("%016x%016x", g.r.Uint64(), uint64(g.i))
	live := 1
	d := content.Document{
		ID: id, Type: "briefing", Series: series, Title: title, Slug: fmt.Sprintf("%s-%d", slugify(title), g.i),
		Fields: fields, Topics: tops, Byline: byline, Credits: credits, OwnerID: ownerID, State: workflow.Published,
		HeadRevision: 1, LiveRevision: &live, ApprovedRevision: &live, Version: 4, CreatedAt: at.Add(-time.Hour),
		UpdatedAt: at, SubmittedAt: ptr(at.Add(-30 * time.Minute)), ApprovedAt: ptr(at.Add(-10 * time.Minute)),
		FirstPublishedAt: ptr(at), LastPublishedAt: ptr(at),
	}
	if credits == nil {
		d.Credits = []content.Credit{}
	}
	rev := content.Revision{DocumentID: id, Number: 1, Title: title, Slug: d.Slug, Fields: fields, Topics: tops,
		Byline: byline, Credits: d.Credits, AuthorID: ownerID, CreatedAt: at.Add(-time.Hour)}
	return d, rev
}

func ptr[T any](v T) *T { return &v }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func slugify(s string) string {
	words := search.Words(s)
	if len(words) > 6 {
		words = words[:6]
	}
	return strings.Join(words, "-")
}
