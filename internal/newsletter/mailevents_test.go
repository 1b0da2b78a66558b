package newsletter_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// token mints an API token of the given scopes for c and returns a
// client that sends it.
func token(t *testing.T, d *editionDesk, c *apptest.Client, scopes ...string) *apptest.Client {
	t.Helper()
	var out struct{ Token string }
	c.Do("POST", "/api/v1/tokens", map[string]any{"name": "relay", "scopes": scopes}).Want(http.StatusCreated).Decode(&out)
	bot := d.Env.Anonymous()
	bot.Bearer = out.Token
	return bot
}

func suppressed(t *testing.T, db *store.DB, email string) bool {
	t.Helper()
	ok, err := db.IsSuppressed(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestMailEventsNeedTheScope: no token, a bad one, a session, a token
// without the scope, or one whose owner may not manage subscribers change
// nothing; bad input is refused whole.
func TestMailEventsNeedTheScope(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		hard := `[{"email":"x@example.org","type":"hard_bounce","at":"2026-12-04T10:00:00Z"}]`
		bad := d.Env.Anonymous()
		bad.Bearer = "mh_not-a-token"
		relay := token(t, d, d.Admin, "mail-events")
		for _, tc := range []struct {
			name string
			c    *apptest.Client
			body string
			want int
		}{
			{"no token", d.Env.Anonymous(), hard, http.StatusUnauthorized},
			{"bad token", bad, hard, http.StatusUnauthorized},
			{"admin session", d.Admin, hard, http.StatusUnauthorized},
			{"write token", token(t, d, d.Admin, "write"), hard, http.StatusForbidden},
			{"publisher's relay token", token(t, d, d.Publisher, "mail-events"), hard, http.StatusForbidden},
			{"empty", relay, `[]`, http.StatusBadRequest},
			{"not an array", relay, `{"email":"x@example.org"}`, http.StatusBadRequest},
			{"one bad type of two", relay, `[{"email":"x@example.org","type":"hard_bounce","at":"2026-12-04T10:00:00Z"},
				{"email":"y@example.org","type":"opened","at":"2026-12-04T10:00:00Z"}]`, http.StatusBadRequest},
			{"bad address", relay, `[{"email":"not an address","type":"complaint","at":"2026-12-04T10:00:00Z"}]`, http.StatusBadRequest},
			{"bad time", relay, `[{"email":"x@example.org","type":"complaint","at":"yesterday"}]`, http.StatusBadRequest},
			{"too many", relay, "[" + strings.Repeat(`{"email":"x@example.org","type":"complaint","at":"2026-12-04T10:00:00Z"},`, newsletter.MaxMailEvents) +
				`{"email":"x@example.org","type":"complaint","at":"2026-12-04T10:00:00Z"}]`, http.StatusBadRequest},
		} {
			tc.c.For(t).Do("POST", "/api/v1/mail-events", tc.body).Want(tc.want)
			if suppressed(t, db, "x@example.org") {
				t.Fatalf("%s: suppressed the address", tc.name)
			}
		}
		// A write token cannot mint a relay token: write does not grant it.
		token(t, d, d.Admin, "write").Do("POST", "/api/v1/tokens", map[string]any{"name": "x", "scopes": []string{"mail-events"}}).
			Want(http.StatusForbidden)
		// A relay token reaches nothing else.
		if body := string(relay.Do("GET", "/api/v1/subscribers", nil).Want(http.StatusForbidden).Body); !strings.Contains(body, "mail-events") {
			t.Fatalf("refusal does not name the scope: %s", body)
		}
		relay.Do("POST", "/api/v1/series", map[string]any{"slug": "x", "name": "X", "kind": "blog"}).Want(http.StatusForbidden)
	})
}

// TestHardBounceThenPublishSkips: a hard bounce and a complaint suppress
// their addresses on every list, a soft bounce does not; the next edition
// skips the suppressed ones, and the audit keeps hashes, not addresses.
func TestHardBounceThenPublishSkips(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		for _, e := range []string{"hard@example.org", "soft@example.org", "angry@example.org", "fine@example.org"} {
			d.subscribe(t, apptest.Series, e, newsletter.Confirmed)
		}
		d.subscribe(t, apptest.ParentSeries, "hard@example.org", newsletter.Confirmed)
		relay := token(t, d, d.Admin, "mail-events")
		var got struct{ Received, Suppressed int }
		relay.Do("POST", "/api/v1/mail-events", `[{"email":"Hard@Example.org","type":"hard_bounce","at":"2026-12-04T10:00:00Z"},
			{"email":"soft@example.org","type":"soft_bounce","at":"2026-12-04T10:01:00+09:00"},
			{"email":"angry@example.org","type":"complaint","at":"2026-12-04T10:02:00Z"}]`).Want(http.StatusOK).Decode(&got)
		if got.Received != 3 || got.Suppressed != 2 {
			t.Fatalf("report = %+v", got)
		}
		if !suppressed(t, db, "hard@example.org") || !suppressed(t, db, "angry@example.org") || suppressed(t, db, "soft@example.org") {
			t.Fatal("suppression does not follow the event types")
		}
		events, err := db.FindAudit(t.Context(), 50)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, ev := range events {
			if strings.HasPrefix(ev.Action, "mail.") {
				kinds[ev.Action]++
				if strings.Contains(fmt.Sprint(ev), "@") {
					t.Fatalf("audit keeps an address: %+v", ev)
				}
			}
			if ev.Action == "mail.hard_bounce" && ev.ObjectID != newsletter.AddressHash("hard@example.org") {
				t.Fatalf("hard bounce audited as %+v", ev)
			}
		}
		if kinds["mail.hard_bounce"] != 1 || kinds["mail.soft_bounce"] != 1 || kinds["mail.complaint"] != 1 {
			t.Fatalf("audited %v", kinds)
		}
		id := d.approved(t, "after-bounce")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		if n := sendDue(t, d.worker()); n != 2 {
			t.Fatalf("sent %d, want 2", n)
		}
		if r := recipientsOf(d.box); r["fine@example.org"] != 1 || r["soft@example.org"] != 1 || len(r) != 2 {
			t.Fatalf("mailbox got %v", r)
		}
	})
}
