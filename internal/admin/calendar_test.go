package admin_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestEmbargoBannersAndTheCalendarPage: an embargoed document says so in
// the editor, on the dashboard, in the preview page and through a preview
// link; the calendar page lists its embargo end and schedule by day, for
// those who may see it only; a bad range is a 400 page with the reason.
func TestEmbargoBannersAndTheCalendarPage(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		outsider := env.CreateUser("outsider@example.org", "author:the-peninsula")
		d := create(t, n.writer, "Embargoed Launch")
		transition(t, n.writer, d.ID, "submit")
		d = transition(t, n.editor, d.ID, "approve")
		embargo := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
		var e doc
		n.editor.Do("PUT", "/api/v1/documents/"+d.ID+"/embargo", map[string]any{"at": embargo.Format(time.RFC3339)},
			"If-Match", `"`+itoa(d.Version)+`"`).Want(http.StatusOK).Decode(&e)
		transition(t, n.publisher, d.ID, "schedule", "at", embargo.Add(time.Hour).Format(time.RFC3339))

		banner := "Embargoed until <time datetime=\"" + embargo.Format(time.RFC3339) + "\""
		contains(t, get(t, n.editor, "/admin/documents/"+d.ID, http.StatusOK), banner)
		contains(t, get(t, n.editor, "/admin/documents/"+d.ID+"/preview", http.StatusOK), banner)
		contains(t, get(t, n.publisher, "/admin", http.StatusOK), "Embargoed Launch", `Embargoed until <time datetime="`+embargo.Format(time.RFC3339)+`"`, `href="/admin/calendar"`)

		var link struct{ URL string }
		n.editor.Do("POST", "/api/v1/documents/"+d.ID+"/preview-links", map[string]any{}).Want(http.StatusCreated).Decode(&link)
		u, err := url.Parse(link.URL)
		if err != nil {
			t.Fatal(err)
		}
		var preview struct {
			EmbargoedUntil *time.Time `json:"embargoed_until"`
		}
		env.Anonymous().Do("GET", u.Path, nil).Want(http.StatusOK).Decode(&preview)
		if preview.EmbargoedUntil == nil || !preview.EmbargoedUntil.Equal(embargo) {
			t.Errorf("preview link: embargoed_until %v, want %v", preview.EmbargoedUntil, embargo)
		}

		q := "/admin/calendar?from=" + embargo.Format(time.DateOnly) + "&to=" + embargo.AddDate(0, 0, 1).Format(time.DateOnly)
		page := get(t, n.publisher, q, http.StatusOK)
		contains(t, page, "Embargo ends", "Goes live (scheduled)", `href="/admin/documents/`+d.ID+`"`, embargo.Format(time.DateOnly))
		if strings.Count(page, "Embargoed Launch") != 2 {
			t.Errorf("the calendar names the document %d times, want 2 (embargo end, schedule)", strings.Count(page, "Embargoed Launch"))
		}
		lacks(t, get(t, outsider, q, http.StatusOK), "Embargoed Launch")
		contains(t, get(t, n.publisher, "/admin/calendar?from=2026-01-01&to=2028-01-01", http.StatusBadRequest),
			"flash-error", "at most 366 days")
		contains(t, get(t, n.publisher, "/admin/calendar?from=soon", http.StatusBadRequest), "flash-error")
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestEmbargoAndExpiryFormsInTheEditor: editors set and lift an embargo
// from the editor page, publishers set an expiry on a live document; a
// missing time or a stale page changes nothing and says why.
func TestEmbargoAndExpiryFormsInTheEditor(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer, "Planned From the Editor")
		transition(t, n.writer, d.ID, "submit")
		d = transition(t, n.editor, d.ID, "approve")
		path := "/admin/documents/" + d.ID
		page := get(t, n.editor, path, http.StatusOK)
		contains(t, page, `action="`+path+`/embargo"`, "Set the embargo")
		lacks(t, page, `action="`+path+`/expiry"`)
		lacks(t, get(t, n.writer, path, http.StatusOK), `action="`+path+`/embargo"`)

		at := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
		local := at.Format("2006-01-02T15:04")
		page = post(t, n.editor, path+"/embargo", url.Values{"at": {""}, "tz": {"UTC"}, "version": {itoa(d.Version)}}, http.StatusOK)
		contains(t, page, "flash-error", "Choose a date and time.")
		page = post(t, n.editor, path+"/embargo", url.Values{"at": {local}, "tz": {"UTC"}, "version": {itoa(d.Version - 1)}}, http.StatusOK)
		contains(t, page, "flash-error")
		var got struct {
			Version      int        `json:"version"`
			EmbargoUntil *time.Time `json:"embargo_until"`
		}
		n.editor.Do("GET", "/api/v1/documents/"+d.ID, nil).Want(http.StatusOK).Decode(&got)
		if got.Version != d.Version || got.EmbargoUntil != nil {
			t.Fatalf("refused forms changed the document: %+v", got)
		}

		page = post(t, n.editor, path+"/embargo", url.Values{"at": {local}, "tz": {"UTC"}, "version": {itoa(d.Version)}}, http.StatusOK)
		contains(t, page, "flash-ok", "Embargoed until "+at.Format("2 Jan 2006, 15:04 UTC"), "Lift the embargo")
		n.editor.Do("GET", "/api/v1/documents/"+d.ID, nil).Want(http.StatusOK).Decode(&got)
		if got.EmbargoUntil == nil || !got.EmbargoUntil.Equal(at) {
			t.Fatalf("embargo %v, want %v", got.EmbargoUntil, at)
		}
		page = post(t, n.editor, path+"/embargo", url.Values{"clear": {"1"}, "version": {itoa(got.Version)}}, http.StatusOK)
		contains(t, page, "The embargo is lifted.")

		live := transition(t, n.publisher, d.ID, "publish")
		page = get(t, n.publisher, path, http.StatusOK)
		contains(t, page, `action="`+path+`/expiry"`)
		lacks(t, page, `action="`+path+`/embargo"`)
		page = post(t, n.publisher, path+"/expiry", url.Values{"at": {local}, "tz": {"UTC"}, "version": {itoa(live.Version)}}, http.StatusOK)
		contains(t, page, "Expires at "+at.Format("2 Jan 2006, 15:04 UTC"))
	})
}
