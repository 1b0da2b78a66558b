package delivery_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// plan sets a document's embargo or expiry (path "embargo" or "expiry").
func (k *desk) plan(c *apptest.Client, d mdoc, path string, at any) *apptest.Response {
	k.t.Helper()
	return c.Do("PUT", "/api/v1/documents/"+d.ID+"/"+path, map[string]any{"at": at}, "If-Match", ifMatch(d))
}

// wantBlocked checks a 409 problem whose one blocker has reason.
func wantBlocked(t *testing.T, r *apptest.Response, reason, mentions string) {
	t.Helper()
	r.Want(http.StatusConflict)
	var p struct {
		Blockers []struct{ DocumentID, Reason, Message string } `json:"blockers"`
	}
	r.Decode(&p)
	if len(p.Blockers) != 1 || p.Blockers[0].Reason != reason || !strings.Contains(p.Blockers[0].Message, mentions) {
		t.Errorf("blockers %+v, want one %q naming %s", p.Blockers, reason, mentions)
	}
}

// TestEmbargoHoldsBackUntilTheDatabaseClockPassesIt: publish and an early
// schedule are refused with the "embargoed" blocker; a document scheduled
// at the embargo instant stays off every public route even when the app's
// clock runs an hour ahead, and goes live on the first tick after the
// database's clock passes the embargo.
func TestEmbargoHoldsBackUntilTheDatabaseClockPassesIt(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		d := k.create(k.writer, briefing("korea-view", "Beijing Embargoed", "beijing-embargoed"))
		d = k.act(k.writer, d, "submit")
		d = k.act(k.editor, d, "approve")
		known := []docRef{{"korea-view", "beijing-embargoed"}}

		embargo := time.Now().UTC().Add(2 * time.Second).Truncate(time.Millisecond)
		stamp := embargo.Format(time.RFC3339)
		r := k.plan(k.editor, d, "embargo", embargo.Format(time.RFC3339Nano)).Want(http.StatusOK)
		after := decodeMdoc(r)
		var set struct {
			EmbargoUntil     time.Time `json:"embargo_until"`
			ApprovedRevision *int      `json:"approved_revision"`
		}
		r.Decode(&set)
		if after.State != "approved" || after.Version != d.Version+1 || after.HeadRevision != d.HeadRevision ||
			!set.EmbargoUntil.Equal(embargo) || set.ApprovedRevision == nil {
			t.Fatalf("after the embargo: %+v %+v, want approved, one version on, same revision", after, set)
		}
		d = after

		wantBlocked(t, k.publisher.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "publish"}),
			"embargoed", stamp)
		early := embargo.Add(-time.Second).Format(time.RFC3339Nano)
		wantBlocked(t, k.publisher.Do("POST", "/api/v1/documents/"+d.ID+"/transitions",
			map[string]any{"action": "schedule", "at": early}), "embargoed", stamp)
		if got := k.get(k.publisher, d); got.State != "approved" || got.Version != d.Version {
			t.Fatalf("refused publishes changed the document: %+v", got)
		}
		d = k.act(k.publisher, d, "schedule", "at", embargo.Format(time.RFC3339Nano))

		// A clock an hour ahead fires: the database says it is too early.
		env.App.Content.SetClock(func() time.Time { return embargo.Add(time.Hour) })
		n, err := env.App.Content.PublishDue(t.Context())
		if err != nil || n != 0 {
			t.Fatalf("PublishDue before the embargo: %d, %v; want 0 and no error", n, err)
		}
		if got := k.get(k.publisher, d); got.State != "scheduled" || got.Version != d.Version {
			t.Fatalf("before the embargo: %+v, want still scheduled", got)
		}
		assertOnlyLive(t, k.anon, "embargoed, clock ahead", known, nil)
		assertPayloadsNameLive(t, env, "embargoed, clock ahead")

		time.Sleep(time.Until(embargo) + 10*time.Millisecond)
		env.App.Content.SetClock(func() time.Time { return time.Now().UTC() })
		if n, err := env.App.Content.PublishDue(t.Context()); err != nil || n != 1 {
			t.Fatalf("PublishDue after the embargo: %d, %v; want 1", n, err)
		}
		assertOnlyLive(t, k.anon, "after the embargo", known, []liveDoc{{id: d.ID, series: "korea-view",
			slug: "beijing-embargoed", title: "Beijing Embargoed", typ: "briefing", topics: []string{"china", "diplomacy"}}})
	})
}
