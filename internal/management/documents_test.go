package management_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// The helpers below are shared by the document, revision, comment,
// catalog and concurrency tests.

// docFull is a management document with everything these tests look at.
type docFull struct {
	doc
	Type             string     `json:"type"`
	Series           string     `json:"series"`
	Topics           []string   `json:"topics"`
	OwnerID          string     `json:"owner_id"`
	ApprovedRevision *int       `json:"approved_revision"`
	ScheduledFor     *time.Time `json:"scheduled_for"`
}

// decodeFull decodes a document response and checks that its ETag is its
// version.
func decodeFull(t *testing.T, r *apptest.Response) docFull {
	t.Helper()
	var d docFull
	r.Decode(&d)
	if got, want := r.Header.Get("ETag"), fmt.Sprintf(`"%d"`, d.Version); got != want {
		t.Fatalf("ETag %q, want %q (the version); body: %s", got, want, r.Body)
	}
	return d
}

// versionTag is the If-Match value for a version.
func versionTag(v int) string { return fmt.Sprintf(`"%d"`, v) }

// briefingBody is a complete briefing for the korea-view series with the
// given title; mods change it before it is sent.
func briefingBody(title string, mods ...func(map[string]any)) map[string]any {
	b := map[string]any{
		"type":   "briefing",
		"series": "korea-view",
		"title":  title,
		"topics": []string{"diplomacy"},
		"fields": map[string]any{
			"summary":       "A summary of " + title,
			"what_happened": []string{"Something happened.", "Something else happened."},
			"implications":  "It matters.",
			"context":       "Some context.",
		},
	}
	for _, m := range mods {
		m(b)
	}
	return b
}

// createBriefing creates a complete briefing as c.
func createBriefing(t *testing.T, c *apptest.Client, title string, mods ...func(map[string]any)) docFull {
	t.Helper()
	return decodeFull(t, c.Do("POST", "/api/v1/documents", briefingBody(title, mods...)).Want(http.StatusCreated))
}

// getDoc reads a document as c.
func getDoc(t *testing.T, c *apptest.Client, id string) docFull {
	t.Helper()
	return decodeFull(t, c.Do("GET", "/api/v1/documents/"+id, nil).Want(http.StatusOK))
}

// patchDoc sends a PATCH based on version.
func patchDoc(c *apptest.Client, id string, version int, body any) *apptest.Response {
	return c.Do("PATCH", "/api/v1/documents/"+id, body, "If-Match", versionTag(version))
}

// moveDoc takes a transition and returns the document after it.
func moveDoc(t *testing.T, c *apptest.Client, id, action string, extra ...string) docFull {
	t.Helper()
	return decodeFull(t, transition(c, doc{ID: id}, action, extra...).Want(http.StatusOK))
}

// approvedBriefing creates a briefing as the writer, submits it and has the
// editor approve it.
func approvedBriefing(t *testing.T, n newsroom, title string) docFull {
	t.Helper()
	d := createBriefing(t, n.writer, title)
	moveDoc(t, n.writer, d.ID, "submit")
	return moveDoc(t, n.editor, d.ID, "approve")
}

// publishedBriefing is an approved briefing the publisher has published.
func publishedBriefing(t *testing.T, n newsroom, title string) docFull {
	t.Helper()
	d := approvedBriefing(t, n, title)
	return moveDoc(t, n.publisher, d.ID, "publish")
}

type revisionJSON struct {
	DocumentID string         `json:"document_id"`
	Number     int            `json:"number"`
	Title      string         `json:"title"`
	Slug       string         `json:"slug"`
	Fields     map[string]any `json:"fields"`
	Topics     []string       `json:"topics"`
	Byline     *string        `json:"byline"`
	Hero       *string        `json:"hero"`
	Credits    []struct {
		Role        string `json:"role"`
		Contributor string `json:"contributor"`
	} `json:"credits"`
	AuthorID  string    `json:"author_id"`
	Message   string    `json:"message"`
	CreatedAt time.Time `json:"created_at"`
}

func listRevisions(t *testing.T, c *apptest.Client, id string) []revisionJSON {
	t.Helper()
	var body struct{ Data []revisionJSON }
	c.Do("GET", "/api/v1/documents/"+id+"/revisions", nil).Want(http.StatusOK).Decode(&body)
	return body.Data
}

type eventJSON struct {
	ID         int64     `json:"id"`
	DocumentID string    `json:"document_id"`
	Action     string    `json:"action"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	ActorID    string    `json:"actor_id"`
	Revision   int       `json:"revision"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

func listEvents(t *testing.T, c *apptest.Client, id string) []eventJSON {
	t.Helper()
	var body struct{ Data []eventJSON }
	c.Do("GET", "/api/v1/documents/"+id+"/events", nil).Want(http.StatusOK).Decode(&body)
	return body.Data
}

// eventActions lists the actions of a trail, in order.
func eventActions(events []eventJSON) []string {
	out := make([]string, 0, len(events))
	for _, e := range events {
		out = append(out, e.Action)
	}
	return out
}

// wantInvalid checks for a 400 problem that names at least these fields.
func wantInvalid(t *testing.T, r *apptest.Response, fields ...string) {
	t.Helper()
	p := wantProblem(t, r, http.StatusBadRequest, "invalid")
	var got []string
	for _, f := range p.Errors {
		got = append(got, f.Field)
	}
	for _, f := range fields {
		if !slices.Contains(got, f) {
			t.Errorf("400 names fields %v, want %q among them; body: %s", got, f, r.Body)
		}
	}
}

// listIDs lists documents as c with a query string and returns the ids of
// one page and the next cursor.
func listIDs(t *testing.T, c *apptest.Client, query string) ([]string, string) {
	t.Helper()
	var page struct {
		Data       []docFull `json:"data"`
		NextCursor string    `json:"next_cursor"`
	}
	c.Do("GET", "/api/v1/documents?"+query, nil).Want(http.StatusOK).Decode(&page)
	ids := make([]string, 0, len(page.Data))
	for _, d := range page.Data {
		ids = append(ids, d.ID)
	}
	return ids, page.NextCursor
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestCreateDocumentValidation(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		setField := func(name string, v any) func(map[string]any) {
			return func(b map[string]any) { b["fields"].(map[string]any)[name] = v }
		}
		set := func(key string, v any) func(map[string]any) {
			return func(b map[string]any) {
				if v == nil {
					delete(b, key)
				} else {
					b[key] = v
				}
			}
		}
		for _, tc := range []struct {
			name  string
			mod   func(map[string]any)
			field string
		}{
			{"missing title", set("title", nil), "title"},
			{"blank title", set("title", "   "), "title"},
			{"title of 301 characters", set("title", strings.Repeat("t", 301)), "title"},
			{"unknown field", setField("x", "y"), "fields.x"},
			{"number for a text", setField("summary", 42), "fields.summary"},
			{"object for a text", setField("summary", map[string]any{"a": 1}), "fields.summary"},
			{"string for a list", setField("what_happened", "one thing"), "fields.what_happened"},
			{"number in a list", setField("what_happened", []any{"ok", 7}), "fields.what_happened"},
			{"summary over its max length", setField("summary", strings.Repeat("s", 1001)), "fields.summary"},
			{"list item over its max length", setField("what_happened", []string{strings.Repeat("w", 1001)}), "fields.what_happened"},
			{"rich text over its max length", setField("implications", strings.Repeat("i", 20001)), "fields.implications"},
			{"slug with a space", set("slug", "Bad Slug"), "slug"},
			{"slug with upper case", set("slug", "Bad-Slug"), "slug"},
			{"slug with double hyphen", set("slug", "bad--slug"), "slug"},
			{"slug of 121 characters", set("slug", strings.Repeat("s", 121)), "slug"},
			{"unknown series", set("series", "no-such-series"), "series"},
			{"unknown type", set("type", "no_such_type"), "type"},
			{"unknown top-level field", set("colour", "red"), "colour"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := briefingBody("Validation "+tc.name, tc.mod)
				wantInvalid(t, n.writer.Do("POST", "/api/v1/documents", body), tc.field)
			})
		}
		ids, _ := listIDs(t, n.admin, "limit=100")
		if len(ids) != 0 {
			t.Errorf("refused creates left %d documents behind", len(ids))
		}

		t.Run("limits are inclusive", func(t *testing.T) {
			title := strings.Repeat("a", 300)
			d := createBriefing(t, n.writer, title, setField("summary", strings.Repeat("s", 1000)),
				setField("what_happened", []string{strings.Repeat("w", 1000)}))
			if d.Title != title || len(d.Fields["summary"].(string)) != 1000 {
				t.Errorf("stored %q / %d characters of summary", d.Title, len(d.Fields["summary"].(string)))
			}
			if len(d.Slug) == 0 || len(d.Slug) > 120 {
				t.Errorf("derived slug of %d characters, want 1..120", len(d.Slug))
			}
			createBriefing(t, n.writer, "Explicit long slug", set("slug", strings.Repeat("s", 120)))
		})

		t.Run("slug derived from the title", func(t *testing.T) {
			for title, slug := range map[string]string{
				"Hello, World! Ça va?":                 "hello-world-ca-va",
				"China’s  Quiet   Diplomacy — in 2021": "chinas-quiet-diplomacy-in-2021",
			} {
				d := createBriefing(t, n.writer, title)
				if d.Slug != slug {
					t.Errorf("title %q gave slug %q, want %q", title, d.Slug, slug)
				}
			}
		})

		t.Run("slug unique per series", func(t *testing.T) {
			createBriefing(t, n.writer, "First", set("slug", "shared-slug"))
			r := n.writer.Do("POST", "/api/v1/documents", briefingBody("Second", set("slug", "shared-slug")))
			wantProblem(t, r, http.StatusConflict, "conflict")
			// A derived slug clashes just the same.
			r = n.writer.Do("POST", "/api/v1/documents", briefingBody("Shared Slug"))
			wantProblem(t, r, http.StatusConflict, "conflict")
			// The same slug in another series is fine.
			d := decodeFull(t, n.editor.Do("POST", "/api/v1/documents",
				briefingBody("Third", set("slug", "shared-slug"), set("series", "the-peninsula"))).Want(http.StatusCreated))
			if d.Slug != "shared-slug" || d.Series != "the-peninsula" {
				t.Errorf("created %s/%s, want the-peninsula/shared-slug", d.Series, d.Slug)
			}
			// And a PATCH onto a taken slug is a conflict too.
			other := createBriefing(t, n.writer, "Fourth")
			r = patchDoc(n.writer, other.ID, other.Version, map[string]any{"slug": "shared-slug"})
			wantProblem(t, r, http.StatusConflict, "conflict")
			if got := getDoc(t, n.writer, other.ID); got.Slug != "fourth" || got.Version != other.Version {
				t.Errorf("after the refused PATCH: slug %q version %d", got.Slug, got.Version)
			}
		})

		t.Run("required fields at submit, not at save", func(t *testing.T) {
			d := decodeFull(t, n.writer.Do("POST", "/api/v1/documents", map[string]any{
				"type": "briefing", "series": "korea-view", "title": "Incomplete draft",
			}).Want(http.StatusCreated))
			if d.State != "draft" || d.Version != 1 {
				t.Fatalf("created %+v", d)
			}
			// Saving more of an incomplete draft is fine.
			d = decodeFull(t, patchDoc(n.writer, d.ID, d.Version,
				map[string]any{"fields": map[string]any{"context": "Some context."}}).Want(http.StatusOK))
			r := transition(n.writer, d.doc, "submit")
			p := wantProblem(t, r, http.StatusBadRequest, "invalid")
			wantFields(t, p, "fields.summary", "fields.what_happened", "fields.implications")
			if got := getDoc(t, n.writer, d.ID); got.State != "draft" || got.Version != d.Version {
				t.Errorf("after the refused submit: state %s version %d", got.State, got.Version)
			}
			// Blank values count as missing.
			d = decodeFull(t, patchDoc(n.writer, d.ID, d.Version, map[string]any{"fields": map[string]any{
				"summary": "  ", "what_happened": []string{""}, "implications": "Done.",
			}}).Want(http.StatusOK))
			p = wantProblem(t, transition(n.writer, d.doc, "submit"), http.StatusBadRequest, "invalid")
			wantFields(t, p, "fields.summary", "fields.what_happened")
			d = decodeFull(t, patchDoc(n.writer, d.ID, d.Version, map[string]any{"fields": map[string]any{
				"summary": "Now complete.", "what_happened": []string{"It was completed."},
			}}).Want(http.StatusOK))
			if d = moveDoc(t, n.writer, d.ID, "submit"); d.State != "in_review" {
				t.Errorf("after submit: %s", d.State)
			}
		})
	})
}

func TestUpdateDocumentPreconditions(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := createBriefing(t, n.writer, "Original title")
		if d.Version != 1 {
			t.Fatalf("created at version %d", d.Version)
		}
		path := "/api/v1/documents/" + d.ID

		r := n.writer.Do("PATCH", path, map[string]any{"title": "No If-Match"})
		wantProblem(t, r, http.StatusPreconditionRequired, "precondition_required")

		// The writer's own edit right after creating amends revision 1
		// (issue 18); the version moves all the same.
		d = decodeFull(t, patchDoc(n.writer, d.ID, 1, map[string]any{"title": "Second title"}).Want(http.StatusOK))
		if d.Version != 2 || d.Title != "Second title" || d.HeadRevision != 1 {
			t.Fatalf("after PATCH: %+v", d)
		}

		for _, stale := range []string{`"1"`, `"99"`, `W/"1"`, `W/"2"`, `2`, `"abc"`} {
			r = n.writer.Do("PATCH", path, map[string]any{"title": "Stale " + stale}, "If-Match", stale)
			wantProblem(t, r, http.StatusPreconditionFailed, "precondition_failed")
		}
		// A stale version in the body instead of If-Match is refused too.
		r = n.writer.Do("PATCH", path, map[string]any{"title": "Stale body", "version": 1})
		wantProblem(t, r, http.StatusPreconditionFailed, "precondition_failed")
		got := getDoc(t, n.writer, d.ID)
		if got.Title != "Second title" || got.Version != 2 || got.HeadRevision != 1 {
			t.Errorf("a stale write changed the document: %+v", got)
		}
		if revs := listRevisions(t, n.writer, d.ID); len(revs) != 1 || revs[0].Title != "Second title" {
			t.Errorf("revisions after stale writes: %+v, want revision 1 as the second title", revs)
		}

		// The version in the body works instead of If-Match.
		d = decodeFull(t, n.writer.Do("PATCH", path, map[string]any{"title": "Third title", "version": 2}).Want(http.StatusOK))
		if d.Version != 3 || d.Title != "Third title" {
			t.Errorf("after PATCH with version in the body: %+v", d)
		}
		// The ETag of a GET is the version too.
		if r := n.writer.Do("GET", path, nil).Want(http.StatusOK); r.Header.Get("ETag") != `"3"` {
			t.Errorf("GET ETag %q, want \"3\"", r.Header.Get("ETag"))
		}

		// Fields merge: one field changes, the others stay; null clears.
		d = decodeFull(t, patchDoc(n.writer, d.ID, d.Version,
			map[string]any{"fields": map[string]any{"summary": "New summary", "context": nil}}).Want(http.StatusOK))
		if d.Fields["summary"] != "New summary" || d.Fields["implications"] != "It matters." {
			t.Errorf("fields after merge: %v", d.Fields)
		}
		if _, ok := d.Fields["context"]; ok {
			t.Errorf("context not cleared by null: %v", d.Fields)
		}

		// A PATCH that fails validation changes nothing.
		before := getDoc(t, n.writer, d.ID)
		wantInvalid(t, patchDoc(n.writer, d.ID, d.Version, map[string]any{"title": strings.Repeat("x", 301)}), "title")
		wantInvalid(t, patchDoc(n.writer, d.ID, d.Version, map[string]any{"fields": map[string]any{"x": "y"}}), "fields.x")
		wantInvalid(t, patchDoc(n.writer, d.ID, d.Version, map[string]any{"slug": "Bad Slug"}), "slug")
		if after := getDoc(t, n.writer, d.ID); after.Version != before.Version || after.Title != before.Title {
			t.Errorf("refused PATCHes changed the document: %+v", after)
		}
	})
}

func TestDeleteDocument(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := createBriefing(t, n.writer, "To be deleted")
		path := "/api/v1/documents/" + d.ID
		wantProblem(t, n.writer.Do("DELETE", path, nil), http.StatusPreconditionRequired, "precondition_required")
		wantProblem(t, n.writer.Do("DELETE", path, nil, "If-Match", `"7"`), http.StatusPreconditionFailed, "precondition_failed")
		getDoc(t, n.writer, d.ID)
		n.writer.Do("DELETE", path, nil, "If-Match", versionTag(d.Version)).Want(http.StatusNoContent)
		wantProblem(t, n.writer.Do("GET", path, nil), http.StatusNotFound, "not_found")
		wantProblem(t, n.admin.Do("GET", path, nil), http.StatusNotFound, "not_found")

		// A live document cannot be deleted, whoever asks: unpublish first.
		live := publishedBriefing(t, n, "Live document")
		r := n.admin.Do("DELETE", "/api/v1/documents/"+live.ID, nil, "If-Match", versionTag(live.Version))
		if r.Status != http.StatusConflict {
			t.Errorf("admin DELETE of a published document: status %d, want 409; body: %s", r.Status, r.Body)
		}
		// Still live while its next revision is a draft.
		edited := decodeFull(t, patchDoc(n.writer, live.ID, live.Version, map[string]any{"title": "Next revision"}).Want(http.StatusOK))
		if edited.State != "draft" || edited.LiveRevision == nil {
			t.Fatalf("edit of a published document: %+v", edited)
		}
		r = n.editor.Do("DELETE", "/api/v1/documents/"+live.ID, nil, "If-Match", versionTag(edited.Version))
		wantProblem(t, r, http.StatusConflict, "conflict")
		if got := getDoc(t, n.admin, live.ID); got.LiveRevision == nil || got.Version != edited.Version {
			t.Errorf("refused deletes changed the document: %+v", got)
		}
		// Unpublished, it can go.
		un := moveDoc(t, n.publisher, live.ID, "unpublish")
		if un.LiveRevision != nil {
			t.Fatalf("after unpublish: %+v", un)
		}
		n.editor.Do("DELETE", "/api/v1/documents/"+live.ID, nil, "If-Match", versionTag(un.Version)).Want(http.StatusNoContent)
	})
}

func TestDocumentsStoreHostileTextVerbatim(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		for i, s := range []string{
			`Robert'); DROP TABLE documents;--`,
			`" OR 1=1 --`,
			`100% of_the \ backslash`,
			`<script>alert("x")</script>`,
			`'; DELETE FROM revisions WHERE '1'='1`,
			"NUL-free \u00e9\u4e2d\U0001F600 unicode",
		} {
			d := createBriefing(t, n.writer, s, func(b map[string]any) {
				b["slug"] = fmt.Sprintf("hostile-%d", i)
				b["topics"] = []string{s}
				f := b["fields"].(map[string]any)
				f["summary"] = s
				f["what_happened"] = []string{s, "<img src=x onerror=alert(1)>"}
				f["implications"] = s + "\n\n<script>alert(1)</script>"
			})
			got := getDoc(t, n.writer, d.ID)
			if got.Title != s || got.Fields["summary"] != s || got.Fields["implications"] != s+"\n\n<script>alert(1)</script>" {
				t.Errorf("stored %q / %v, want %q verbatim", got.Title, got.Fields, s)
			}
			if wh, _ := got.Fields["what_happened"].([]any); len(wh) != 2 || wh[0] != s {
				t.Errorf("what_happened stored as %v", got.Fields["what_happened"])
			}
			// Searching for it finds it, and is no SQL either.
			ids, _ := listIDs(t, n.writer, "q="+url.QueryEscape(s))
			if !slices.Contains(ids, d.ID) {
				t.Errorf("q=%q did not find its document", s)
			}
		}
		// LIKE wildcards in q are literal.
		ids, _ := listIDs(t, n.writer, "q="+url.QueryEscape("%"))
		if len(ids) != 1 {
			t.Errorf("q=%% matched %d documents, want the one with %% in its title", len(ids))
		}
		ids, _ = listIDs(t, n.writer, "q="+url.QueryEscape("_"))
		if len(ids) != 1 {
			t.Errorf("q=_ matched %d documents, want the one with _ in its title", len(ids))
		}
		all, _ := listIDs(t, n.writer, "limit=100")
		if len(all) != 6 {
			t.Errorf("%d documents listed, want 6", len(all))
		}
	})
}

func TestListDocuments(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		n.admin.Do("POST", "/api/v1/series", map[string]any{"slug": "other", "name": "Other", "kind": "report"}).Want(http.StatusCreated)
		writer2 := env.CreateUser("writer2@example.org", "author:korea-view")
		nobody := env.CreateUser("nobody@example.org")
		otherAuthor := env.CreateUser("other-author@example.org", "author:other")

		a := createBriefing(t, n.writer, "Seoul talks resume", func(b map[string]any) { b["topics"] = []string{"China", "Diplomacy"} })
		b := createBriefing(t, writer2, "Trade figures for April", func(b map[string]any) { b["topics"] = []string{"trade"} })
		c := createBriefing(t, n.assistant, "Assistant's own note on SEOUL")
		d := decodeFull(t, n.editor.Do("POST", "/api/v1/documents", map[string]any{
			"type": "article", "series": "the-peninsula", "title": "An article on the parent blog",
			"topics": []string{"china"}, "fields": map[string]any{"summary": "S", "body": "B"},
		}).Want(http.StatusCreated))
		e := createBriefing(t, otherAuthor, "Elsewhere entirely", func(b map[string]any) { b["series"] = "other" })
		moveDoc(t, n.writer, a.ID, "submit")

		for _, tc := range []struct {
			name   string
			client *apptest.Client
			query  string
			want   []string
		}{
			{"admin sees all", n.admin, "", []string{a.ID, b.ID, c.ID, d.ID, e.ID}},
			{"parent series includes children", n.admin, "series=the-peninsula", []string{a.ID, b.ID, c.ID, d.ID}},
			{"child series", n.admin, "series=korea-view", []string{a.ID, b.ID, c.ID}},
			{"type", n.admin, "type=article", []string{d.ID}},
			{"type briefing", n.admin, "type=briefing", []string{a.ID, b.ID, c.ID, e.ID}},
			{"state", n.admin, "state=in_review", []string{a.ID}},
			{"state draft", n.admin, "state=draft&series=korea-view", []string{b.ID, c.ID}},
			{"owner", n.admin, "owner=" + writer2.UserID, []string{b.ID}},
			{"topic (case-insensitive)", n.admin, "topic=China", []string{a.ID, d.ID}},
			{"title text (case-insensitive)", n.admin, "q=seoul", []string{a.ID, c.ID}},
			{"filters combine", n.admin, "q=seoul&state=draft", []string{c.ID}},
			{"author sees only their own", n.writer, "", []string{a.ID}},
			{"author filtering by another owner", n.writer, "owner=" + writer2.UserID, []string{}},
			{"author of another series", otherAuthor, "", []string{e.ID}},
			{"assistant sees all of the series", n.assistant, "", []string{a.ID, b.ID, c.ID}},
			{"editor of the parent sees its children", n.editor, "", []string{a.ID, b.ID, c.ID, d.ID}},
			{"publisher of the child", n.publisher, "", []string{a.ID, b.ID, c.ID}},
			{"no role sees nothing", nobody, "", []string{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, next := listIDs(t, tc.client, tc.query)
				if !sameSet(got, tc.want) {
					t.Errorf("GET /documents?%s = %v, want %v", tc.query, got, tc.want)
				}
				if next != "" {
					t.Errorf("next_cursor %q on the only page", next)
				}
			})
		}

		for _, q := range []string{"state=nonsense", "series=no-such-series", "limit=0", "limit=-1", "limit=abc", "limit=101"} {
			r := n.admin.Do("GET", "/api/v1/documents?"+q, nil)
			wantProblem(t, r, http.StatusBadRequest, "invalid")
		}

		t.Run("a hidden document is 404 for the caller", func(t *testing.T) {
			wantProblem(t, n.writer.Do("GET", "/api/v1/documents/"+b.ID, nil), http.StatusNotFound, "not_found")
			wantProblem(t, nobody.Do("GET", "/api/v1/documents/"+a.ID, nil), http.StatusNotFound, "not_found")
		})
	})
}

func TestListDocumentsPagination(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		var all []string
		for i := range 7 {
			all = append(all, createBriefing(t, n.writer, fmt.Sprintf("Paged document %d", i)).ID)
		}
		// Touch one in the middle: it moves to the front, and still appears
		// exactly once.
		d := getDoc(t, n.writer, all[3])
		patchDoc(n.writer, d.ID, d.Version, map[string]any{"title": "Paged document 3, edited"}).Want(http.StatusOK)

		for _, c := range []*apptest.Client{n.writer, n.admin} {
			var seen []string
			cursor, pages := "", 0
			for {
				q := "limit=2"
				if cursor != "" {
					q += "&cursor=" + url.QueryEscape(cursor)
				}
				ids, next := listIDs(t, c, q)
				pages++
				if len(ids) > 2 {
					t.Fatalf("page of %d with limit=2", len(ids))
				}
				seen = append(seen, ids...)
				if next == "" {
					break
				}
				if pages > 10 {
					t.Fatalf("more than 10 pages: %v", seen)
				}
				cursor = next
			}
			if pages != 4 {
				t.Errorf("%d pages for 7 documents at limit=2, want 4", pages)
			}
			if len(seen) != 7 || !sameSet(seen, all) {
				t.Errorf("pages gave %v, want each of %v once", seen, all)
			}
			if seen[0] != all[3] {
				t.Errorf("first listed %s, want the last edited %s", seen[0], all[3])
			}
			// One page of everything is in the same order.
			whole, _ := listIDs(t, c, "limit=100")
			if !slices.Equal(whole, seen) {
				t.Errorf("one page %v, pages %v", whole, seen)
			}
		}

		for _, forged := range []string{"not-a-cursor", "%%%", "bm90aGluZw", "MjAyMS0wNC0xNFQwMDowMDowMFo"} {
			r := n.writer.Do("GET", "/api/v1/documents?limit=2&cursor="+url.QueryEscape(forged), nil)
			p := wantProblem(t, r, http.StatusBadRequest, "invalid")
			wantFields(t, p, "cursor")
		}
	})
}
