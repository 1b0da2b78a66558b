package newsletter_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// Issue 11, item 2: the sign-up form is no mail cannon. These tests run
// on SQLite and PostgreSQL.

const signUpPath = "/delivery/v1/subscribers"

// createSeries adds a series of the given kind as the admin.
func createSeries(env *apptest.Env, slug, kind string) {
	env.T.Helper()
	env.Admin().Do("POST", "/api/v1/series", map[string]any{"slug": slug, "name": slug, "kind": kind}).Want(http.StatusCreated)
}

// signUp posts a sign-up, with extra headers in pairs.
func signUp(c *apptest.Client, email, series string, headers ...string) *apptest.Response {
	return c.Do("POST", signUpPath, map[string]any{"email": email, "series": series}, headers...)
}

// stored counts the subscriber rows and the mail in the outbox: what a
// refused sign-up must not have added.
func stored(t *testing.T, db *store.DB) (subscribers, mails int) {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	for q, n := range map[string]*int{"SELECT COUNT(*) FROM subscribers": &subscribers, "SELECT COUNT(*) FROM mail_outbox": &mails} {
		if err := sqlDB.QueryRowContext(context.Background(), q).Scan(n); err != nil {
			t.Fatal(err)
		}
	}
	return subscribers, mails
}

func wantStored(t *testing.T, db *store.DB, subscribers, mails int) {
	t.Helper()
	if s, m := stored(t, db); s != subscribers || m != mails {
		t.Errorf("stored %d subscribers and %d mails, want %d and %d", s, m, subscribers, mails)
	}
}

// problem is the part of a problem response these tests look at.
type problem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Errors []struct {
		Field string `json:"field"`
	} `json:"errors"`
}

// wantThrottled checks a 429: the problem, and a Retry-After in seconds
// within the window.
func wantThrottled(t *testing.T, r *apptest.Response, window time.Duration, detail string) {
	t.Helper()
	r.Want(http.StatusTooManyRequests)
	var p problem
	r.Decode(&p)
	if p.Code != "too_many_requests" || !strings.Contains(p.Detail, detail) {
		t.Errorf("throttled sign-up: %s, want code too_many_requests and %q", r.Body, detail)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("throttled sign-up: Content-Type %q", ct)
	}
	wait, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || wait < 1 || wait > int(window.Seconds()) {
		t.Errorf("Retry-After %q, want 1 to %d seconds", r.Header.Get("Retry-After"), int(window.Seconds()))
	}
	if !strings.Contains(p.Detail, "try again in "+strconv.Itoa(wait)+" seconds") {
		t.Errorf("the detail %q does not say the Retry-After of %d seconds", p.Detail, wait)
	}
}

// wantRefused checks a 400 naming the field.
func wantRefused(t *testing.T, r *apptest.Response, field, what string) {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Errorf("%s: status %d, want 400; body %s", what, r.Status, r.Body)
		return
	}
	var p problem
	r.Decode(&p)
	if p.Code != "invalid" || len(p.Errors) != 1 || p.Errors[0].Field != field {
		t.Errorf("%s: %s, want an invalid problem naming %s", what, r.Body, field)
	}
}

// TestSignupThrottlePerClient: with the default limits, five sign-ups
// from one client within ten minutes are taken, each for a different
// address, and the sixth is 429 with Retry-After, storing and mailing
// nothing. A pending address signing up again counts too, as the answer
// must not tell it apart from a new one.
func TestSignupThrottlePerClient(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		createSeries(env, "korea-view", "newsletter")
		anon := env.Anonymous()
		for i := range 5 {
			signUp(anon, fmt.Sprintf("reader%d@example.org", i), "korea-view").Want(http.StatusAccepted)
		}
		wantStored(t, env.DB, 5, 5)
		wantThrottled(t, signUp(anon, "reader5@example.org", "korea-view"), 10*time.Minute, "too many sign-ups from your address")
		wantThrottled(t, signUp(anon, "reader0@example.org", "korea-view"), 10*time.Minute, "from your address")
		wantStored(t, env.DB, 5, 5)
		if n, err := env.App.Mailer.SendDue(t.Context()); err != nil || n != 5 {
			t.Errorf("sent %d mails, %v; want the five confirmations", n, err)
		}
		// The limits hold whoever asks: a signed-in user's sign-up is a
		// sign-up from the same address.
		wantThrottled(t, signUp(env.Admin(), "reader6@example.org", "korea-view"), 10*time.Minute, "from your address")
		wantStored(t, env.DB, 5, 5)
	})
}

// TestSignupThrottleTotal: behind a trusted proxy, clients are told apart
// by X-Forwarded-For, as the login throttle tells them; IPv6 clients by
// their /64; and once everyone together has made the total, the next
// client's first sign-up is 429 too. A client refused by its own limit
// does not use up everyone's.
func TestSignupThrottleTotal(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
			o.TrustProxy = true
			o.SignupsTotal = newsletter.Limit{N: 10, Per: time.Hour}
		}})
		createSeries(env, "korea-view", "newsletter")
		anon := env.Anonymous()
		n := 0
		from := func(client string) *apptest.Response {
			n++
			return signUp(anon, fmt.Sprintf("reader%d@example.org", n), "korea-view", "X-Forwarded-For", client)
		}
		for range 5 {
			from("203.0.113.1").Want(http.StatusAccepted)
		}
		wantThrottled(t, from("203.0.113.1"), 10*time.Minute, "from your address")
		wantThrottled(t, from("203.0.113.1"), 10*time.Minute, "from your address")
		for _, client := range []string{"2001:db8:1:2::1", "2001:db8:1:2::1", "2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:2::abcd"} {
			from(client).Want(http.StatusAccepted) // ten in all now
		}
		wantThrottled(t, from("2001:db8:1:2:1:2:3:4"), 10*time.Minute, "from your address") // the same /64
		wantStored(t, env.DB, 10, 10)
		wantThrottled(t, from("198.51.100.9"), time.Hour, "too many sign-ups at the moment")
		wantThrottled(t, from("2001:db8:1:3::1"), time.Hour, "at the moment")
		wantStored(t, env.DB, 10, 10)
	})
}

// TestSignupRefusesAddresses: an address at an IP address, at localhost
// or at anything but a valid host name is 400 naming the email; nothing
// is stored, mailed or counted (five good sign-ups pass after them all).
func TestSignupRefusesAddresses(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		createSeries(env, "korea-view", "newsletter")
		anon := env.Anonymous()
		const ip, local, host, address = "not at an IP address", "not at localhost", "a valid domain name", "a valid email address"
		for _, tc := range []struct{ email, why string }{
			{"user@[1.2.3.4]", ip},
			{"user@[IPv6:2001:db8::1]", address},
			{"user@127.0.0.1", ip},
			{"user@10.0.0.1", ip},
			{"user@１２７.０.０.１", ip}, // full-width digits are 127.0.0.1 to DNS
			{"user@localhost", local},
			{"user@LocalHost", local},
			{"user@mail.localhost", local},
			{"user@foo", host},
			{"user@2130706433", host},
			{"user@1.2.3.999", host},
			{"user@example.123", host},
			{"user@-example.org", host},
			{"user@example-.org", host},
			{"user@exa_mple.org", host},
			{"user@" + strings.Repeat("a", 64) + ".org", host},
			{"user@" + strings.Repeat("abcdefghi.", 25) + "org", address}, // over 254 characters
			{"user@example..org", address},
			{"user@.example.org", address},
			{"user@example.org.", address},
			{"user@", address},
		} {
			r := signUp(anon, tc.email, "korea-view")
			wantRefused(t, r, "email", tc.email)
			if !strings.Contains(string(r.Body), tc.why) {
				t.Errorf("%s: %s, want it to say %q", tc.email, r.Body, tc.why)
			}
		}
		wantStored(t, env.DB, 0, 0)
		for _, good := range []string{"reader@example.org", "reader@mail.example.co.uk", "reader@xn--bcher-kva.example",
			"reader@bücher.example", "reader@1password.com"} {
			signUp(anon, good, "korea-view").Want(http.StatusAccepted)
		}
		wantStored(t, env.DB, 5, 5)
	})
}

// TestSignupOnlyToNewsletters: a blog or a report has no mailing list; a
// sign-up to one is 400 naming the series, and stores, mails and counts
// nothing.
func TestSignupOnlyToNewsletters(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		createSeries(env, "the-peninsula", "blog")
		createSeries(env, "annual-report", "report")
		createSeries(env, "korea-view", "newsletter")
		anon := env.Anonymous()
		for range 3 {
			for _, series := range []string{"the-peninsula", "annual-report"} {
				r := signUp(anon, "reader@example.org", series)
				wantRefused(t, r, "series", series)
				if !strings.Contains(string(r.Body), "only newsletter series take subscribers") {
					t.Errorf("sign-up to %s: %s", series, r.Body)
				}
			}
		}
		wantStored(t, env.DB, 0, 0)
		for i := range 5 {
			signUp(anon, fmt.Sprintf("reader%d@example.org", i), "korea-view").Want(http.StatusAccepted)
		}
		wantStored(t, env.DB, 5, 5)
	})
}

// TestSignupThrottleAcrossInstances: two apps on one database share the
// counts, so a client cannot get past its limit by being balanced over
// instances.
func TestSignupThrottleAcrossInstances(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			var opts store.Options
			if b.Name == store.Postgres {
				opts.URL, _ = storetest.PostgresURL(t)
			} else {
				opts.DataDir = t.TempDir()
			}
			envA := apptest.New(t, openStore(t, opts))
			envB := apptest.New(t, openStore(t, opts))
			createSeries(envA, "korea-view", "newsletter")
			onA, onB := envA.Anonymous(), envB.Anonymous()
			for i, c := range []*apptest.Client{onA, onB, onA, onB, onB} {
				signUp(c, fmt.Sprintf("reader%d@example.org", i), "korea-view").Want(http.StatusAccepted)
			}
			wantThrottled(t, signUp(onA, "reader5@example.org", "korea-view"), 10*time.Minute, "from your address")
			wantThrottled(t, signUp(onB, "reader6@example.org", "korea-view"), 10*time.Minute, "from your address")
			wantStored(t, envA.DB, 5, 5)
		})
	}
}

// openStore opens a handle on a database that another may share.
func openStore(t *testing.T, opts store.Options) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
