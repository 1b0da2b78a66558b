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
	t.Parallel()
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

// TestBrokenSubscriberLinkInABrowser: a reader who opens or posts a broken
// link gets a page in words with the problem's status and no button; a
// program still gets the problem.
func TestBrokenSubscriberLinkInABrowser(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		anon := env.Anonymous()
		const browser = "text/html,application/xhtml+xml,*/*;q=0.8"
		for _, link := range []string{"/delivery/v1/subscribers/confirm", "/delivery/v1/subscribers/unsubscribe"} {
			broken := link + "?token=not-a-token"
			for _, method := range []string{"GET", "POST"} {
				r := anon.Do(method, broken, nil, "Accept", browser).Want(http.StatusNotFound)
				body := string(r.Body)
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") ||
					!strings.Contains(body, "This link cannot be used") || strings.Contains(body, "<form") {
					t.Errorf("%s %s in a browser: %s\n%s", method, broken, ct, body)
				}
				if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("%s %s: the error page lacks the link headers", method, broken)
				}
				wantProblem(t, method+" "+broken+" as JSON", anon.Do(method, broken, nil, "Accept", "application/json"), http.StatusNotFound)
			}
		}
	})
}
