package admin_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

func TestUsersAndRoles(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		get(t, n.editor, "/admin/users", http.StatusForbidden)
		post(t, n.editor, "/admin/users", url.Values{"email": {"x@example.org"}, "name": {"X"}, "password": {"long-enough-1"}}, http.StatusForbidden)
		lacks(t, get(t, n.editor, "/admin", http.StatusOK), "Users &amp; roles", "/admin/webhooks")
		// A publisher writes nothing, so is not offered a new document.
		lacks(t, get(t, n.publisher, "/admin", http.StatusOK), "/admin/documents/new")
		contains(t, get(t, n.writer, "/admin", http.StatusOK), "/admin/documents/new")
		get(t, n.publisher, "/admin/documents/new", http.StatusForbidden)

		page := get(t, n.admin, "/admin/users", http.StatusOK)
		contains(t, page, "writer@example.org", "author on korea-view", "Create a user", "Assign a role")
		page = post(t, n.admin, "/admin/users", url.Values{"email": {"new@example.org"}, "name": {"New Writer"},
			"password": {"long-enough-1"}, "role": {"author"}, "series": {"korea-view"}}, http.StatusOK)
		contains(t, page, "Created New Writer", "new@example.org")
		page = post(t, n.admin, "/admin/users", url.Values{"email": {"bad"}, "name": {"B"}, "password": {"short"}}, http.StatusOK)
		contains(t, page, "flash-error", "must be a valid email address")

		id := userID(t, n.admin, "new@example.org")
		page = post(t, n.admin, "/admin/roles", url.Values{"user_id": {id}, "role": {"editor"}, "series": {"*"}}, http.StatusOK)
		contains(t, page, "Role editor on all series assigned.", "editor on all series")
		page = post(t, n.admin, "/admin/roles/revoke", url.Values{"user_id": {id}, "role": {"editor"}, "series": {"*"}}, http.StatusOK)
		contains(t, page, "Role editor on all series revoked.")
		page = post(t, n.admin, "/admin/roles", url.Values{"user_id": {id}, "role": {"emperor"}, "series": {"*"}}, http.StatusOK)
		contains(t, page, "flash-error")

		// Deactivating ends the sessions.
		c := env.Login("new@example.org", "long-enough-1")
		post(t, n.admin, "/admin/users/"+id+"/active", url.Values{"active": {"false"}}, http.StatusOK)
		c.Do("GET", "/api/v1/me", nil).Want(http.StatusUnauthorized)
		page = post(t, n.admin, "/admin/users/"+id+"/active", url.Values{"active": {"true"}}, http.StatusOK)
		contains(t, page, "Reactivated New Writer.")
	})
}

func userID(t *testing.T, admin *apptest.Client, email string) string {
	t.Helper()
	for _, u := range admin.Do("GET", "/api/v1/users", nil).Want(http.StatusOK).JSON()["data"].([]any) {
		if m := u.(map[string]any); m["email"] == email {
			return m["id"].(string)
		}
	}
	t.Fatalf("no user %s", email)
	return ""
}

func TestSeriesContributorsAndTypes(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		page := get(t, n.writer, "/admin/series", http.StatusOK)
		contains(t, page, "Korea View", "the-peninsula")
		lacks(t, page, "Create a series")
		post(t, n.writer, "/admin/series", url.Values{"slug": {"x"}, "name": {"X"}, "kind": {"blog"}}, http.StatusForbidden)

		page = post(t, n.admin, "/admin/series", url.Values{"slug": {"japan-view"}, "name": {"Japan View"}, "kind": {"newsletter"},
			"parent": {"the-peninsula"}, "about": {"About Japan View."}}, http.StatusOK)
		contains(t, page, "Created the series Japan View.")
		page = get(t, n.admin, "/admin/series/japan-view", http.StatusOK)
		contains(t, page, "Edit series: Japan View", `<option value="the-peninsula" selected>`)
		page = post(t, n.admin, "/admin/series/japan-view", url.Values{"name": {"Japan Watch"}, "kind": {"newsletter"}, "parent": {"the-peninsula"}}, http.StatusOK)
		contains(t, page, "Saved the series Japan Watch.")

		page = get(t, n.writer, "/admin/contributors", http.StatusOK)
		contains(t, page, "Yong Kwon", "melissa-cho")
		lacks(t, page, "Add a contributor")
		post(t, n.writer, "/admin/contributors", url.Values{"name": {"Nope"}}, http.StatusOK) // refused with a message
		page = post(t, n.editor, "/admin/contributors", url.Values{"name": {"Jane Doe"}, "bio": {"Analyst."}}, http.StatusOK)
		contains(t, page, "Added Jane Doe.", "jane-doe")
		page = post(t, n.editor, "/admin/contributors/jane-doe", url.Values{"name": {"Jane Q. Doe"}, "bio": {"Analyst."}}, http.StatusOK)
		contains(t, page, "Saved Jane Q. Doe.")

		page = get(t, n.writer, "/admin/content-types", http.StatusOK)
		contains(t, page, "Briefing", "what_happened", "List of short texts", "Rich text (Markdown)", "Article")
	})
}

var secretRE = regexp.MustCompile(`value="(mh_[A-Za-z0-9_-]+)"`)

func TestTokensAndWebhooks(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		page := post(t, n.writer, "/admin/tokens", url.Values{"name": {"newsletter"}, "scopes": {"read"}, "expires": {"2099-01-01"}}, http.StatusOK)
		contains(t, page, "shown only this once", "newsletter")
		m := secretRE.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no secret shown")
		}
		api := env.Anonymous()
		api.Bearer = m[1]
		api.Do("GET", "/api/v1/me", nil).Want(http.StatusOK)
		page = get(t, n.writer, "/admin/tokens", http.StatusOK)
		lacks(t, page, m[1])
		tokens := n.writer.Do("GET", "/api/v1/tokens", nil).Want(http.StatusOK).JSON()["data"].([]any)
		tid := tokens[0].(map[string]any)["id"].(string)
		post(t, n.writer, "/admin/tokens/"+tid+"/revoke", nil, http.StatusOK)
		api.Do("GET", "/api/v1/me", nil).Want(http.StatusUnauthorized)

		get(t, n.editor, "/admin/webhooks", http.StatusForbidden)
		page = post(t, n.admin, "/admin/webhooks", url.Values{"url": {"https://hooks.example.org/masthead"},
			"events": {"document.published", "document.unpublished"}}, http.StatusOK)
		contains(t, page, "Signing secret for https://hooks.example.org/masthead", "whsec_")
		hooks := n.admin.Do("GET", "/api/v1/webhooks", nil).Want(http.StatusOK).JSON()["data"].([]any)
		hid := hooks[0].(map[string]any)["id"].(string)
		page = get(t, n.admin, "/admin/webhooks/"+hid, http.StatusOK)
		contains(t, page, "Delivery log", "No deliveries yet.")
		page = post(t, n.admin, "/admin/webhooks/"+hid+"/delete", nil, http.StatusOK)
		contains(t, page, "Webhook deleted.", "No webhooks yet.")
	})
}

// TestEveryPostNeedsCSRF sends every form of the UI without its token.
func TestEveryPostNeedsCSRF(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer)
		paths := []string{
			"/admin/logout", "/admin/documents", "/admin/documents/" + d.ID, "/admin/documents/" + d.ID + "/autosave",
			"/admin/documents/" + d.ID + "/transitions", "/admin/documents/" + d.ID + "/comments",
			"/admin/documents/" + d.ID + "/comments/x/resolve", "/admin/documents/" + d.ID + "/credits",
			"/admin/documents/" + d.ID + "/credits/line", "/admin/documents/" + d.ID + "/revisions/1/restore",
			"/admin/documents/" + d.ID + "/preview-links", "/admin/documents/" + d.ID + "/delete",
			"/admin/contributors", "/admin/contributors/yong-kwon", "/admin/series", "/admin/series/korea-view",
			"/admin/users", "/admin/users/x/active", "/admin/roles", "/admin/roles/revoke",
			"/admin/tokens", "/admin/tokens/x/revoke", "/admin/account/password", "/admin/webhooks", "/admin/webhooks/x/delete",
			"/admin/subscribers/import", "/admin/subscribers/x/erase",
		}
		for _, p := range paths {
			post(t, n.admin, p, url.Values{"csrf_token": {"forged"}}, http.StatusForbidden)
		}
		// Nothing happened: the draft is still at version 1.
		if v := fetchDoc(t, n.writer, d.ID)["version"]; v != float64(1) {
			t.Errorf("version after forged posts = %v", v)
		}
	})
}

func TestStaffSearch(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer)
		page := get(t, n.editor, "/admin/search?q=calibrating", http.StatusOK)
		contains(t, page, "1 document found.", "/admin/documents/"+d.ID, "<mark>")
		page = get(t, n.editor, "/admin/search?q=calibrating&state=published", http.StatusOK)
		contains(t, page, "0 documents found.")
		// Another writer may not see the draft, so finds nothing.
		other := env.CreateUser("other@example.org", "author:korea-view")
		page = get(t, other, "/admin/search?q=calibrating", http.StatusOK)
		contains(t, page, "0 documents found.")
		lacks(t, page, d.ID)
		page = get(t, n.editor, "/admin/search?q=-calibrating", http.StatusOK)
		contains(t, page, "flash-error")
	})
}
