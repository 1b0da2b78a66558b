package management_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// syncBuffer is a log destination that requests may write while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

// TestLoginAlertPerAccount: a hundred failed sign-ins for one account in a
// day, from addresses each under their own limits, raise one alert — a
// warning in the log and an audit event — and lock nothing; the next day
// may raise the next.
func TestLoginAlertPerAccount(t *testing.T) {
	t.Parallel()
	const email, password, alert = "target@example.org", "target-password-1", "many failed sign-ins for one account"
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clk := newFakeClock()
		logs := &syncBuffer{}
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
			o.Auth.Now = clk.Now
			o.TrustProxy = true
			o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
		}})
		u, err := env.App.Auth.CreateUser(context.Background(), cms.System, auth.NewUser{Email: email, Name: "Target", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		addresses := 0
		login := func(addr, pw string) *apptest.Response {
			return env.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": pw},
				"X-Forwarded-For", addr)
		}
		// fail makes n failed sign-ins, five from each new address.
		fail := func(n int) {
			t.Helper()
			for i := range n {
				if i%5 == 0 {
					addresses++
				}
				wantProblem(t, login("203.0.113."+strconv.Itoa(addresses), "wrong-password-0"), http.StatusUnauthorized, "unauthenticated")
			}
		}
		alerts := func() [][]string {
			return rows(t, env.DB, "SELECT actor_id, object_type, object_id, detail FROM audit_events WHERE action = $1", "user.login_alert")
		}

		fail(99)
		if n := len(alerts()); n != 0 || logs.count(alert) != 0 {
			t.Fatalf("after 99 failures: %d alerts, %d warnings; want none", n, logs.count(alert))
		}
		fail(1)
		got := alerts()
		if len(got) != 1 || logs.count(alert) != 1 {
			t.Fatalf("after 100 failures: %v and %d warnings; want one of each", got, logs.count(alert))
		}
		if row := got[0]; row[0] != cms.System.UserID || row[1] != "user" || row[2] != u.ID || !strings.Contains(row[3], `"failures":100`) {
			t.Errorf("alert %v, want the system's, on the user, with the count", row)
		}
		fail(30)
		if n := len(alerts()); n != 1 || logs.count(alert) != 1 {
			t.Errorf("after 130 failures: %d alerts, %d warnings; want still one", n, logs.count(alert))
		}
		login("198.51.100.9", password).Want(http.StatusOK) // the account is not locked

		clk.Advance(24 * time.Hour)
		fail(100)
		if n := len(alerts()); n != 2 || logs.count(alert) != 2 {
			t.Errorf("a day later, after 100 more: %d alerts, %d warnings; want two", n, logs.count(alert))
		}
	})
}

// TestLoginOverlongEmail: an email longer than any account's gets the
// answer of a wrong one, not a database error from the throttle's key.
func TestLoginOverlongEmail(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		var b strings.Builder
		for i := range 3000 {
			b.WriteString(strconv.Itoa(i * 7919)) // varied, so that it does not compress
		}
		long := b.String() + "@example.org"
		wantProblem(t, loginReq(env, long, "wrong-password-0"), http.StatusUnauthorized, "unauthenticated")
		env.Admin() // and nothing else is locked
	})
}
