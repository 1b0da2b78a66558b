package admin_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestBellNotificationsPageAndPreferences: the bell on every page counts
// the unread notifications and goes down when they are read; the page
// lists them with their document; the form switches mail per kind.
func TestBellNotificationsPageAndPreferences(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		contains(t, get(t, n.writer, "/admin", http.StatusOK), `data-unread="0"`)
		for _, title := range []string{"First Assigned", "Second Assigned"} {
			d := create(t, n.writer, title)
			n.editor.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"assignee": n.writer.UserID},
				"If-Match", `"`+itoa(d.Version)+`"`).Want(http.StatusOK)
		}
		for _, path := range []string{"/admin", "/admin/documents", "/admin/account", "/admin/calendar"} {
			contains(t, get(t, n.writer, path, http.StatusOK), `class="bell unread"`, `data-unread="2"`, "Notifications: 2 unread")
		}
		contains(t, get(t, n.writer, "/admin/notifications/bell", http.StatusOK), `data-unread="2"`)
		contains(t, get(t, n.editor, "/admin", http.StatusOK), `data-unread="0"`)

		page := get(t, n.writer, "/admin/notifications", http.StatusOK)
		contains(t, page, "Assigned to you", "First Assigned", "Second Assigned", `name="mail_digest" checked`)
		id := hiddenID.FindStringSubmatch(page)
		if id == nil {
			t.Fatal("no Mark read form on the page")
		}
		post(t, n.writer, "/admin/notifications/read", url.Values{"id": {id[1]}}, http.StatusOK)
		contains(t, get(t, n.writer, "/admin", http.StatusOK), `data-unread="1"`)
		post(t, n.writer, "/admin/notifications/read", nil, http.StatusOK)
		contains(t, get(t, n.writer, "/admin", http.StatusOK), `data-unread="0"`)

		post(t, n.writer, "/admin/notifications/preferences", url.Values{"mail_approved": {"on"}}, http.StatusOK)
		var prefs struct{ Mail map[string]bool }
		n.writer.Do("GET", "/api/v1/me/notifications", nil).Want(http.StatusOK).Decode(&prefs)
		if !prefs.Mail["approved"] || prefs.Mail["assigned"] || prefs.Mail["digest"] {
			t.Errorf("after the form: %v", prefs.Mail)
		}
		page = get(t, n.writer, "/admin/notifications", http.StatusOK)
		contains(t, page, `name="mail_approved" checked`)
		lacks(t, page, `name="mail_assigned" checked`)
	})
}

var hiddenID = regexp.MustCompile(`name="id" value="([^"]+)"`)
