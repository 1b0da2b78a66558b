package management_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// planned is a document with its planning fields.
type planned struct {
	docFull
	EmbargoUntil *time.Time `json:"embargo_until"`
	ExpiresAt    *time.Time `json:"expires_at"`
}

func getPlanned(t *testing.T, c *apptest.Client, id string) planned {
	t.Helper()
	var p planned
	c.Do("GET", "/api/v1/documents/"+id, nil).Want(http.StatusOK).Decode(&p)
	return p
}

func putPlan(c *apptest.Client, id, what string, version int, at any) *apptest.Response {
	return c.Do("PUT", "/api/v1/documents/"+id+"/"+what, map[string]any{"at": at}, "If-Match", versionTag(version))
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// TestEmbargoIsSetByEditorsAndPublishersAndRefusesBadInput: who may set
// it, that it is no content edit, and that every bad request is a 4xx
// problem that changes nothing.
func TestEmbargoIsSetByEditorsAndPublishersAndRefusesBadInput(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := approvedBriefing(t, n, "Under embargo")
		soon := time.Now().Add(time.Hour).Truncate(time.Microsecond)

		wantProblem(t, putPlan(n.writer, d.ID, "embargo", d.Version, rfc(soon)), http.StatusForbidden, "forbidden")
		wantProblem(t, putPlan(n.assistant, d.ID, "embargo", d.Version, rfc(soon)), http.StatusForbidden, "forbidden")
		for _, bad := range []any{rfc(time.Now().Add(-time.Minute)), rfc(time.Now().AddDate(6, 0, 0)), "tomorrow", 12} {
			r := putPlan(n.editor, d.ID, "embargo", d.Version, bad)
			if r.Status != http.StatusBadRequest {
				t.Errorf("embargo %v: status %d, want 400; %s", bad, r.Status, r.Body)
			}
		}
		wantProblem(t, n.editor.Do("PUT", "/api/v1/documents/"+d.ID+"/embargo", map[string]any{"at": rfc(soon)}),
			http.StatusPreconditionRequired, "precondition_required")
		wantProblem(t, putPlan(n.editor, d.ID, "embargo", d.Version-1, rfc(soon)), http.StatusPreconditionFailed, "precondition_failed")
		if got := getPlanned(t, n.editor, d.ID); got.Version != d.Version || got.EmbargoUntil != nil {
			t.Fatalf("refused requests changed the document: %+v", got)
		}

		set := decodeFull(t, putPlan(n.editor, d.ID, "embargo", d.Version, rfc(soon)).Want(http.StatusOK))
		got := getPlanned(t, n.publisher, d.ID)
		if got.State != "approved" || got.HeadRevision != d.HeadRevision || got.ApprovedRevision == nil ||
			got.EmbargoUntil == nil || !got.EmbargoUntil.Equal(soon.UTC()) || got.Version != d.Version+1 {
			t.Fatalf("after the embargo: %+v, want approved, same revision, embargoed", got)
		}
		p := wantProblem(t, transition(n.publisher, set.doc, "publish"), http.StatusConflict, "conflict")
		if len(p.Blockers) != 1 || p.Blockers[0].Reason != "embargoed" {
			t.Errorf("publish under embargo: blockers %+v", p.Blockers)
		}

		// The publisher lifts it; then it publishes, and a live document
		// cannot be embargoed again.
		lifted := decodeFull(t, putPlan(n.publisher, d.ID, "embargo", set.Version, nil).Want(http.StatusOK))
		live := decodeFull(t, transition(n.publisher, lifted.doc, "publish").Want(http.StatusOK))
		wantProblem(t, putPlan(n.editor, d.ID, "embargo", live.Version, rfc(soon)), http.StatusConflict, "conflict")

		var events struct {
			Data []struct{ Action, ActorID string } `json:"data"`
		}
		n.editor.Do("GET", "/api/v1/documents/"+d.ID+"/events", nil).Want(http.StatusOK).Decode(&events)
		embargoes := 0
		for _, e := range events.Data {
			if e.Action == "embargo" {
				embargoes++
			}
		}
		if embargoes != 2 {
			t.Errorf("events %+v, want two embargo events (set, lifted)", events.Data)
		}
		audit, err := env.DB.FindAudit(t.Context(), 20)
		if err != nil {
			t.Fatal(err)
		}
		audited := 0
		for _, a := range audit {
			if a.Action == "document.embargo" && a.ObjectID == d.ID {
				audited++
			}
		}
		if audited != 2 {
			t.Errorf("%d document.embargo audit events, want 2", audited)
		}
	})
}

// TestEmbargoAfterTheScheduleIsRefused: a scheduled document keeps its
// schedule only with an embargo that ends by then.
func TestEmbargoAfterTheScheduleIsRefused(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := approvedBriefing(t, n, "Scheduled first")
		at := time.Now().Add(time.Hour)
		s := decodeFull(t, transition(n.publisher, d.doc, "schedule", "at", rfc(at)).Want(http.StatusOK))
		p := wantProblem(t, putPlan(n.editor, d.ID, "embargo", s.Version, rfc(at.Add(time.Minute))), http.StatusConflict, "conflict")
		if len(p.Blockers) != 1 || p.Blockers[0].Reason != "embargoed" {
			t.Errorf("blockers %+v", p.Blockers)
		}
		putPlan(n.editor, d.ID, "embargo", s.Version, rfc(at)).Want(http.StatusOK)
	})
}

// TestExpiryRules: publishers only, on published or scheduled documents,
// in the future; unpublishing by hand clears it.
func TestExpiryRules(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := approvedBriefing(t, n, "Time-limited")
		later := time.Now().Add(time.Hour).Truncate(time.Microsecond)
		wantProblem(t, putPlan(n.publisher, d.ID, "expiry", d.Version, rfc(later)), http.StatusConflict, "conflict")

		live := decodeFull(t, transition(n.publisher, d.doc, "publish").Want(http.StatusOK))
		wantProblem(t, putPlan(n.editor, d.ID, "expiry", live.Version, rfc(later)), http.StatusForbidden, "forbidden")
		for _, bad := range []any{rfc(time.Now().Add(-time.Second)), rfc(time.Now().AddDate(6, 0, 0)), "2026-13-01"} {
			if r := putPlan(n.publisher, d.ID, "expiry", live.Version, bad); r.Status != http.StatusBadRequest {
				t.Errorf("expiry %v: status %d, want 400; %s", bad, r.Status, r.Body)
			}
		}
		if got := getPlanned(t, n.publisher, d.ID); got.Version != live.Version || got.ExpiresAt != nil {
			t.Fatalf("refused requests changed the document: %+v", got)
		}
		set := decodeFull(t, putPlan(n.publisher, d.ID, "expiry", live.Version, rfc(later)).Want(http.StatusOK))
		if got := getPlanned(t, n.publisher, d.ID); got.ExpiresAt == nil || !got.ExpiresAt.Equal(later.UTC()) || got.State != "published" {
			t.Fatalf("after setting the expiry: %+v", got)
		}
		transition(n.publisher, set.doc, "unpublish").Want(http.StatusOK)
		if got := getPlanned(t, n.publisher, d.ID); got.ExpiresAt != nil || got.LiveRevision != nil {
			t.Errorf("after unpublishing: %+v, want no expiry left", got)
		}
	})
}
