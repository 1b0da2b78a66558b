package management_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

type seriesJSON struct {
	ID          string  `json:"id"`
	Slug        string  `json:"slug"`
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	Description string  `json:"description"`
	About       string  `json:"about"`
	Parent      *string `json:"parent"`
}

type fieldJSON struct {
	Name      string `json:"name"`
	Label     string `json:"label"`
	Kind      string `json:"kind"`
	Required  bool   `json:"required"`
	MaxLength int    `json:"max_length"`
}

type contentTypeJSON struct {
	ID     string      `json:"id"`
	Name   string      `json:"name"`
	Label  string      `json:"label"`
	Fields []fieldJSON `json:"fields"`
}

type contributorJSON struct {
	ID     string  `json:"id"`
	Slug   string  `json:"slug"`
	Name   string  `json:"name"`
	Bio    string  `json:"bio"`
	UserID *string `json:"user_id"`
}

func TestSeriesCRUD(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		editor := env.CreateUser("editor@example.org", "editor")
		author := env.CreateUser("author@example.org", "author")

		var blog seriesJSON
		admin.Do("POST", "/api/v1/series", map[string]any{"slug": "the-peninsula", "name": "The Peninsula", "kind": "blog",
			"description": "KEI's blog", "about": "About the blog."}).Want(http.StatusCreated).Decode(&blog)
		if blog.ID == "" || blog.Slug != "the-peninsula" || blog.Kind != "blog" || blog.About != "About the blog." || blog.Parent != nil {
			t.Fatalf("created %+v", blog)
		}
		var child seriesJSON
		admin.Do("POST", "/api/v1/series", map[string]any{"slug": "korea-view", "name": "Korea View", "kind": "newsletter",
			"parent": "the-peninsula"}).Want(http.StatusCreated).Decode(&child)
		if child.Parent == nil || *child.Parent != "the-peninsula" {
			t.Fatalf("child %+v", child)
		}
		admin.Do("POST", "/api/v1/series", map[string]any{"slug": "annual", "name": "Annual", "kind": "report"}).Want(http.StatusCreated)

		// Everyone signed in reads series.
		var list struct{ Data []seriesJSON }
		author.Do("GET", "/api/v1/series", nil).Want(http.StatusOK).Decode(&list)
		if len(list.Data) != 3 {
			t.Errorf("listed %d series, want 3", len(list.Data))
		}
		var got seriesJSON
		author.Do("GET", "/api/v1/series/korea-view", nil).Want(http.StatusOK).Decode(&got)
		if got.Name != "Korea View" || got.Parent == nil || *got.Parent != "the-peninsula" {
			t.Errorf("GET korea-view: %+v", got)
		}
		wantProblem(t, author.Do("GET", "/api/v1/series/nope", nil), http.StatusNotFound, "not_found")
		wantProblem(t, env.Anonymous().Do("GET", "/api/v1/series", nil), http.StatusUnauthorized, "unauthenticated")

		// Only admins change series.
		for _, c := range []*apptest.Client{editor, author} {
			wantProblem(t, c.Do("POST", "/api/v1/series", map[string]any{"slug": "mine", "name": "Mine", "kind": "blog"}),
				http.StatusForbidden, "forbidden")
			wantProblem(t, c.Do("PATCH", "/api/v1/series/annual", map[string]any{"name": "Hijacked"}), http.StatusForbidden, "forbidden")
		}

		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"bad kind", map[string]any{"slug": "x1", "name": "X", "kind": "magazine"}, "kind"},
			{"no kind", map[string]any{"slug": "x2", "name": "X"}, ""},
			{"no name", map[string]any{"slug": "x3", "kind": "blog"}, ""},
			{"bad slug", map[string]any{"slug": "Bad Slug", "name": "X", "kind": "blog"}, "slug"},
			{"no slug", map[string]any{"name": "X", "kind": "blog"}, "slug"},
			{"two levels", map[string]any{"slug": "x4", "name": "X", "kind": "blog", "parent": "korea-view"}, "parent"},
			{"unknown parent", map[string]any{"slug": "x5", "name": "X", "kind": "blog", "parent": "nope"}, "parent"},
			{"over-long name", map[string]any{"slug": "x6", "name": strings.Repeat("n", 201), "kind": "blog"}, "name"},
			{"unknown field", map[string]any{"slug": "x7", "name": "X", "kind": "blog", "colour": "red"}, "colour"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := admin.Do("POST", "/api/v1/series", tc.body)
				if tc.field == "" {
					wantProblem(t, r, http.StatusBadRequest, "invalid")
				} else {
					wantInvalid(t, r, tc.field)
				}
			})
		}
		wantProblem(t, admin.Do("POST", "/api/v1/series", map[string]any{"slug": "annual", "name": "Again", "kind": "report"}),
			http.StatusConflict, "conflict")

		// Update.
		var upd seriesJSON
		admin.Do("PATCH", "/api/v1/series/annual", map[string]any{"name": "Annual Report", "about": "Footer."}).Want(http.StatusOK).Decode(&upd)
		if upd.Name != "Annual Report" || upd.About != "Footer." || upd.Kind != "report" || upd.Slug != "annual" {
			t.Errorf("updated %+v", upd)
		}
		wantInvalid(t, admin.Do("PATCH", "/api/v1/series/annual", map[string]any{"kind": "zine"}), "kind")
		// The slug never changes: role assignments name it.
		wantInvalid(t, admin.Do("PATCH", "/api/v1/series/annual", map[string]any{"slug": "renamed"}), "slug")
		wantProblem(t, admin.Do("GET", "/api/v1/series/renamed", nil), http.StatusNotFound, "not_found")
		// Nesting stays one level: a child cannot get a child, a parent
		// cannot become a child, a series is not its own parent.
		wantInvalid(t, admin.Do("PATCH", "/api/v1/series/annual", map[string]any{"parent": "korea-view"}), "parent")
		wantInvalid(t, admin.Do("PATCH", "/api/v1/series/the-peninsula", map[string]any{"parent": "annual"}), "parent")
		wantInvalid(t, admin.Do("PATCH", "/api/v1/series/annual", map[string]any{"parent": "annual"}), "parent")
		admin.Do("GET", "/api/v1/series/annual", nil).Want(http.StatusOK).Decode(&got)
		if got.Name != "Annual Report" || got.Parent != nil || got.Kind != "report" {
			t.Errorf("refused PATCHes changed the series: %+v", got)
		}
		// Moving under a top-level series, and back out, works.
		admin.Do("PATCH", "/api/v1/series/annual", map[string]any{"parent": "the-peninsula"}).Want(http.StatusOK).Decode(&got)
		if got.Parent == nil || *got.Parent != "the-peninsula" {
			t.Errorf("after moving under the-peninsula: %+v", got)
		}
		admin.Do("PATCH", "/api/v1/series/annual", map[string]any{"parent": ""}).Want(http.StatusOK).Decode(&got)
		if got.Parent != nil {
			t.Errorf("after moving out: %+v", got)
		}
		wantProblem(t, admin.Do("PATCH", "/api/v1/series/nope", map[string]any{"name": "X"}), http.StatusNotFound, "not_found")
	})
}

func TestContentTypes(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)

		var list struct{ Data []contentTypeJSON }
		n.writer.Do("GET", "/api/v1/content-types", nil).Want(http.StatusOK).Decode(&list)
		shipped := len(list.Data)
		byName := map[string]contentTypeJSON{}
		for _, ct := range list.Data {
			byName[ct.Name] = ct
		}
		kinds := func(ct contentTypeJSON) map[string]string {
			m := map[string]string{}
			for _, f := range ct.Fields {
				m[f.Name] = f.Kind
				if f.Label == "" {
					t.Errorf("%s.%s has no label", ct.Name, f.Name)
				}
			}
			return m
		}
		wantKinds := map[string]map[string]string{
			"briefing": {"summary": "text", "what_happened": "text_list", "implications": "rich_text", "context": "rich_text"},
			"article":  {"summary": "text", "body": "rich_text"},
		}
		for name, want := range wantKinds {
			ct, ok := byName[name]
			if !ok {
				t.Errorf("content type %q not listed", name)
				continue
			}
			got := kinds(ct)
			if len(got) != len(want) {
				t.Errorf("%s fields %v, want %v", name, got, want)
			}
			for f, k := range want {
				if got[f] != k {
					t.Errorf("%s.%s kind %q, want %q", name, f, got[f], k)
				}
			}
		}
		var one contentTypeJSON
		n.writer.Do("GET", "/api/v1/content-types/briefing", nil).Want(http.StatusOK).Decode(&one)
		if one.Name != "briefing" || len(one.Fields) != 4 || one.Fields[0].Name != "summary" {
			t.Errorf("GET briefing: %+v", one)
		}
		wantProblem(t, n.writer.Do("GET", "/api/v1/content-types/nope", nil), http.StatusNotFound, "not_found")

		eventNote := map[string]any{
			"name": "event_note", "label": "Event note",
			"fields": []map[string]any{
				{"name": "happened_on", "label": "Happened on", "kind": "date", "required": true},
				{"name": "speakers", "label": "Speakers", "kind": "text_list", "required": true, "max_length": 40},
				{"name": "notes", "kind": "rich_text", "max_length": 500},
			},
		}
		// Only admins add types.
		for _, c := range []*apptest.Client{n.editor, n.writer, n.publisher} {
			wantProblem(t, c.Do("POST", "/api/v1/content-types", eventNote), http.StatusForbidden, "forbidden")
		}
		var created contentTypeJSON
		n.admin.Do("POST", "/api/v1/content-types", eventNote).Want(http.StatusCreated).Decode(&created)
		if created.ID == "" || created.Name != "event_note" || len(created.Fields) != 3 || created.Fields[0].Kind != "date" ||
			!created.Fields[1].Required || created.Fields[1].MaxLength != 40 || created.Fields[2].Label == "" {
			t.Errorf("created %+v", created)
		}
		wantProblem(t, n.admin.Do("POST", "/api/v1/content-types", eventNote), http.StatusConflict, "conflict")
		wantProblem(t, n.admin.Do("POST", "/api/v1/content-types", map[string]any{
			"name": "briefing", "label": "Again", "fields": []map[string]any{{"name": "x", "kind": "text"}},
		}), http.StatusConflict, "conflict")

		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"bad kind", map[string]any{"name": "t1", "label": "T", "fields": []map[string]any{{"name": "a", "kind": "integer"}}}, "fields[0].kind"},
			{"bad kind second", map[string]any{"name": "t2", "label": "T", "fields": []map[string]any{{"name": "a", "kind": "text"}, {"name": "b", "kind": "html"}}}, "fields[1].kind"},
			{"no fields", map[string]any{"name": "t3", "label": "T", "fields": []map[string]any{}}, "fields"},
			{"duplicate field", map[string]any{"name": "t4", "label": "T", "fields": []map[string]any{{"name": "a", "kind": "text"}, {"name": "a", "kind": "text"}}}, "fields[1].name"},
			{"bad field name", map[string]any{"name": "t5", "label": "T", "fields": []map[string]any{{"name": "Bad Name", "kind": "text"}}}, "fields[0].name"},
			{"bad type name", map[string]any{"name": "Bad Name", "label": "T", "fields": []map[string]any{{"name": "a", "kind": "text"}}}, "name"},
			{"no label", map[string]any{"name": "t6", "fields": []map[string]any{{"name": "a", "kind": "text"}}}, "label"},
			{"negative max length", map[string]any{"name": "t7", "label": "T", "fields": []map[string]any{{"name": "a", "kind": "text", "max_length": -1}}}, "fields[0].max_length"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantInvalid(t, n.admin.Do("POST", "/api/v1/content-types", tc.body), tc.field)
			})
		}
		var after struct{ Data []contentTypeJSON }
		n.writer.Do("GET", "/api/v1/content-types", nil).Want(http.StatusOK).Decode(&after)
		if len(after.Data) != shipped+1 {
			t.Errorf("%d content types after the refused ones, want the %d shipped and the new one", len(after.Data), shipped)
		}

		t.Run("documents of the new type validate against it", func(t *testing.T) {
			body := func(fields map[string]any) map[string]any {
				return map[string]any{"type": "event_note", "series": "korea-view", "title": "Seminar", "fields": fields}
			}
			for _, tc := range []struct {
				name   string
				fields map[string]any
				field  string
			}{
				{"not a date", map[string]any{"happened_on": "14/04/2021"}, "fields.happened_on"},
				{"impossible date", map[string]any{"happened_on": "2021-02-30"}, "fields.happened_on"},
				{"number for a date", map[string]any{"happened_on": 20210414}, "fields.happened_on"},
				{"string for a list", map[string]any{"speakers": "Yong Kwon"}, "fields.speakers"},
				{"list item too long", map[string]any{"speakers": []string{strings.Repeat("s", 41)}}, "fields.speakers"},
				{"rich text too long", map[string]any{"notes": strings.Repeat("n", 501)}, "fields.notes"},
				{"a briefing field", map[string]any{"summary": "Not here"}, "fields.summary"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					wantInvalid(t, n.writer.Do("POST", "/api/v1/documents", body(tc.fields)), tc.field)
				})
			}
			d := decodeFull(t, n.writer.Do("POST", "/api/v1/documents", body(map[string]any{"notes": "Draft notes."})).Want(http.StatusCreated))
			if d.Type != "event_note" {
				t.Fatalf("created %+v", d)
			}
			p := wantProblem(t, transition(n.writer, d.doc, "submit"), http.StatusBadRequest, "invalid")
			wantFields(t, p, "fields.happened_on", "fields.speakers")
			d = decodeFull(t, patchDoc(n.writer, d.ID, d.Version, map[string]any{"fields": map[string]any{
				"happened_on": "2021-04-14", "speakers": []string{"Yong Kwon", "Melissa Cho"},
			}}).Want(http.StatusOK))
			if d.Fields["happened_on"] != "2021-04-14" || len(d.Fields["speakers"].([]any)) != 2 || d.Fields["notes"] != "Draft notes." {
				t.Errorf("fields %v", d.Fields)
			}
			if d = moveDoc(t, n.writer, d.ID, "submit"); d.State != "in_review" {
				t.Errorf("after submit: %s", d.State)
			}
		})
	})
}

func TestContributors(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env) // adds Yong Kwon, Melissa Cho, Alexandra Langford
		otherEditor := env.CreateUser("other-editor@example.org", "editor:elsewhere")
		nobody := env.CreateUser("nobody@example.org")

		var c contributorJSON
		n.editor.Do("POST", "/api/v1/contributors", map[string]any{"name": "Ánh Nguyễn", "bio": "Fellow."}).Want(http.StatusCreated).Decode(&c)
		if c.Slug != "anh-nguyen" || c.Name != "Ánh Nguyễn" || c.Bio != "Fellow." || c.ID == "" {
			t.Errorf("created %+v", c)
		}
		// An editor of any series may add contributors; they are shared.
		otherEditor.Do("POST", "/api/v1/contributors", map[string]any{"name": "Troy Stangarone", "slug": "troy"}).Want(http.StatusCreated).Decode(&c)
		if c.Slug != "troy" {
			t.Errorf("explicit slug: %+v", c)
		}
		// Authors, assistants, publishers and people without a role may not.
		for _, cl := range []*apptest.Client{n.writer, n.assistant, n.publisher, nobody} {
			wantProblem(t, cl.Do("POST", "/api/v1/contributors", map[string]any{"name": "Someone"}), http.StatusForbidden, "forbidden")
			wantProblem(t, cl.Do("PATCH", "/api/v1/contributors/troy", map[string]any{"bio": "Changed"}), http.StatusForbidden, "forbidden")
		}
		// Duplicates clash, whether the slug is derived or given.
		wantProblem(t, n.editor.Do("POST", "/api/v1/contributors", map[string]any{"name": "Yong Kwon"}), http.StatusConflict, "conflict")
		wantProblem(t, n.admin.Do("POST", "/api/v1/contributors", map[string]any{"name": "Another", "slug": "melissa-cho"}), http.StatusConflict, "conflict")
		wantInvalid(t, n.editor.Do("POST", "/api/v1/contributors", map[string]any{"name": "X", "slug": "Bad Slug"}), "slug")
		wantInvalid(t, n.editor.Do("POST", "/api/v1/contributors", map[string]any{"bio": "No name"}), "name")

		var list struct{ Data []contributorJSON }
		n.writer.Do("GET", "/api/v1/contributors", nil).Want(http.StatusOK).Decode(&list)
		if len(list.Data) != 5 {
			t.Errorf("%d contributors, want 5: %+v", len(list.Data), list.Data)
		}
		n.writer.Do("GET", "/api/v1/contributors/yong-kwon", nil).Want(http.StatusOK).Decode(&c)
		if c.Name != "Yong Kwon" {
			t.Errorf("GET yong-kwon: %+v", c)
		}
		wantProblem(t, n.writer.Do("GET", "/api/v1/contributors/nope", nil), http.StatusNotFound, "not_found")

		// Editors update them; the slug stays.
		n.editor.Do("PATCH", "/api/v1/contributors/troy", map[string]any{"bio": "Senior director."}).Want(http.StatusOK).Decode(&c)
		if c.Bio != "Senior director." || c.Name != "Troy Stangarone" {
			t.Errorf("updated %+v", c)
		}
		wantInvalid(t, n.editor.Do("PATCH", "/api/v1/contributors/troy", map[string]any{"slug": "troy-s"}), "slug")
	})
}
