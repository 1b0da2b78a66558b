package delivery_test

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// marker is a word that only unpublished revisions contain. No delivery
// response may ever contain it, in any case.
const marker = "zebrafish"

// liveDoc is what the test expects delivery to show of one document: its
// live revision.
type liveDoc struct {
	id, series, slug, title, typ string
	topics                       []string // normalized (lower case)
	contributors                 []string // byline and credited slugs
}

func (l liveDoc) url() string { return siteBase + "/" + l.series + "/" + l.slug }

// docRef is an address a document had at some point.
type docRef struct{ series, slug string }

// seriesParent is the desk's hierarchy.
var seriesParent = map[string]string{"korea-view": "the-peninsula"}

func inSeries(l liveDoc, series string) bool {
	return l.series == series || seriesParent[l.series] == series
}

// assertOnlyLive reads every delivery route and checks that it shows
// exactly live, and that no response contains the marker.
func assertOnlyLive(t *testing.T, anon *apptest.Client, step string, known []docRef, live []liveDoc) {
	t.Helper()
	type seen struct {
		path string
		body []byte
	}
	var bodies []seen
	get := func(path string) *apptest.Response {
		r := anon.Do("GET", path, nil)
		bodies = append(bodies, seen{path, r.Body})
		return r
	}
	errorf := func(format string, args ...any) {
		t.Helper()
		t.Errorf("["+step+"] "+format, args...)
	}

	// One document by series and slug.
	for _, k := range known {
		path := "/delivery/v1/documents/" + k.series + "/" + k.slug
		r := get(path)
		i := slices.IndexFunc(live, func(l liveDoc) bool { return l.series == k.series && l.slug == k.slug })
		if i < 0 {
			if r.Status != http.StatusNotFound {
				errorf("GET %s: status %d, want 404 (not live); body %s", path, r.Status, truncate(r.Body))
			}
			continue
		}
		if r.Status != http.StatusOK {
			errorf("GET %s: status %d, want 200; body %s", path, r.Status, truncate(r.Body))
			continue
		}
		var d delivered
		if decodeInto(t, path, r.Body, &d) && (d.ID != live[i].id || d.Title != live[i].title) {
			errorf("GET %s: id %s title %q, want the live revision: id %s title %q", path, d.ID, d.Title, live[i].id, live[i].title)
		}
	}

	// The listing, with and without filters.
	filters := []struct {
		query string
		match func(liveDoc) bool
	}{
		{"", func(liveDoc) bool { return true }},
		{"series=the-peninsula", func(l liveDoc) bool { return inSeries(l, "the-peninsula") }},
		{"series=korea-view", func(l liveDoc) bool { return inSeries(l, "korea-view") }},
		{"type=briefing", func(l liveDoc) bool { return l.typ == "briefing" }},
		{"type=article", func(l liveDoc) bool { return l.typ == "article" }},
		{"series=korea-view&type=briefing&topic=china", func(l liveDoc) bool {
			return inSeries(l, "korea-view") && l.typ == "briefing" && slices.Contains(l.topics, "china")
		}},
	}
	for _, topic := range []string{"china", "diplomacy", "south korea", "economy", marker} {
		filters = append(filters, struct {
			query string
			match func(liveDoc) bool
		}{"topic=" + url.QueryEscape(topic), func(l liveDoc) bool { return slices.Contains(l.topics, topic) }})
	}
	for _, who := range []string{"yong-kwon", "melissa-cho", "alexandra-langford", "hidden-hand"} {
		filters = append(filters, struct {
			query string
			match func(liveDoc) bool
		}{"contributor=" + who, func(l liveDoc) bool { return slices.Contains(l.contributors, who) }})
	}
	for _, f := range filters {
		path := "/delivery/v1/documents?" + f.query
		r := get(path)
		if r.Status != http.StatusOK {
			errorf("GET %s: status %d; body %s", path, r.Status, truncate(r.Body))
			continue
		}
		var p page
		if !decodeInto(t, path, r.Body, &p) {
			continue
		}
		var want, got []string
		titles := map[string]string{}
		for _, l := range live {
			if f.match(l) {
				want = append(want, l.id)
				titles[l.id] = l.title
			}
		}
		for _, d := range p.Data {
			got = append(got, d.ID)
			if w, ok := titles[d.ID]; ok && d.Title != w {
				errorf("GET %s: document %s has title %q, want the live title %q", path, d.ID, d.Title, w)
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if p.Total != len(want) || !slices.Equal(got, want) {
			errorf("GET %s: total %d ids %v, want total %d ids %v", path, p.Total, got, len(want), want)
		}
		if p.NextCursor != nil {
			errorf("GET %s: next_cursor %q on a one-page listing", path, *p.NextCursor)
		}
	}

	// Series: each one, and the list, with document counts (children
	// included).
	counts := map[string]int{}
	for _, s := range []string{"the-peninsula", "korea-view"} {
		for _, l := range live {
			if inSeries(l, s) {
				counts[s]++
			}
		}
		path := "/delivery/v1/series/" + s
		r := get(path)
		var out struct {
			Slug      string `json:"slug"`
			Documents *int   `json:"documents"`
		}
		if r.Status != http.StatusOK {
			errorf("GET %s: status %d; body %s", path, r.Status, truncate(r.Body))
		} else if decodeInto(t, path, r.Body, &out) && (out.Documents == nil || *out.Documents != counts[s]) {
			errorf("GET %s: documents %s, want %d; body %s", path, fmtIntPtr(out.Documents), counts[s], truncate(r.Body))
		}
	}
	{
		path := "/delivery/v1/series"
		r := get(path)
		var out struct {
			Data []struct {
				Slug      string `json:"slug"`
				Documents int    `json:"documents"`
			} `json:"data"`
		}
		if r.Status != http.StatusOK {
			errorf("GET %s: status %d", path, r.Status)
		} else if decodeInto(t, path, r.Body, &out) {
			// Only series with something live are listed.
			listed := map[string]bool{}
			for _, s := range out.Data {
				listed[s.Slug] = true
				if want, ok := counts[s.Slug]; ok && s.Documents != want {
					errorf("GET %s: series %s documents %d, want %d", path, s.Slug, s.Documents, want)
				}
				if s.Documents == 0 {
					errorf("GET %s: lists series %s with nothing live", path, s.Slug)
				}
			}
			for slug, n := range counts {
				if n > 0 && !listed[slug] {
					errorf("GET %s: series %s with %d live is missing", path, slug, n)
				}
			}
		}
	}

	// Contributors: a page only while something of theirs is live.
	for _, who := range []string{"yong-kwon", "melissa-cho", "alexandra-langford", "hidden-hand"} {
		path := "/delivery/v1/contributors/" + who
		r := get(path)
		var want []string
		for _, l := range live {
			if slices.Contains(l.contributors, who) {
				want = append(want, l.id)
			}
		}
		if len(want) == 0 {
			if r.Status != http.StatusNotFound {
				errorf("GET %s: status %d, want 404 (nothing of theirs is live); body %s", path, r.Status, truncate(r.Body))
			}
			continue
		}
		if r.Status != http.StatusOK {
			errorf("GET %s: status %d, want 200; body %s", path, r.Status, truncate(r.Body))
			continue
		}
		var out struct {
			Total     int         `json:"total"`
			Documents []delivered `json:"documents"`
		}
		if !decodeInto(t, path, r.Body, &out) {
			continue
		}
		var got []string
		for _, d := range out.Documents {
			got = append(got, d.ID)
		}
		sort.Strings(want)
		sort.Strings(got)
		if out.Total != len(want) || !slices.Equal(got, want) {
			errorf("GET %s: total %d documents %v, want %d %v", path, out.Total, got, len(want), want)
		}
	}

	// Feeds, per series and site-wide, parsed by a feed parser.
	feeds := []struct {
		path  string
		match func(liveDoc) bool
	}{
		{"/delivery/v1/feed.atom", func(liveDoc) bool { return true }},
		{"/delivery/v1/feed.json", func(liveDoc) bool { return true }},
	}
	for _, s := range []string{"the-peninsula", "korea-view"} {
		for _, ext := range []string{".atom", ".json"} {
			feeds = append(feeds, struct {
				path  string
				match func(liveDoc) bool
			}{"/delivery/v1/feeds/" + s + ext, func(l liveDoc) bool { return inSeries(l, s) }})
		}
	}
	for _, f := range feeds {
		r := get(f.path)
		if r.Status != http.StatusOK {
			errorf("GET %s: status %d; body %s", f.path, r.Status, truncate(r.Body))
			continue
		}
		feed := parseFeed(t, f.path, r.Body)
		if feed == nil {
			continue
		}
		if strings.HasSuffix(f.path, ".json") {
			var v struct {
				Version string `json:"version"`
			}
			if decodeInto(t, f.path, r.Body, &v) && v.Version != "https://jsonfeed.org/version/1.1" {
				errorf("GET %s: JSON Feed version %q, want https://jsonfeed.org/version/1.1", f.path, v.Version)
			}
			if feed.FeedType != "json" {
				errorf("GET %s: gofeed sees a %q feed, want json", f.path, feed.FeedType)
			}
		} else if feed.FeedType != "atom" {
			errorf("GET %s: gofeed sees a %q feed, want atom", f.path, feed.FeedType)
		}
		want := map[string]string{}
		for _, l := range live {
			if f.match(l) {
				want[l.url()] = l.title
			}
		}
		got := map[string]string{}
		for _, it := range feed.Items {
			got[it.Link] = it.Title
		}
		if !mapsEqual(got, want) {
			errorf("GET %s: items (link → title) %v, want %v", f.path, got, want)
		}
	}

	// Sitemaps, at the root and under /delivery/v1.
	for _, path := range []string{"/sitemap.xml", "/delivery/v1/sitemap.xml"} {
		r := get(path)
		if r.Status != http.StatusOK {
			errorf("GET %s: status %d", path, r.Status)
			continue
		}
		s, ok := parseSitemap(t, path, r.Body)
		if !ok {
			continue
		}
		var got, want []string
		for _, u := range s.URLs {
			got = append(got, u.Loc)
			if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil {
				errorf("GET %s: lastmod %q of %s is not W3C datetime", path, u.LastMod, u.Loc)
			}
		}
		for _, l := range live {
			want = append(want, l.url())
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			errorf("GET %s: locs %v, want %v", path, got, want)
		}
	}

	// Search, once it exists (until then the route is not found), finds
	// nothing unpublished: not the marker, not a word only a draft title
	// has ("again"), and "beijing" — in every title of the walked
	// document, in none of the control's — only while it is live.
	beijing := 0
	for _, l := range live {
		if strings.Contains(strings.ToLower(l.title), "beijing") {
			beijing++
		}
	}
	for q, want := range map[string]int{marker: 0, "again": 0, "beijing": beijing} {
		path := "/delivery/v1/search?q=" + q
		r := get(path)
		if r.Status != http.StatusOK {
			continue
		}
		var out struct {
			Total int `json:"total"`
		}
		if decodeInto(t, path, r.Body, &out) && out.Total != want {
			errorf("GET %s: total %d, want %d; body %s", path, out.Total, want, truncate(r.Body))
		}
	}

	for _, b := range bodies {
		if strings.Contains(b.path, marker) {
			continue // a problem response names the path the client asked for
		}
		if strings.Contains(strings.ToLower(string(b.body)), marker) {
			errorf("GET %s leaks the unpublished marker %q: %s", b.path, marker, truncate(b.body))
		}
	}
}

// everLive are the addresses the walk ever makes live.
var everLive = []string{"the-peninsula/seouls-economy", "korea-view/beijing-calibrates", "korea-view/beijing-recalibrates"}

// assertPayloadsNameLive takes every webhook message queued since the last
// step and checks that it names, and purges, only addresses that were
// live, and carries nothing of an unpublished revision.
func assertPayloadsNameLive(t *testing.T, env *apptest.Env, step string) {
	t.Helper()
	far := time.Now().Add(24 * time.Hour)
	msgs, err := env.DB.ClaimDue(t.Context(), far, far.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if strings.Contains(strings.ToLower(string(m.Payload)), marker) {
			t.Errorf("[%s] webhook payload leaks the unpublished marker: %s", step, m.Payload)
		}
		var p struct {
			Series, Slug string
			Paths        []string
		}
		if !decodeInto(t, "webhook payload", m.Payload, &p) {
			continue
		}
		if !slices.Contains(everLive, p.Series+"/"+p.Slug) {
			t.Errorf("[%s] webhook payload names %s/%s, which was never live", step, p.Series, p.Slug)
		}
		for _, path := range p.Paths {
			doc, ok := strings.CutPrefix(path, "/delivery/v1/documents/")
			if ok && !slices.Contains(everLive, doc) {
				t.Errorf("[%s] webhook purges %s, which was never live", step, path)
			}
		}
	}
}

func fmtIntPtr(p *int) string {
	if p == nil {
		return "missing"
	}
	return strconv.Itoa(*p)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestNothingUnpublishedEverLeaves(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		k.admin.Do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.org/masthead",
			"events": []string{"document.published", "document.unpublished", "document.updated_live"}}).Want(http.StatusCreated)

		// A control document, live throughout, on the parent series.
		control := k.publishNew(map[string]any{
			"type": "article", "series": "the-peninsula", "title": "Seoul's Economy in 2021", "slug": "seouls-economy",
			"topics": []string{"Economy"}, "byline": "alexandra-langford",
			"fields": map[string]any{"summary": "Growth returns.", "body": "Exports **rose**."},
		})
		controlLive := liveDoc{id: control.ID, series: "the-peninsula", slug: "seouls-economy", title: "Seoul's Economy in 2021",
			typ: "article", topics: []string{"economy"}, contributors: []string{"alexandra-langford"}}

		known := []docRef{{"the-peninsula", "seouls-economy"}, {"korea-view", "beijing-calibrates"},
			{"korea-view", "beijing-" + marker + "-draft"}, {"korea-view", "beijing-recalibrates"}}
		check := func(step string, walked *liveDoc) {
			t.Helper()
			live := []liveDoc{controlLive}
			if walked != nil {
				live = append(live, *walked)
			}
			assertOnlyLive(t, k.anon, step, known, live)
			assertPayloadsNameLive(t, env, step)
		}

		// draft: revision 1 carries the marker everywhere.
		body := briefing("korea-view", "Beijing Calibrates ("+marker+" draft)", "beijing-calibrates")
		body["byline"] = "melissa-cho"
		body["topics"] = []string{"China", "Zebrafish"}
		body["fields"].(map[string]any)["implications"] = "Unpublished: the " + marker + " angle."
		d := k.create(k.writer, body)
		check("draft", nil)

		d = k.act(k.writer, d, "submit")
		if d.State != "in_review" {
			t.Fatalf("after submit: %+v", d)
		}
		check("in_review", nil)

		// A copy editor rewrites it in review (so another editor must
		// approve it: four eyes): the marker goes, credits come.
		copyEditor := env.CreateUser("copy-editor@example.org", "editor:the-peninsula")
		d = k.patch(copyEditor, d, map[string]any{"title": "Beijing Calibrates", "topics": []string{"China", "diplomacy"},
			"fields": map[string]any{"implications": "China’s engagement seems focused on **calibrating**."}})
		d = k.credit(d, "editor", "yong-kwon")
		check("in_review, edited", nil)

		d = k.act(k.editor, d, "approve")
		check("approved", nil)

		d = k.act(k.publisher, d, "schedule", "at", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		if d.State != "scheduled" {
			t.Fatalf("after schedule: %+v", d)
		}
		check("scheduled (not due)", nil)

		d = k.act(k.publisher, d, "unschedule")
		check("unscheduled (approved)", nil)

		d = k.act(k.publisher, d, "publish")
		if d.State != "published" || d.LiveRevision == nil {
			t.Fatalf("after publish: %+v", d)
		}
		live1 := liveDoc{id: d.ID, series: "korea-view", slug: "beijing-calibrates", title: "Beijing Calibrates", typ: "briefing",
			topics: []string{"china", "diplomacy"}, contributors: []string{"yong-kwon", "melissa-cho"}}
		check("published", &live1)

		// Edit after publish: a new draft head with the marker, another
		// slug, byline and topic; the live revision stays online.
		d = k.patch(k.writer, d, map[string]any{"title": "Beijing Calibrates Again " + marker, "slug": "beijing-" + marker + "-draft",
			"byline": "hidden-hand", "topics": []string{"China", marker},
			"fields": map[string]any{"context": "More " + marker + " context."}})
		if d.State != "draft" || d.LiveRevision == nil || d.HeadRevision == *d.LiveRevision {
			t.Fatalf("after editing the published document: %+v", d)
		}
		check("published, newer draft head", &live1)

		d = k.act(k.writer, d, "submit")
		check("published, next revision in review", &live1)

		d = k.patch(copyEditor, d, map[string]any{"title": "Beijing Recalibrates", "slug": "beijing-recalibrates", "byline": "",
			"topics": []string{"China", "South Korea"}, "fields": map[string]any{"context": "Seoul stays close to the QUAD."}})
		check("published, next revision edited in review", &live1)

		d = k.act(k.editor, d, "approve")
		check("published, next revision approved", &live1)

		d = k.act(k.publisher, d, "publish")
		live2 := liveDoc{id: d.ID, series: "korea-view", slug: "beijing-recalibrates", title: "Beijing Recalibrates", typ: "briefing",
			topics: []string{"china", "south korea"}, contributors: []string{"yong-kwon"}}
		check("re-published", &live2)

		d = k.act(k.publisher, d, "unpublish")
		if d.State != "draft" || d.LiveRevision != nil {
			t.Fatalf("after unpublish: %+v", d)
		}
		check("unpublished", nil)

		d = k.act(k.editor, d, "archive")
		if d.State != "archived" {
			t.Fatalf("after archive: %+v", d)
		}
		check("archived", nil)

		d = k.act(k.editor, d, "restore")
		if d.State != "draft" {
			t.Fatalf("after restore: %+v", d)
		}
		check("restored", nil)

		// And back online through the whole workflow.
		d = k.toPublished(d)
		check("published after restore", &live2)
	})
}
