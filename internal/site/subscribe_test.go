package site_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestSubscribeFormWithoutScripts posts the page's mailing-list form, as
// a browser does, to the delivery API's sign-up: a reader is asked to
// check their inbox and is pending on the list, a filled-in honeypot gets
// the same page and signs nobody up, and the form shares the JSON
// sign-up's rate limit.
func TestSubscribeFormWithoutScripts(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		anon := k.n.Anonymous
		form := func(email, honeypot string) *apptest.Response {
			body := url.Values{"series": {apptest.Series}, "email": {email}, "website": {honeypot}}.Encode()
			return anon.For(t).Do("POST", "/delivery/v1/subscribers", body, "Content-Type", "application/x-www-form-urlencoded",
				"Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		}
		body := page(t, anon, "/korea-view", http.StatusOK)
		inOrder(t, body, `<form action="/delivery/v1/subscribers" method="post">`, `value="korea-view"`, `<label for="signup-email">`, `name="website"`)

		r := form("bot@example.org", "http://spam.example").Want(http.StatusAccepted)
		if !strings.Contains(string(r.Body), "Check your inbox") {
			t.Errorf("the honeypot's answer is not the usual page")
		}
		r = form("reader@example.org", "").Want(http.StatusAccepted)
		if !strings.Contains(string(r.Body), "Check your inbox") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("sign-up answer: %s", r.Body)
		}
		var list struct {
			Data []struct{ Email, Status string } `json:"data"`
		}
		k.n.Admin.Do("GET", "/api/v1/subscribers", nil).Want(http.StatusOK).Decode(&list)
		if len(list.Data) != 1 || list.Data[0].Email != "reader@example.org" || list.Data[0].Status != "pending" {
			t.Errorf("subscribers after the form and the honeypot: %+v", list.Data)
		}
		form("not-an-address", "").Want(http.StatusBadRequest)

		limited := false
		for i := range 20 {
			if form(fmt.Sprintf("r%d@example.org", i), "").Status == http.StatusTooManyRequests {
				limited = true
				break
			}
		}
		if !limited {
			t.Fatal("the form was never rate limited")
		}
		anon.Do("POST", "/delivery/v1/subscribers", map[string]any{"email": "json@example.org", "series": apptest.Series}).
			Want(http.StatusTooManyRequests)
	})
}
