package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

func TestSeriesPageSetsRequiredCredit(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		form := func(role string) url.Values {
			return url.Values{"name": {"Korea View"}, "kind": {"newsletter"}, "parent": {"the-peninsula"}, "requires_credit": {role}}
		}
		page := post(t, n.admin, "/admin/series/korea-view", form("editor"), http.StatusOK)
		contains(t, page, "Saved the series Korea View.")
		page = get(t, n.admin, "/admin/series/korea-view", http.StatusOK)
		contains(t, page, `name="requires_credit"`, `value="editor"`)
		page = get(t, n.admin, "/admin/series", http.StatusOK)
		contains(t, page, "Credit required", "<td>editor</td>")

		post(t, n.admin, "/admin/series/korea-view", form("Chief Editor!"), http.StatusOK) // refused with a message
		var sr struct {
			RequiresCredit string `json:"requires_credit"`
		}
		n.admin.Do("GET", "/api/v1/series/korea-view", nil).Want(http.StatusOK).Decode(&sr)
		if sr.RequiresCredit != "editor" {
			t.Errorf("after a refused change requires_credit = %q, want editor", sr.RequiresCredit)
		}
	})
}

func TestBlockedScheduleShownOnDashboardAndEditor(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer, "Waiting for its editor")
		transition(t, n.writer, d.ID, "submit")
		transition(t, n.editor, d.ID, "approve")
		at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		transition(t, n.publisher, d.ID, "schedule", "at", at.Format(time.RFC3339))
		// The series starts to require an editor credit after the schedule.
		n.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"requires_credit": "editor"}).Want(http.StatusOK)

		page := get(t, n.publisher, "/admin/documents/"+d.ID, http.StatusOK)
		lacks(t, page, "Not published at its time")
		env.App.Content.SetClock(func() time.Time { return at.Add(time.Second) })
		if got, err := env.App.Content.PublishDue(context.Background()); err != nil || got != 0 {
			t.Fatalf("PublishDue = %d, %v; want 0 published", got, err)
		}
		for _, path := range []string{"/admin", "/admin/documents/" + d.ID} {
			page := get(t, n.publisher, path, http.StatusOK)
			contains(t, page, "Not published at its time", `data-reason="credit_required"`, "Korea View requires a credit as editor")
		}
	})
}

func TestPublishRefusedByGatesInUI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		n.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"requires_credit": "editor"}).Want(http.StatusOK)
		d := create(t, n.writer, "Uncredited")
		transition(t, n.writer, d.ID, "submit")
		d = transition(t, n.editor, d.ID, "approve")
		page := post(t, n.publisher, "/admin/documents/"+d.ID+"/transitions",
			url.Values{"action": {"publish"}, "version": {strconv.Itoa(d.Version)}}, http.StatusOK)
		contains(t, page, "Korea View requires a credit as editor")
		var after struct{ State string }
		n.publisher.Do("GET", "/api/v1/documents/"+d.ID, nil).Want(http.StatusOK).Decode(&after)
		if after.State != "approved" {
			t.Errorf("state %s after a refused publish, want approved", after.State)
		}
	})
}
