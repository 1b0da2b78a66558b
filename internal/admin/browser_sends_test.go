package admin_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestBrowserSendProgressPolls: the document page a publisher keeps open
// follows a send as it goes out (htmx polls the progress fragment under
// the page's CSP) and stops polling once it is done.
func TestBrowserSendProgressPolls(t *testing.T) {
	chromiumPath(t)
	env := apptest.New(t, storetest.OpenSQLite(t))
	n := setup(t, env)
	n.admin.Do("PUT", "/api/v1/series/korea-view/newsletter", map[string]any{"enabled": true,
		"from_address": "korea-view@example.org"}).Want(http.StatusOK)
	for _, email := range []string{"a@example.net", "b@example.net"} {
		subscribeConfirmed(t, env, email)
	}
	d := approvedDoc(t, n, "Polled send")
	transition(t, n.publisher, d.ID, "publish")
	n.publisher.Do("POST", "/api/v1/documents/"+d.ID+"/sends", map[string]any{"series": "korea-view"}).Want(http.StatusCreated)

	b := newBrowser(t, env.Server.URL)
	pub := b.signIn("publisher", "publisher@example.org", "password-publisher@example.org")
	pub.open("/admin/documents/" + d.ID)
	pub.see("0 sent")
	w := newsletter.NewSendWorker(env.DB, env.App.Newsletter, refusingSender{}, newsletter.SendConfig{Logger: env.App.Log})
	for range 2 {
		if _, err := w.SendDue(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	pub.see("2 sent · 0 failed · 0 bounced · 0 skipped of 2")
	if got := pub.attr(`#newsletter [role=progressbar]`, "aria-valuenow"); got != "2" {
		t.Errorf("aria-valuenow = %q after the send, want 2", got)
	}
	if got := pub.attr(`#newsletter [data-send]`, "hx-get"); got != "" {
		t.Errorf("a finished send still polls %q", got)
	}
	pub.noProblems()
}

// attr reads an attribute of the first element css matches ("" when the
// attribute is absent).
func (p *person) attr(css, name string) string {
	p.b.t.Helper()
	js := fmt.Sprintf(`(document.querySelector(%q) || {getAttribute: () => null}).getAttribute(%q) || ""`, css, name)
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.b.t.Fatalf("%s: %s of %s: %v", p.name, name, css, err)
	}
	return v
}
