package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

// TestSubscribersPage: admins find subscribers by a part of their
// address (any case), series and status and see their consent times; a
// bad status is a 400 that lists nobody; others are refused and have no
// menu entry.
func TestSubscribersPage(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		sr, err := env.DB.FindSeries(t.Context(), apptest.Series)
		if err != nil {
			t.Fatal(err)
		}
		signed := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		confirmed, left := signed.Add(time.Hour), signed.Add(48*time.Hour)
		for _, s := range []newsletter.Subscriber{
			{Email: "ada@example.net", Status: newsletter.Confirmed, ConfirmedAt: &confirmed},
			{Email: "ada_l@example.org", Status: newsletter.Unsubscribed, ConfirmedAt: &confirmed, UnsubscribedAt: &left},
			{Email: "grace@example.net", Status: newsletter.Pending},
		} {
			s.ID, s.SeriesID, s.CreatedAt, s.UpdatedAt = cms.NewID(), sr.ID, signed, signed
			if err := env.DB.SaveSubscriber(t.Context(), s, nil); err != nil {
				t.Fatal(err)
			}
		}
		contains(t, get(t, n.admin, "/admin", http.StatusOK), `href="/admin/subscribers"`)
		lacks(t, get(t, n.publisher, "/admin", http.StatusOK), `href="/admin/subscribers"`)
		get(t, n.publisher, "/admin/subscribers", http.StatusForbidden)

		page := get(t, n.admin, "/admin/subscribers", http.StatusOK)
		contains(t, page, "3 subscribers found.", `<label for="sub-q">`, "ada@example.net", "grace@example.net")

		page = get(t, n.admin, "/admin/subscribers?q=ADA_", http.StatusOK)
		contains(t, page, "1 subscriber found.", "ada_l@example.org", "unsubscribed", "Korea View",
			`datetime="2026-03-01T10:00:00Z"`, `datetime="2026-03-03T09:00:00Z"`)
		lacks(t, page, "ada@example.net", "grace@example.net")

		page = get(t, n.admin, "/admin/subscribers?q=ada&status=confirmed&series=korea-view", http.StatusOK)
		contains(t, page, "1 subscriber found.", "ada@example.net")
		lacks(t, page, "ada_l@example.org")

		page = get(t, n.admin, "/admin/subscribers?status=gone", http.StatusBadRequest)
		contains(t, page, `aria-describedby="sub-status-error"`, "must be pending, confirmed or unsubscribed", "No subscribers match.")
	})
}

// importList posts a CSV through the subscribers page's import form.
func importList(t *testing.T, c *apptest.Client, series, basis, csv string, want int) string {
	t.Helper()
	body, header := apptest.Form(t, "list.csv", []byte(csv), map[string]string{"csrf_token": c.CSRF, "series": series, "basis": basis})
	csrf := c.CSRF
	c.CSRF = ""
	defer func() { c.CSRF = csrf }()
	r := c.Do("POST", "/admin/subscribers/import", body, header...)
	if r.Status != want {
		t.Fatalf("import: status %d, want %d: %.3000s", r.Status, want, r.Body)
	}
	return string(r.Body)
}

// TestSubscribersExportImportErase: from the subscribers page an admin
// downloads a list as CSV, imports one with a consent basis and reads
// what was added, skipped and refused, and erases an address after a
// question; the erased address is suppressed, so importing it again is
// refused. Others reach none of it.
func TestSubscribersExportImportErase(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		sr, err := env.DB.FindSeries(t.Context(), apptest.Series)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		ada := newsletter.Subscriber{ID: cms.NewID(), Email: "ada@example.net", SeriesID: sr.ID, Status: newsletter.Confirmed,
			CreatedAt: now, UpdatedAt: now, ConfirmedAt: &now, ConsentBasis: "double opt-in", ConsentAt: &now}
		if err := env.DB.SaveSubscriber(t.Context(), ada, nil); err != nil {
			t.Fatal(err)
		}

		page := get(t, n.admin, "/admin/subscribers?series="+apptest.Series, http.StatusOK)
		contains(t, page, `href="/admin/subscribers/export?series=korea-view"`, `action="/admin/subscribers/import"`,
			`enctype="multipart/form-data"`, `href="/admin/subscribers/`+ada.ID+`/erase"`, "double opt-in")

		resp := n.admin.Do("GET", "/admin/subscribers/export?series="+apptest.Series, nil).Want(http.StatusOK)
		if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); !strings.HasPrefix(ct, "text/csv") ||
			!strings.Contains(cd, "subscribers-korea-view.csv") {
			t.Fatalf("export headers %q, %q", ct, cd)
		}
		contains(t, string(resp.Body), "email,series,status,consent_basis", "ada@example.net,korea-view,confirmed,double opt-in")
		get(t, n.admin, "/admin/subscribers/export?series=nope", http.StatusNotFound)

		page = importList(t, n.admin, apptest.Series, "signed up at the book fair",
			"email\nnew@example.org\nADA@example.net\nnot-an-address\n", http.StatusOK)
		contains(t, page, "1 added · 1 skipped · 1 refused", `data-import-row="3"`, "already on the list",
			`data-import-row="4"`, "not an address", "new@example.org", "signed up at the book fair")
		page = importList(t, n.admin, apptest.Series, " ", "email\nother@example.org\n", http.StatusBadRequest)
		contains(t, page, `aria-describedby="imp-basis-error"`, "is required")
		lacks(t, page, "other@example.org")

		page = get(t, n.admin, "/admin/subscribers/"+ada.ID+"/erase", http.StatusOK)
		contains(t, page, "Erase ada@example.net?", `action="/admin/subscribers/`+ada.ID+`/erase"`, "cannot be undone")
		if got, err := env.DB.FindSubscriberByID(t.Context(), ada.ID); err != nil || got.Email != ada.Email {
			t.Fatalf("asking erased the address: %v", err)
		}
		page = post(t, n.admin, "/admin/subscribers/"+ada.ID+"/erase", nil, http.StatusOK)
		contains(t, page, "erased from every list")
		lacks(t, page, "ada@example.net")
		if ok, err := env.DB.IsSuppressed(t.Context(), ada.Email); err != nil || !ok {
			t.Fatalf("the erased address is not suppressed: %v %v", ok, err)
		}
		page = importList(t, n.admin, apptest.Series, "again", "email\nada@example.net\n", http.StatusOK)
		contains(t, page, "0 added · 0 skipped · 1 refused", "suppressed")
		get(t, n.admin, "/admin/subscribers/"+ada.ID+"/erase", http.StatusNotFound)

		for _, c := range []*apptest.Client{n.publisher, n.writer} {
			get(t, c, "/admin/subscribers/export?series="+apptest.Series, http.StatusForbidden)
			get(t, c, "/admin/subscribers/x/erase", http.StatusForbidden)
			importList(t, c, apptest.Series, "basis", "email\nsneaky@example.org\n", http.StatusForbidden)
		}
		if _, err := env.DB.FindSubscriber(t.Context(), "sneaky@example.org", sr.ID); !cms.IsCode(err, cms.CodeNotFound) {
			t.Fatalf("a refused import added an address: %v", err)
		}
	})
}

// TestMailEventsToken: where tokens are made, an admin (who manages the
// subscribers) can make one of scope mail-events, which reports bounces
// and nothing else; a writer is not offered the scope.
func TestMailEventsToken(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		lacks(t, get(t, n.writer, "/admin/tokens", http.StatusOK), `value="mail-events"`)
		contains(t, get(t, n.admin, "/admin/tokens", http.StatusOK), `value="mail-events"`)
		page := post(t, n.admin, "/admin/tokens", url.Values{"name": {"relay"}, "scopes": {"mail-events"}}, http.StatusOK)
		contains(t, page, "shown only this once", "<td>mail-events</td>")
		m := secretRE.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no secret shown")
		}
		relay := env.Anonymous()
		relay.Bearer = m[1]
		at := time.Now().UTC().Format(time.RFC3339)
		relay.Do("POST", "/api/v1/mail-events", []map[string]string{{"email": "gone@example.org", "type": "hard_bounce", "at": at}}).
			Want(http.StatusOK)
		if ok, err := env.DB.IsSuppressed(t.Context(), "gone@example.org"); err != nil || !ok {
			t.Fatalf("the bounce was not kept: %v %v", ok, err)
		}
		relay.Do("GET", "/api/v1/documents", nil).Want(http.StatusForbidden)
	})
}
