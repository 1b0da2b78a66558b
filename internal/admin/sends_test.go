package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

// refusingSender takes every mail but for the addresses it refuses, with
// the answer given for each.
type refusingSender map[string]*newsletter.Rejection

func (r refusingSender) Send(_ context.Context, m newsletter.Mail) error {
	if rej, ok := r[m.To]; ok {
		return rej
	}
	return nil
}

var sendBlock = regexp.MustCompile(`data-send="([A-Za-z0-9_-]+)"`)

// TestDocumentSendsPanel: a publisher mails a test to themselves and
// previews the mail, sends a live briefing to Korea View from its page, follows the progress fragment (polled while the
// send runs, not once done), pauses and resumes it, and sees the failed
// and bounced addresses with the server's answer; a writer sees no
// newsletter buttons, and a second send of the same list is refused.
func TestDocumentSendsPanel(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		n.admin.Do("PUT", "/api/v1/series/korea-view/newsletter", map[string]any{"enabled": true, "from_name": "Korea View",
			"from_address": "korea-view@example.org"}).Want(http.StatusOK)
		for _, email := range []string{"a@example.net", "b@example.net", "c@example.net"} {
			subscribeConfirmed(t, env, email)
		}
		d := approvedDoc(t, n, "Sends panel")
		transition(t, n.publisher, d.ID, "publish")
		page := "/admin/documents/" + d.ID

		contains(t, get(t, n.publisher, page, http.StatusOK), `id="newsletter"`, "Send now to the list of Korea View",
			"Send test to me", "Preview the mail", "Not sent to a list yet.")
		lacks(t, get(t, n.writer, page, http.StatusOK), "Send now to the list of", `id="newsletter"`)
		post(t, n.writer, page+"/sends", url.Values{"series": {"korea-view"}}, http.StatusForbidden)

		contains(t, post(t, n.publisher, page+"/test-send", nil, http.StatusOK), "Sent a test to publisher@example.org.")
		post(t, n.writer, page+"/test-send", nil, http.StatusForbidden)
		r := n.publisher.Do("GET", page+"/newsletter-preview", nil).Want(http.StatusOK)
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(string(r.Body), "Sends panel") {
			t.Fatalf("preview: CSP %q, body %.300s", csp, r.Body)
		}

		html := post(t, n.publisher, page+"/sends", url.Values{"series": {"korea-view"}}, http.StatusOK)
		contains(t, html, "Sending to the list of korea-view.", `role="progressbar"`, `aria-valuenow="0"`, "every 2s", ">Pause<")
		lacks(t, html, "Send now to the list of Korea View")
		m := sendBlock.FindStringSubmatch(html)
		if m == nil {
			t.Fatal("no send on the page")
		}
		send := m[1]
		contains(t, post(t, n.publisher, page+"/sends", url.Values{"series": {"korea-view"}}, http.StatusOK),
			"flash-error", "sent to korea-view already")

		contains(t, post(t, n.publisher, "/admin/sends/"+send+"/pause", nil, http.StatusOK), "Paused the send.", ">Resume<")
		post(t, n.publisher, "/admin/sends/"+send+"/pause", nil, http.StatusOK) // refused: shown as a flash, nothing changes
		contains(t, post(t, n.publisher, "/admin/sends/"+send+"/resume", nil, http.StatusOK), "Resumed the send.", ">Pause<")

		w := newsletter.NewSendWorker(env.DB, env.App.Newsletter, refusingSender{
			"b@example.net": {Code: 550, Text: "550 5.1.1 no such user"},
			"c@example.net": {Code: 451, Text: "451 4.7.1 try later"},
		}, newsletter.SendConfig{MaxAttempts: 1, Logger: env.App.Log})
		for range 3 {
			if _, err := w.SendDue(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		frag := get(t, n.publisher, "/admin/sends/"+send+"/progress", http.StatusOK)
		contains(t, frag, `data-status="done"`, `aria-valuenow="3"`, `aria-valuemax="3"`, "1 sent · 1 failed · 1 bounced",
			"b@example.net", "550 5.1.1 no such user", "c@example.net", "451 4.7.1 try later")
		lacks(t, frag, "hx-get", "a@example.net", "<html")
		get(t, n.writer, "/admin/sends/"+send+"/progress", http.StatusForbidden)
	})
}

// subscribeConfirmed puts a confirmed address on Korea View's list,
// straight through the store (the sign-up has its own tests).
func subscribeConfirmed(t *testing.T, env *apptest.Env, email string) {
	t.Helper()
	sr, err := env.DB.FindSeries(t.Context(), apptest.Series)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	sub := newsletter.Subscriber{ID: cms.NewID(), Email: email, SeriesID: sr.ID, Status: newsletter.Confirmed,
		CreatedAt: now, UpdatedAt: now, ConfirmedAt: &now}
	if err := env.DB.SaveSubscriber(t.Context(), sub, nil); err != nil {
		t.Fatal(err)
	}
}
