package management_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

type calendarJSON struct {
	Days []struct {
		Date    string `json:"date"`
		Entries []struct {
			Kind  string    `json:"kind"`
			At    time.Time `json:"at"`
			ID    string    `json:"id"`
			Title string    `json:"title"`
		} `json:"entries"`
	} `json:"days"`
}

// calendarKinds reads the calendar as c and returns "title/kind" → at.
func calendarKinds(t *testing.T, c *apptest.Client, query string) map[string]time.Time {
	t.Helper()
	var cal calendarJSON
	c.Do("GET", "/api/v1/calendar?"+query, nil).Want(http.StatusOK).Decode(&cal)
	out := map[string]time.Time{}
	for _, d := range cal.Days {
		for _, e := range d.Entries {
			if e.At.UTC().Format(time.DateOnly) != d.Date {
				t.Errorf("entry %+v listed on %s", e, d.Date)
			}
			out[e.Title+"/"+e.Kind] = e.At
		}
	}
	return out
}

// TestCalendarListsThePlannedMomentsOneMaySee: scheduled publishes,
// embargo ends and expiries, by day, only of documents the caller may
// see; bad ranges are 400.
func TestCalendarListsThePlannedMomentsOneMaySee(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		now := time.Now().UTC().Truncate(time.Second)
		embargo, schedule, expiry := now.Add(time.Hour), now.Add(2*time.Hour), now.Add(3*time.Hour)

		a := approvedBriefing(t, n, "Launch")
		a = decodeFull(t, putPlan(n.editor, a.ID, "embargo", a.Version, rfc(embargo)).Want(http.StatusOK))
		transition(n.publisher, a.doc, "schedule", "at", rfc(schedule)).Want(http.StatusOK)
		b := publishedBriefing(t, n, "Short-lived")
		putPlan(n.publisher, b.ID, "expiry", b.Version, rfc(expiry)).Want(http.StatusOK)

		// Elsewhere, a series the Korea View people hold no role on.
		n.admin.Do("POST", "/api/v1/series", map[string]any{"slug": "elsewhere", "name": "Elsewhere", "kind": "blog"}).Want(http.StatusCreated)
		other := env.CreateUser("other@example.org", "author:elsewhere")
		c := createBriefing(t, other, "Hidden plan", func(m map[string]any) { m["series"] = "elsewhere" })
		transition(other, c.doc, "submit").Want(http.StatusOK)
		c = decodeFull(t, transition(n.admin, c.doc, "approve").Want(http.StatusOK))
		transition(n.admin, c.doc, "schedule", "at", rfc(schedule)).Want(http.StatusOK)

		q := url.Values{"from": {now.Format(time.DateOnly)}, "to": {now.AddDate(0, 0, 1).Format(time.DateOnly)}}.Encode()
		want := map[string]time.Time{"Launch/embargo": embargo, "Launch/scheduled": schedule, "Short-lived/expiry": expiry}
		for name, client := range map[string]*apptest.Client{"publisher": n.publisher, "editor": n.editor, "writer (owner)": n.writer} {
			got := calendarKinds(t, client, q)
			if len(got) != len(want) {
				t.Errorf("%s sees %v, want %v", name, got, want)
			}
			for k, at := range want {
				if !got[k].Equal(at) {
					t.Errorf("%s: %s at %v, want %v", name, k, got[k], at)
				}
			}
		}
		if got := calendarKinds(t, n.admin, q); len(got) != 4 || !got["Hidden plan/scheduled"].Equal(schedule) {
			t.Errorf("admin sees %v, want the four entries", got)
		}
		// The range is [from, to): an hour's window holds only the embargo.
		hour := url.Values{"from": {rfc(embargo)}, "to": {rfc(embargo.Add(time.Hour))}}.Encode()
		if got := calendarKinds(t, n.publisher, hour); len(got) != 1 || !got["Launch/embargo"].Equal(embargo) {
			t.Errorf("one hour: %v, want the embargo only", got)
		}

		// A scheduled release is on the calendar of those who manage it.
		r := approvedBriefing(t, n, "Report")
		var rel struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
		n.publisher.Do("POST", "/api/v1/releases", map[string]any{"name": "Korea report launch", "documents": []string{r.ID}}).
			Want(http.StatusCreated).Decode(&rel)
		n.publisher.Do("POST", "/api/v1/releases/"+rel.ID+"/schedule", map[string]any{"at": rfc(schedule)}).Want(http.StatusOK)
		if got := calendarKinds(t, n.publisher, q); !got["Korea report launch/release"].Equal(schedule) || len(got) != len(want)+1 {
			t.Errorf("publisher sees %v, want the release beside %v", got, want)
		}
		if got := calendarKinds(t, n.writer, q); len(got) != len(want) {
			t.Errorf("the writer, who manages no release, sees %v", got)
		}

		for _, bad := range []url.Values{
			{"from": {"yesterday"}},
			{"to": {"2026-02-30"}},
			{"from": {"2026-05-02"}, "to": {"2026-05-01T00:00:00Z"}},
			{"from": {"2026-01-01"}, "to": {"2027-06-01"}},
		} {
			wantProblem(t, n.publisher.Do("GET", "/api/v1/calendar?"+bad.Encode(), nil), http.StatusBadRequest, "invalid")
		}
		env.Anonymous().Do("GET", "/api/v1/calendar", nil).Want(http.StatusUnauthorized)
	})
}
