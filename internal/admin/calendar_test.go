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
