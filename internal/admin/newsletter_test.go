package admin_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestNewsletterSettingsPage: a series' publisher opens its newsletter
// settings from the series page and saves them; a bad address is shown
// next to its field and saves nothing; a writer is refused.
func TestNewsletterSettingsPage(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		path := "/admin/series/korea-view/newsletter"
		contains(t, get(t, n.publisher, "/admin/series", http.StatusOK), `href="`+path+`"`)
		lacks(t, get(t, n.writer, "/admin/series", http.StatusOK), `href="`+path+`"`)
		get(t, n.writer, path, http.StatusForbidden)
		post(t, n.writer, path, url.Values{"enabled": {"on"}, "from_address": {"x@example.org"}}, http.StatusForbidden)

		page := get(t, n.publisher, path, http.StatusOK)
		contains(t, page, `name="csrf_token"`, `<label for="nl-from_address">`, "Save newsletter settings")

		bad := url.Values{"enabled": {"on"}, "from_name": {"Korea View"}, "from_address": {"Korea View <kv@example.org>"}}
		page = post(t, n.publisher, path, bad, http.StatusUnprocessableEntity)
		contains(t, page, `aria-invalid="true" aria-describedby="nl-from_address-error"`, "must be a plain email address",
			`value="Korea View &lt;kv@example.org&gt;"`)
		if s := n.admin.Do("GET", "/api/v1/series/korea-view/newsletter", nil).Want(http.StatusOK).JSON(); s["enabled"] != false {
			t.Fatalf("a refused form saved %v", s)
		}

		good := url.Values{"enabled": {"on"}, "from_name": {"Korea View"}, "from_address": {"KV@example.org"},
			"reply_to": {"desk@example.org"}, "send_on_publish": {"on"}, "footer": {"You get this because you signed up."}}
		page = post(t, n.publisher, path, good, http.StatusOK)
		contains(t, page, "Saved the newsletter settings.", `value="kv@example.org"`, "checked", "You get this because you signed up.")
		s := n.admin.Do("GET", "/api/v1/series/korea-view/newsletter", nil).Want(http.StatusOK).JSON()
		if s["enabled"] != true || s["send_on_publish"] != true || s["include_children"] != false || s["from_address"] != "kv@example.org" ||
			s["reply_to"] != "desk@example.org" {
			t.Fatalf("saved settings %v", s)
		}
	})
}
