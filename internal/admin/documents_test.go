package admin_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// soon is next year: a schedule date the workflow accepts (at most five
// years ahead) that is never in the past.
var soon = fmt.Sprint(time.Now().Year() + 1)

func TestDashboardPerPerson(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		other := env.CreateUser("other@example.org", "author:korea-view")
		mine := create(t, n.writer)
		theirs := create(t, other, "Another writer’s draft")
		_ = theirs

		page := get(t, n.writer, "/admin", http.StatusOK)
		contains(t, page, "My drafts", "Beijing Calibrates Its Approach to Seoul", `id="my-drafts"`)
		lacks(t, page, "Waiting for my review", "ready to publish", "/admin/documents/"+theirs.ID)

		// The editor reviews what was submitted; the writer gets the note.
		transition(t, n.writer, mine.ID, "submit")
		page = get(t, n.editor, "/admin", http.StatusOK)
		contains(t, page, "Waiting for my review", "/admin/documents/"+mine.ID)
		lacks(t, page, "Ready to publish")
		transition(t, n.editor, mine.ID, "request_changes", "note", "Please cite the meeting date.")
		page = get(t, n.writer, "/admin", http.StatusOK)
		contains(t, page, "Changes requested of me", "Please cite the meeting date.")

		// Approved documents wait for the publisher, who sees no review queue.
		transition(t, n.writer, mine.ID, "submit")
		transition(t, n.editor, mine.ID, "approve")
		page = get(t, n.publisher, "/admin", http.StatusOK)
		contains(t, page, "Ready to publish", "/admin/documents/"+mine.ID)
		lacks(t, page, "Waiting for my review")
		transition(t, n.publisher, mine.ID, "schedule", "at", soon+"-01-02T03:04:00Z")
		page = get(t, n.publisher, "/admin", http.StatusOK)
		contains(t, page, `<time datetime="`+soon+`-01-02T03:04:00Z" data-local>2 Jan `+soon+`, 03:04 UTC</time>`)
		transition(t, n.publisher, mine.ID, "unschedule")
		transition(t, n.publisher, mine.ID, "publish")
		page = get(t, n.writer, "/admin", http.StatusOK)
		contains(t, page, "Recently published", "/admin/documents/"+mine.ID)
	})
}

// editorForm is the example briefing as the editor form posts it.
func editorForm() url.Values {
	f := briefing["fields"].(map[string]any)
	v := url.Values{
		"type": {"briefing"}, "series": {"korea-view"}, "title": {briefing["title"].(string)}, "slug": {""},
		"topics":              {"China, South Korea, diplomacy"},
		"fields.summary":      {f["summary"].(string)},
		"fields.implications": {f["implications"].(string)},
		"fields.context":      {f["context"].(string)},
		"byline":              {""},
	}
	for _, item := range f["what_happened"].([]string) {
		v.Add("fields.what_happened", item)
	}
	v.Add("fields.what_happened", "") // the blank the page offers for a new item
	return v
}

func fetchDoc(t *testing.T, c *apptest.Client, id string) map[string]any {
	t.Helper()
	return c.Do("GET", "/api/v1/documents/"+id, nil).Want(http.StatusOK).JSON()
}

func TestEditorCreateAndSave(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		page := get(t, n.writer, "/admin/documents/new", http.StatusOK)
		contains(t, page, "New Briefing", `name="fields.what_happened"`, `data-markdown`, "What Happened", "Implications",
			`<option value="korea-view"`, `<option value="yong-kwon"`, `id="slug-preview"`, "Save draft", "Changes are saved automatically.")
		// The writer may create only in Korea View.
		lacks(t, page, `<option value="the-peninsula"`)

		page = post(t, n.writer, "/admin/documents", editorForm(), http.StatusOK)
		contains(t, page, "Draft created.", "Beijing Calibrates Its Approach to Seoul", "/korea-view/beijing-calibrates-its-approach-to-seoul")
		id := docIDIn(t, page)
		d := fetchDoc(t, n.writer, id)
		fields := d["fields"].(map[string]any)
		if got := fields["what_happened"].([]any); len(got) != 3 {
			t.Fatalf("what_happened = %v", got)
		}
		if d["slug"] != "beijing-calibrates-its-approach-to-seoul" || len(d["topics"].([]any)) != 3 {
			t.Errorf("slug %v topics %v", d["slug"], d["topics"])
		}

		// Save with the version the form was loaded at.
		form := editorForm()
		form.Set("version", "1")
		form.Set("base_revision", "1")
		form.Set("title", "Beijing Calibrates Its Approach to Seoul (update)")
		form.Set("slug", "beijing-calibrates")
		page = post(t, n.writer, "/admin/documents/"+id, form, http.StatusOK)
		contains(t, page, "Saved.", `value="2"`)

		// A stale version keeps the writer's text and shows what changed.
		form.Set("title", "My stale title")
		page = post(t, n.writer, "/admin/documents/"+id, form, http.StatusConflict)
		contains(t, page, "Someone else saved this document", "My stale title", "<ins>", "(update)", `name="force_version" value="2"`)
		if fetchDoc(t, n.writer, id)["title"] != "Beijing Calibrates Its Approach to Seoul (update)" {
			t.Fatal("a stale save overwrote the document")
		}
		// Choosing to keep one's text saves over the newer version.
		form.Set("force_version", "2")
		post(t, n.writer, "/admin/documents/"+id, form, http.StatusOK)
		if got := fetchDoc(t, n.writer, id)["title"]; got != "My stale title" {
			t.Fatalf("title after force = %v", got)
		}

		// A list button pressed without scripts moves the item and saves.
		form = editorForm()
		form.Set("version", "3")
		form.Set("list_op", "what_happened:down:0")
		post(t, n.writer, "/admin/documents/"+id, form, http.StatusOK)
		wh := fetchDoc(t, n.writer, id)["fields"].(map[string]any)["what_happened"].([]any)
		if !strings.HasPrefix(wh[0].(string), "China also voiced") || !strings.HasPrefix(wh[1].(string), "During recent talks") {
			t.Errorf("after moving the first item down: %v", wh)
		}
		form.Set("version", "4")
		form.Set("list_op", "what_happened:remove:2")
		post(t, n.writer, "/admin/documents/"+id, form, http.StatusOK)
		if wh := fetchDoc(t, n.writer, id)["fields"].(map[string]any)["what_happened"].([]any); len(wh) != 2 {
			t.Errorf("after removing an item: %v", wh)
		}

		// Bad input is shown next to its field, and nothing is saved.
		form = editorForm()
		form.Set("version", "5")
		form.Set("title", "")
		page = post(t, n.writer, "/admin/documents/"+id, form, http.StatusUnprocessableEntity)
		contains(t, page, `aria-invalid="true"`, "is required and at most 300 characters")

		// Another writer may not even see the draft.
		other := env.CreateUser("other@example.org", "author:korea-view")
		get(t, other, "/admin/documents/"+id, http.StatusNotFound)
		post(t, other, "/admin/documents/"+id, editorForm(), http.StatusNotFound)
	})
}

// docIDIn finds the document id in an editor page's form action.
func docIDIn(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `action="/admin/documents/`)
	if i < 0 {
		t.Fatalf("no document form in the page")
	}
	rest := page[i+len(`action="/admin/documents/`):]
	return rest[:strings.IndexAny(rest, `"/`)]
}

func TestAutosave(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer)
		page := get(t, n.writer, "/admin/documents/"+d.ID, http.StatusOK)
		contains(t, page, `data-autosave="/admin/documents/`+d.ID+`/autosave"`, "Changes are saved automatically.")

		form := editorForm()
		form.Set("version", "1")
		form.Set("base_revision", "1")
		form.Set("fields.summary", "Autosaved summary.")
		r := n.writer.Do("POST", "/admin/documents/"+d.ID+"/autosave", form.Encode(),
			"Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json").Want(http.StatusOK)
		var ok struct {
			Version      int `json:"version"`
			HeadRevision int `json:"head_revision"`
		}
		r.Decode(&ok)
		// The writer's autosave right after creating amends revision 1
		// (issue 18); the version moves on.
		if ok.Version != 2 || ok.HeadRevision != 1 {
			t.Fatalf("autosave answer %s", r.Body)
		}

		// The assistant saves meanwhile; the writer's next autosave is
		// refused with a diff of what the assistant changed.
		var cur doc
		n.assistant.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": "Copy-edited title"}, "If-Match", `"2"`).Want(http.StatusOK).Decode(&cur)
		form.Set("fields.summary", "The writer's newer summary.")
		r = n.writer.Do("POST", "/admin/documents/"+d.ID+"/autosave", form.Encode(),
			"Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json").Want(http.StatusPreconditionFailed)
		var conflict struct {
			Conflict bool   `json:"conflict"`
			Version  int    `json:"version"`
			HTML     string `json:"html"`
		}
		if err := json.Unmarshal(r.Body, &conflict); err != nil {
			t.Fatal(err)
		}
		if !conflict.Conflict || conflict.Version != 3 || !strings.Contains(conflict.HTML, "Copy-edited") ||
			!strings.Contains(conflict.HTML, "assistant@example.org") || !strings.Contains(conflict.HTML, "Your text is still in the editor") {
			t.Fatalf("conflict answer %s", r.Body)
		}
		if fetchDoc(t, n.writer, d.ID)["fields"].(map[string]any)["summary"] != "Autosaved summary." {
			t.Fatal("the refused autosave changed the document")
		}
		// Without the CSRF token an autosave is refused.
		n.writer.CSRF, form = "", url.Values{"version": {"3"}}
		n.writer.Do("POST", "/admin/documents/"+d.ID+"/autosave", form.Encode(),
			"Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json").Want(http.StatusForbidden)
	})
}

func TestWorkflowButtonsFollowTheEnforcer(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer)
		check := func(c *apptest.Client, who string, want ...string) {
			t.Helper()
			page := get(t, c, "/admin/documents/"+d.ID, http.StatusOK)
			got := actionsOf(page)
			if !slices.Equal(got, want) {
				t.Errorf("%s sees actions %v, want %v", who, got, want)
			}
			if who != "publisher" && who != "admin" {
				lacks(t, page, "Publish now", ">Schedule<")
			}
		}
		check(n.writer, "writer", "submit")
		check(n.assistant, "assistant", "submit")
		check(n.editor, "editor", "submit", "archive")
		check(n.publisher, "publisher", "archive")

		// Submitting through the UI names the missing required fields.
		page := post(t, n.writer, "/admin/documents/"+d.ID+"/transitions", url.Values{"action": {"submit"}, "version": {"1"}}, http.StatusOK)
		contains(t, page, "Submitted for review.")
		check(n.writer, "writer", "withdraw")
		check(n.editor, "editor", "request_changes", "approve", "archive")
		check(n.publisher, "publisher", "archive")

		// Request changes needs a note.
		page = post(t, n.editor, "/admin/documents/"+d.ID+"/transitions", url.Values{"action": {"request_changes"}, "version": {"2"}}, http.StatusOK)
		contains(t, page, "The note is required when requesting changes")
		post(t, n.editor, "/admin/documents/"+d.ID+"/transitions", url.Values{"action": {"approve"}, "version": {"2"}}, http.StatusOK)
		check(n.publisher, "publisher", "publish", "schedule", "archive")
		check(n.writer, "writer")
		check(n.editor, "editor", "archive")

		// Schedule reads the picker in the writer's time zone.
		page = post(t, n.publisher, "/admin/documents/"+d.ID+"/transitions",
			url.Values{"action": {"schedule"}, "version": {"3"}, "at": {soon + "-06-01T09:30"}, "tz": {"Asia/Seoul"}}, http.StatusOK)
		contains(t, page, "Scheduled for 1 Jun "+soon+", 00:30 UTC.")
		check(n.publisher, "publisher", "unschedule", "archive")
		post(t, n.publisher, "/admin/documents/"+d.ID+"/transitions", url.Values{"action": {"unschedule"}, "version": {"4"}}, http.StatusOK)
		// A form without the version it was loaded at acts on nothing.
		post(t, n.publisher, "/admin/documents/"+d.ID+"/transitions", url.Values{"action": {"publish"}}, http.StatusPreconditionRequired)
		page = post(t, n.publisher, "/admin/documents/"+d.ID+"/transitions", url.Values{"action": {"publish"}, "version": {"5"}}, http.StatusOK)
		contains(t, page, "Published.")
		check(n.publisher, "publisher", "unpublish")
		check(n.writer, "writer")

		// A stale version does nothing and says why.
		page = post(t, n.publisher, "/admin/documents/"+d.ID+"/transitions", url.Values{"action": {"unpublish"}, "version": {"1"}}, http.StatusOK)
		contains(t, page, "Someone changed this document since you opened it")
		page = post(t, n.publisher, "/admin/documents/"+d.ID+"/transitions", url.Values{"action": {"unpublish"}, "version": {"6"}}, http.StatusOK)
		contains(t, page, "Unpublished.")
		post(t, n.editor, "/admin/documents/"+d.ID+"/transitions", url.Values{"action": {"archive"}, "version": {"7"}}, http.StatusOK)
		check(n.editor, "editor", "restore")
		page = post(t, n.editor, "/admin/documents/"+d.ID+"/transitions", url.Values{"action": {"restore"}, "version": {"8"}}, http.StatusOK)
		contains(t, page, "Restored as a draft.")
	})
}

func TestSubmitNamesMissingFields(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		var d doc
		n.writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": "korea-view", "title": "Half done"}).
			Want(http.StatusCreated).Decode(&d)
		page := get(t, n.writer, "/admin/documents/"+d.ID, http.StatusOK)
		contains(t, page, "Required before submitting:", "<li>Summary</li>", "<li>What Happened</li>", "<li>Implications</li>")
		page = post(t, n.writer, "/admin/documents/"+d.ID+"/transitions", url.Values{"action": {"submit"}, "version": {"1"}}, http.StatusOK)
		contains(t, page, "Summary is required before submitting", "Implications is required before submitting")
	})
}

func TestPreviewLooksLikeThePublicPage(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer)
		n.editor.Do("PUT", "/api/v1/documents/"+d.ID+"/credits", []map[string]string{
			{"role": "editor", "contributor": "yong-kwon"}, {"role": "contributor", "contributor": "melissa-cho"},
			{"role": "contributor", "contributor": "alexandra-langford"}}, "If-Match", `"1"`).Want(http.StatusOK)
		page := get(t, n.writer, "/admin/documents/"+d.ID+"/preview", http.StatusOK)
		contains(t, page, `<iframe class="site-preview" src="/admin/documents/`+d.ID+`/page"`)
		// The frame is the reader site's own document page (issue 15, item 8).
		page = get(t, n.writer, "/admin/documents/"+d.ID+"/page", http.StatusOK)
		contains(t, page, "The Peninsula", "Beijing Calibrates Its Approach to Seoul", "Not yet published", "Author: Korea View",
			">What Happened</h2>", "<li>During recent talks", ">Implications</h2>", "<strong>calibrating</strong>", ">Context</h2>",
			"This briefing comes from Korea View",
			"Korea View was edited by Yong Kwon with the help of Melissa Cho and Alexandra Langford.",
			"Return to the Peninsula", `<meta name="robots" content="noindex, nofollow">`)
		// A preview link for someone without an account.
		page = post(t, n.writer, "/admin/documents/"+d.ID+"/preview-links", url.Values{"days": {"1"}}, http.StatusOK)
		contains(t, page, `id="preview-link"`, "/delivery/v1/preview/")
		i := strings.Index(page, "/delivery/v1/preview/")
		link := page[i : i+strings.IndexByte(page[i:], '"')]
		if got := env.Anonymous().Do("GET", link, nil).Want(http.StatusOK).JSON()["title"]; got != "Beijing Calibrates Its Approach to Seoul" {
			t.Errorf("the preview link shows %v", got)
		}
		// A browser opening the link gets the site's page.
		r := env.Anonymous().Do("GET", link, nil, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8").Want(http.StatusOK)
		contains(t, string(r.Body), "<h1>Beijing Calibrates Its Approach to Seoul</h1>", "Return to the Peninsula")
		if cc := r.Header.Get("Cache-Control"); cc != "private, no-store" {
			t.Errorf("preview page Cache-Control %q", cc)
		}
		// Someone who may not read the document gets nothing.
		other := env.CreateUser("other@example.org", "author:korea-view")
		get(t, other, "/admin/documents/"+d.ID+"/preview", http.StatusNotFound)
		post(t, other, "/admin/documents/"+d.ID+"/preview-links", nil, http.StatusNotFound)
	})
}

func TestCreditsEditor(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer)
		// The writer sees the credits but may not change them.
		page := get(t, n.writer, "/admin/documents/"+d.ID+"/credits", http.StatusOK)
		contains(t, page, "Only editors change credits")
		lacks(t, page, "Save credits", "contributor-search")
		page = post(t, n.writer, "/admin/documents/"+d.ID+"/credits", url.Values{"version": {"1"}, "role": {"editor"}, "contributor": {"yong-kwon"}}, http.StatusForbidden)
		contains(t, page, "Only editors change credits.")

		page = get(t, n.editor, "/admin/documents/"+d.ID+"/credits", http.StatusOK)
		contains(t, page, "Save credits", `id="contributor-search"`, "No credits yet.")
		rows := url.Values{"version": {"1"},
			"role":        {"contributor", "editor", "contributor", "contributor"},
			"contributor": {"melissa-cho", "yong-kwon", "alexandra-langford", ""}}
		// The live line and the search.
		line := post(t, n.editor, "/admin/documents/"+d.ID+"/credits/line", rows, http.StatusOK)
		if line != "Korea View was edited by Yong Kwon with the help of Melissa Cho and Alexandra Langford." {
			t.Errorf("live credit line = %q", line)
		}
		matches := get(t, n.editor, "/admin/contributors/search?q=mel", http.StatusOK)
		contains(t, matches, `data-add-credit="melissa-cho"`, "Add Melissa Cho")
		lacks(t, matches, "yong-kwon")

		// Reorder without scripts, then save.
		rows.Set("list_op", "credits:up:1")
		page = post(t, n.editor, "/admin/documents/"+d.ID+"/credits", rows, http.StatusOK)
		if i, j := strings.Index(page, `<option value="yong-kwon" selected>`), strings.Index(page, `<option value="melissa-cho" selected>`); i < 0 || j < 0 || i > j {
			t.Errorf("after moving Yong Kwon up he is not first")
		}
		rows.Del("list_op")
		page = post(t, n.editor, "/admin/documents/"+d.ID+"/credits", rows, http.StatusOK)
		contains(t, page, "Credits saved.", "Korea View was edited by Yong Kwon with the help of Melissa Cho and Alexandra Langford.")
		if got := fetchDoc(t, n.editor, d.ID)["credit_line"]; got != "Korea View was edited by Yong Kwon with the help of Melissa Cho and Alexandra Langford." {
			t.Errorf("stored credit line = %v", got)
		}
		// A stale version keeps the editor's rows and saves nothing.
		page = post(t, n.editor, "/admin/documents/"+d.ID+"/credits", url.Values{"version": {"1"}, "role": {"author"}, "contributor": {"yong-kwon"}}, http.StatusConflict)
		contains(t, page, "these are your credits, not saved yet")
	})
}

func TestRevisionsDiffAndRestore(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer)
		n.writer.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": "A sharper title", "checkpoint": true}, "If-Match", `"1"`).Want(http.StatusOK)
		page := get(t, n.writer, "/admin/documents/"+d.ID+"/revisions", http.StatusOK)
		contains(t, page, `name="a" value="1"`, `name="b" value="2"`, "Restore revision 1", "writer@example.org",
			"Saved by hand", "data-seconds")
		contains(t, page, "Title, Slug: &#43;13 −63 characters")
		page = get(t, n.writer, "/admin/documents/"+d.ID+"/diff?a=1&b=2", http.StatusOK)
		contains(t, page, "Revision 1 → 2", "<th scope=\"row\">Title</th>", "<del>Beijing ", "<ins>A ")
		get(t, n.writer, "/admin/documents/"+d.ID+"/diff?a=1&b=9", http.StatusNotFound)

		page = post(t, n.writer, "/admin/documents/"+d.ID+"/revisions/1/restore", url.Values{"version": {"2"}}, http.StatusOK)
		contains(t, page, "Restored revision 1 as revision 3.")
		if got := fetchDoc(t, n.writer, d.ID)["title"]; got != "Beijing Calibrates Its Approach to Seoul" {
			t.Errorf("title after restore = %v", got)
		}
		// The publisher reads revisions but may not restore.
		page = get(t, n.publisher, "/admin/documents/"+d.ID+"/revisions", http.StatusOK)
		lacks(t, page, "Restore revision")
	})
}

func TestCommentsInHistory(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer)
		transition(t, n.writer, d.ID, "submit")
		page := post(t, n.editor, "/admin/documents/"+d.ID+"/comments", url.Values{"body": {"Check the FM's name."}, "field": {"what_happened"}}, http.StatusOK)
		contains(t, page, "Comment added.", "Check the FM&#39;s name.", "commented on What Happened", "submitted for review", "created the document")
		page = post(t, n.editor, "/admin/documents/"+d.ID+"/comments", url.Values{"body": {"  "}}, http.StatusOK)
		contains(t, page, "is required")
		comments := n.writer.Do("GET", "/api/v1/documents/"+d.ID+"/comments", nil).Want(http.StatusOK).JSON()["data"].([]any)
		cid := comments[0].(map[string]any)["id"].(string)
		page = post(t, n.writer, "/admin/documents/"+d.ID+"/comments/"+cid+"/resolve", nil, http.StatusOK)
		contains(t, page, "Comment resolved.", "Resolved")
	})
}

func TestDocumentList(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer)
		page := get(t, n.editor, "/admin/documents?q=Beijing", http.StatusOK)
		contains(t, page, "/admin/documents/"+d.ID)
		page = get(t, n.editor, "/admin/documents?q=nothing-like-this", http.StatusOK)
		contains(t, page, "No documents found.")
		page = get(t, n.editor, "/admin/documents?state=draft&series=the-peninsula", http.StatusOK)
		contains(t, page, "/admin/documents/"+d.ID)
		get(t, n.editor, "/admin/documents?state=bogus", http.StatusBadRequest)
		page = get(t, n.editor, "/admin/slug?title=China%E2%80%99s+Move&series=korea-view", http.StatusOK)
		if page != "/korea-view/chinas-move" {
			t.Errorf("slug preview = %q", page)
		}
	})
}
