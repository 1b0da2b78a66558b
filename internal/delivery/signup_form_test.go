package delivery_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

const formType = "application/x-www-form-urlencoded"

// TestSignupFromAPlainForm posts the mailing-list form as a browser does,
// without a script: the address is pending and the page says to check the
// inbox; a bad address gets a page saying why with the 400; a filled
// honeypot gets the same page and stores nothing; a program posting the
// form without asking for HTML still gets JSON.
func TestSignupFromAPlainForm(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin, anon := env.Admin(), env.Anonymous()
		admin.Do("POST", "/api/v1/series", map[string]any{"slug": "korea-view", "name": "Korea View", "kind": "newsletter"}).Want(http.StatusCreated)
		const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
		form := func(email, website string) string {
			return url.Values{"email": {email}, "series": {"korea-view"}, "website": {website}}.Encode()
		}

		r := anon.Do("POST", "/delivery/v1/subscribers", form("reader@example.org", ""), "Content-Type", formType, "Accept", browser).Want(http.StatusAccepted)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(r.Body), "Check your inbox") {
			t.Errorf("the form's answer: %s\n%s", ct, r.Body)
		}
		if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("Cache-Control") != "no-store" {
			t.Error("the page lacks the subscriber pages' headers")
		}

		bad := anon.Do("POST", "/delivery/v1/subscribers", form("not an address", ""), "Content-Type", formType, "Accept", browser).Want(http.StatusBadRequest)
		if body := string(bad.Body); !strings.HasPrefix(bad.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "did not go through") {
			t.Errorf("a bad address in a browser: %s", body)
		}

		anon.Do("POST", "/delivery/v1/subscribers", form("robot@example.org", "https://spam.example"), "Content-Type", formType, "Accept", browser).Want(http.StatusAccepted)

		var got struct{ Status string }
		anon.Do("POST", "/delivery/v1/subscribers", form("program@example.org", ""), "Content-Type", formType).Want(http.StatusAccepted).Decode(&got)
		if got.Status != "pending" {
			t.Errorf("a form posted without asking for HTML: %+v", got)
		}

		var list struct {
			Data []struct{ Email, Status string } `json:"data"`
		}
		admin.Do("GET", "/api/v1/subscribers", nil).Want(http.StatusOK).Decode(&list)
		emails := map[string]string{}
		for _, s := range list.Data {
			emails[s.Email] = s.Status
		}
		if emails["reader@example.org"] != "pending" || emails["program@example.org"] != "pending" || len(emails) != 2 {
			t.Errorf("subscribers after the posts: %v (want the reader and the program pending, not the robot)", emails)
		}
	})
}
