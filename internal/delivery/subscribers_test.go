package delivery_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestSubscriberLinkNegotiation opens an unsubscribe link with the Accept
// headers browsers and API clients send: the page unless JSON is
// preferred, and never a change.
func TestSubscriberLinkNegotiation(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin, anon := env.Admin(), env.Anonymous()
		admin.Do("POST", "/api/v1/series", map[string]any{"slug": "korea-view", "name": "Korea View", "kind": "newsletter"}).Want(http.StatusCreated)
		anon.Do("POST", "/delivery/v1/subscribers", map[string]any{"email": "reader@example.org", "series": "korea-view"}).Want(http.StatusAccepted)
		var list struct {
			Data []struct {
				Status         string `json:"status"`
				UnsubscribeURL string `json:"unsubscribe_url"`
			} `json:"data"`
		}
		admin.Do("GET", "/api/v1/subscribers", nil).Want(http.StatusOK).Decode(&list)
		out, err := url.Parse(list.Data[0].UnsubscribeURL)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			accept string
			json   bool
		}{
			{"", false},
			{"*/*", false},
			{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
			{"application/json, text/html", false}, // a tie: the page
			{"application/json;q=0.5, text/html", false},
			{"text/*, application/json;q=0.9", false},
			{"application/problem+json", false}, // neither: the page
			{"application/json", true},
			{"Application/JSON; charset=utf-8", true},
			{"application/json, */*", true}, // named beats a wildcard
			{"text/html;q=0.5, application/json", true},
			{"application/*", true},
			{"text/html;q=0, */*", true},
		} {
			r := anon.Do("GET", out.RequestURI(), nil, "Accept", tc.accept).Want(http.StatusOK)
			ct := r.Header.Get("Content-Type")
			if got := strings.HasPrefix(ct, "application/json"); got != tc.json || (!got && !strings.HasPrefix(ct, "text/html")) {
				t.Errorf("Accept %q: Content-Type %q", tc.accept, ct)
			}
			if vary := strings.Join(r.Header.Values("Vary"), ","); !strings.Contains(vary, "Accept") {
				t.Errorf("Accept %q: Vary %q", tc.accept, vary)
			}
		}
		admin.Do("GET", "/api/v1/subscribers", nil).Want(http.StatusOK).Decode(&list)
		if list.Data[0].Status != "pending" {
			t.Errorf("opening the link changed the subscriber: %+v", list.Data[0])
		}
	})
}
