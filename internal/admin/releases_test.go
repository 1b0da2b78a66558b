package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// approvedDoc creates a briefing and takes it to approved.
func approvedDoc(t *testing.T, n newsroom, title string) doc {
	t.Helper()
	d := create(t, n.writer, title)
	transition(t, n.writer, d.ID, "submit")
	return transition(t, n.editor, d.ID, "approve")
}

var releaseLink = regexp.MustCompile(`href="/admin/releases/([A-Za-z0-9_-]+)"`)

// TestReleasesPages: the releases page is in a publisher's menu only; a
// release is created from approved documents, its page shows each item's
// readiness, a blocked publish names the item and publishes nothing, and
// the publish and schedule buttons work.
func TestReleasesPages(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		a := approvedDoc(t, n, "Report launch: the report")
		b := approvedDoc(t, n, "Report launch: the press note")
		contains(t, get(t, n.publisher, "/admin", http.StatusOK), `href="/admin/releases"`)
		lacks(t, get(t, n.editor, "/admin", http.StatusOK), `href="/admin/releases"`)
		get(t, n.editor, "/admin/releases", http.StatusForbidden)

		page := get(t, n.publisher, "/admin/releases", http.StatusOK)
		contains(t, page, "New release", "Report launch: the report", "Report launch: the press note", "No releases yet.")
		post(t, n.publisher, "/admin/releases", url.Values{"name": {""}, "documents": {a.ID}}, http.StatusOK)
		if list := n.publisher.Do("GET", "/api/v1/releases", nil).Want(http.StatusOK).JSON()["data"].([]any); len(list) != 0 {
			t.Fatalf("an empty name created %v", list)
		}
		page = post(t, n.publisher, "/admin/releases", url.Values{"name": {"Report launch"}, "documents": {a.ID, b.ID}}, http.StatusOK)
		contains(t, page, "Release created.", "Documents and their readiness", "Ready", "Publish every document now")
		m := releaseLink.FindStringSubmatch(get(t, n.publisher, "/admin/releases", http.StatusOK))
		if m == nil {
			t.Fatal("no release listed")
		}
		path := "/admin/releases/" + m[1]

		// The press note is edited after it joined: back to review, and
		// the release shows it blocking; publishing publishes nothing.
		n.editor.Do("PATCH", "/api/v1/documents/"+b.ID, map[string]any{"title": "Press note, edited"},
			"If-Match", fmt.Sprintf(`"%d"`, b.Version)).Want(http.StatusOK)
		page = get(t, n.publisher, path, http.StatusOK)
		contains(t, page, "Press note, edited", `data-reason="not_approved"`, "Some documents block this release")
		page = post(t, n.publisher, path+"/publish", url.Values{"version": {"1"}}, http.StatusOK)
		contains(t, page, "flash-error", "Nothing was published.", "&#34;Press note, edited&#34;")
		if d := n.admin.Do("GET", "/api/v1/documents/"+a.ID, nil).Want(http.StatusOK).JSON(); d["state"] != "approved" {
			t.Errorf("the report is %v after a refused release", d["state"])
		}

		// Approved again — by other eyes than the editor's, who rewrote
		// it — the release is scheduled and then published.
		transition(t, n.admin, b.ID, "approve")
		at := time.Now().Add(2 * time.Hour).UTC().Format("2006-01-02T15:04")
		page = post(t, n.publisher, path+"/schedule", url.Values{"version": {"1"}, "at": {at}, "tz": {"UTC"}}, http.StatusOK)
		contains(t, page, "Scheduled for", "Unschedule", "Reschedule")
		page = post(t, n.publisher, path+"/publish", url.Values{"version": {"1"}}, http.StatusOK)
		contains(t, page, "flash-error") // the page was loaded at version 1: stale
		page = post(t, n.publisher, path+"/publish", url.Values{"version": {"2"}}, http.StatusOK)
		contains(t, page, "Published: every document is live.")
		lacks(t, page, "Publish every document now")
		for _, id := range []string{a.ID, b.ID} {
			if d := n.admin.Do("GET", "/api/v1/documents/"+id, nil).Want(http.StatusOK).JSON(); d["state"] != "published" {
				t.Errorf("%s is %v after the release", id, d["state"])
			}
		}
	})
}
