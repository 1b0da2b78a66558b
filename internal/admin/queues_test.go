package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestDashboardQueuePerRole: each role's dashboard has a queue of what it
// acts on. The assistant copy-edits what is in review; the editor's
// review queue lists only what the enforcer lets them approve (not what
// they rewrote since it was submitted), what is assigned to them first;
// the publisher's lists what is ready to publish.
func TestDashboardQueuePerRole(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		plain := create(t, n.writer, "The Plain Piece")
		rewritten := create(t, n.writer, "The Piece the Editor Rewrote")
		assigned := create(t, n.writer, "The Piece Assigned to the Editor")
		for _, d := range []doc{plain, rewritten, assigned} {
			transition(t, n.writer, d.ID, "submit")
		}
		// The editor copy-edits one piece in review: their eyes are no
		// longer fresh for it, so it is not theirs to approve.
		cur := fetchDoc(t, n.editor, rewritten.ID)
		n.editor.Do("PATCH", "/api/v1/documents/"+rewritten.ID, map[string]any{"title": "The Piece the Editor Rewrote, Tightened"},
			"If-Match", `"`+itoa(int(cur["version"].(float64)))+`"`).Want(http.StatusOK)
		cur = fetchDoc(t, n.admin, assigned.ID)
		n.admin.Do("PATCH", "/api/v1/documents/"+assigned.ID, map[string]any{"assignee": n.editor.UserID},
			"If-Match", `"`+itoa(int(cur["version"].(float64)))+`"`).Want(http.StatusOK)

		page := get(t, n.assistant, "/admin", http.StatusOK)
		copyEdit := sectionOf(t, page, "copy-edit")
		contains(t, copyEdit, "In review, to copy-edit", "The Plain Piece", "Tightened", "Assigned to the Editor")
		lacks(t, page, `id="review"`, `id="ready"`)

		page = get(t, n.editor, "/admin", http.StatusOK)
		review := sectionOf(t, page, "review")
		contains(t, review, "Waiting for my review", "/admin/documents/"+plain.ID, "/admin/documents/"+assigned.ID, "Assigned to you")
		lacks(t, review, "/admin/documents/"+rewritten.ID)
		if i, j := strings.Index(review, assigned.ID), strings.Index(review, plain.ID); i > j {
			t.Errorf("the piece assigned to the editor is not first in their review queue:\n%s", review)
		}
		lacks(t, page, `id="copy-edit"`)

		transition(t, n.editor, plain.ID, "approve")
		page = get(t, n.publisher, "/admin", http.StatusOK)
		contains(t, sectionOf(t, page, "ready"), "Ready to publish", "/admin/documents/"+plain.ID)
		lacks(t, page, `id="review"`, `id="copy-edit"`)
	})
}

// TestDuplicateCreditNamesThePerson: the same person twice is refused, in
// the API and the UI, with the person's name and both rows in words; the
// credits search does not offer whom the form already credits.
func TestDuplicateCreditNamesThePerson(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer)
		var problem struct {
			Detail string `json:"detail"`
			Errors []struct {
				Field   string `json:"field"`
				Message string `json:"message"`
			} `json:"errors"`
		}
		r := n.editor.Do("PUT", "/api/v1/documents/"+d.ID+"/credits", []map[string]string{
			{"role": "editor", "contributor": "yong-kwon"}, {"role": "contributor", "contributor": "melissa-cho"},
			{"role": "contributor", "contributor": "alexandra-langford"}, {"role": "researcher", "contributor": "melissa-cho"},
		}, "If-Match", `"`+itoa(d.Version)+`"`).Want(http.StatusBadRequest)
		r.Decode(&problem)
		if problem.Detail != "Melissa Cho is credited twice, rows 2 and 4" {
			t.Errorf("detail = %q", problem.Detail)
		}
		if fetchDoc(t, n.editor, d.ID)["credit_line"] != "" {
			t.Errorf("a refused credits list changed the credits")
		}

		form := url.Values{"version": {itoa(d.Version)},
			"role":        {"editor", "contributor", "contributor", "researcher", "contributor"},
			"contributor": {"yong-kwon", "melissa-cho", "alexandra-langford", "melissa-cho", ""}}
		page := post(t, n.editor, "/admin/documents/"+d.ID+"/credits", form, http.StatusUnprocessableEntity)
		contains(t, page, "Melissa Cho is credited twice, rows 2 and 4.",
			`aria-invalid="true" aria-describedby="contributor-3-error"`,
			`<p class="field-error" id="contributor-3-error" role="alert">Melissa Cho is credited twice, rows 2 and 4.</p>`)
		lacks(t, page, "Credits saved.")

		// The search skips whom the rows credit; the other rows' pickers
		// do not offer them either.
		matches := get(t, n.editor, "/admin/contributors/search?q=&contributor=melissa-cho&contributor=yong-kwon", http.StatusOK)
		contains(t, matches, `data-add-credit="alexandra-langford"`)
		lacks(t, matches, "melissa-cho", "yong-kwon")
		page = post(t, n.editor, "/admin/documents/"+d.ID+"/credits", url.Values{"version": {itoa(d.Version)},
			"role": {"editor", "contributor"}, "contributor": {"yong-kwon", "melissa-cho"}}, http.StatusOK)
		contains(t, page, "Credits saved.")
		page = get(t, n.editor, "/admin/documents/"+d.ID+"/credits", http.StatusOK)
		blank := page[strings.Index(page, `id="contributor-2"`):]
		blank = blank[:strings.Index(blank, "</select>")]
		contains(t, blank, `<option value="melissa-cho" disabled>`, `<option value="yong-kwon" disabled>`, `<option value="alexandra-langford">`)
	})
}

// TestRequiredCreditListedInApproveAndPublish: where the series requires
// a credit, the approve and publish boxes say that none is there yet.
func TestRequiredCreditListedInApproveAndPublish(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		n.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"requires_credit": "editor"}).Want(http.StatusOK)
		d := create(t, n.writer)
		transition(t, n.writer, d.ID, "submit")
		page := get(t, n.editor, "/admin/documents/"+d.ID, http.StatusOK)
		approve := page[strings.Index(page, `data-action="approve"`):]
		approve = approve[:strings.Index(approve, "</form>")]
		contains(t, approve, "Required before it goes live:", "No credits yet (Korea View requires a credit as editor)")
		transition(t, n.editor, d.ID, "approve")
		page = get(t, n.publisher, "/admin/documents/"+d.ID, http.StatusOK)
		publish := page[strings.Index(page, `data-action="publish"`):]
		publish = publish[:strings.Index(publish, "</form>")]
		contains(t, publish, "No credits yet")
	})
}

// TestTimesInThePersonsZone: every time the UI prints is in one zone with
// its name: the one the browser reports (the cookie its script sets),
// else the newsroom's (MASTHEAD_TIMEZONE); 12 hours where the locale
// reads them so; the schedule fields say and send the same zone.
func TestTimesInThePersonsZone(t *testing.T) {
	t.Parallel()
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.TimeZone = seoul }})
		n := setup(t, env)
		d := create(t, n.writer)
		transition(t, n.writer, d.ID, "submit")
		transition(t, n.editor, d.ID, "approve")
		transition(t, n.publisher, d.ID, "schedule", "at", soon+"-04-14T00:30:00Z")

		// No cookie: the newsroom's zone.
		page := get(t, n.publisher, "/admin", http.StatusOK)
		contains(t, page, `<time datetime="`+soon+`-04-14T00:30:00Z" data-local>14 Apr `+soon+`, 09:30 KST</time>`, `data-zone="Asia/Seoul"`)
		lacks(t, page, " UTC</time>")
		page = get(t, n.publisher, "/admin/documents/"+d.ID+"/revisions", http.StatusOK)
		contains(t, page, " KST</time>", "data-seconds")

		// The browser's zone, on a 12-hour clock for en-US, everywhere on
		// the page: the dashboard, the editor's history, the schedule field.
		zoned := func(path, zone, lang string) string {
			r := n.publisher.Do("GET", path, nil, "Cookie", "masthead_tz="+zone, "Accept-Language", lang)
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, r.Status)
			}
			return string(r.Body)
		}
		page = zoned("/admin", "America/New_York", "en-US,en;q=0.9")
		contains(t, page, `data-local>13 Apr `+soon+`, 8:30 PM EDT</time>`)
		page = zoned("/admin/documents/"+d.ID, "America/New_York", "en-US")
		contains(t, page, "Scheduled for <time", " EDT</time>")
		lacks(t, page, " KST</time>", " UTC</time>")
		page = zoned("/admin", "Europe/Berlin", "de-DE,de;q=0.9")
		contains(t, page, `data-local>14 Apr `+soon+`, 02:30 CEST</time>`)
		// Something that is not a zone falls back to the newsroom's.
		page = zoned("/admin", "Mars/Olympus", "en-GB")
		contains(t, page, `data-local>14 Apr `+soon+`, 09:30 KST</time>`)

		// A schedule form without a script sends the zone it shows.
		transition(t, n.publisher, d.ID, "unschedule")
		page = zoned("/admin/documents/"+d.ID, "America/New_York", "en-US")
		contains(t, page, `Publish at <span data-tz-label>(America/New_York)</span>`, `name="tz" data-tz value="America/New_York"`)
		page = post(t, n.publisher, "/admin/documents/"+d.ID+"/transitions", url.Values{"action": {"schedule"}, "version": {itoa(int(fetchDoc(t, n.publisher, d.ID)["version"].(float64)))},
			"at": {soon + "-04-14T09:30"}, "tz": {"Asia/Seoul"}}, http.StatusOK)
		contains(t, page, "Scheduled for 14 Apr "+soon+", 09:30 KST.")
	})
}
