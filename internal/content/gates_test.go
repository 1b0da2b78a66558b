package content_test

import (
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// TestBlockedAtItsTimeLoggedOnceAcrossInstances: two instances ticking
// together on a document that fails a gate at its time leave it scheduled
// with its reason and write one audit event between them, however many
// ticks; unscheduled, it shows no stale reasons; fixed and scheduled
// again, it is published once.
func TestBlockedAtItsTimeLoggedOnceAcrossInstances(t *testing.T) {
	runScheduler(t, func(t *testing.T, f *schedFixture) {
		t0 := f.clock.Now()
		d := f.scheduled(t, "Waiting for an editor credit", t0.Add(time.Second))
		editor := "editor"
		if _, err := f.a.svc.UpdateSeries(f.ctx, cms.System, "korea-view", content.SeriesInput{RequiresCredit: &editor}); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(t0.Add(time.Second))
		for range 3 {
			if a, b := f.raceBoth(t); a+b != 0 {
				t.Fatalf("published %d+%d despite the gate", a, b)
			}
		}
		got, err := f.b.db.FindDocument(f.ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != workflow.Scheduled || len(got.PublishBlockers) != 1 || got.PublishBlockers[0].Reason != "credit_required" {
			t.Fatalf("state %s blockers %+v, want scheduled with credit_required", got.State, got.PublishBlockers)
		}
		if got.Version != d.Version {
			t.Errorf("version %d → %d: storing the reasons must not make edits stale", d.Version, got.Version)
		}
		if n := blockedEvents(t, f, d.ID); n != 1 {
			t.Errorf("%d publish_blocked audit events over three ticks of two instances, want 1", n)
		}

		// Taken back, it shows no stale reasons; scheduled again, it is
		// checked afresh at its new time.
		d, err = f.a.svc.Transition(f.ctx, f.publisher, d.ID, content.TransitionRequest{Action: "unschedule"}, nil)
		if err != nil || len(d.PublishBlockers) != 0 {
			t.Fatalf("unschedule: %v, blockers %+v", err, d.PublishBlockers)
		}
		if got, _ := f.b.db.FindDocument(f.ctx, d.ID); len(got.PublishBlockers) != 0 {
			t.Errorf("unscheduled with blockers %+v still stored", got.PublishBlockers)
		}
		next := t0.Add(2 * time.Second)
		again := content.TransitionRequest{Action: "schedule", At: &cms.Time{Time: next}}
		if _, err := f.a.svc.Transition(f.ctx, f.publisher, d.ID, again, nil); !cms.IsCode(err, cms.CodeConflict) {
			t.Fatalf("schedule despite the gate: %v, want a conflict", err)
		}

		none := ""
		if _, err := f.a.svc.UpdateSeries(f.ctx, cms.System, "korea-view", content.SeriesInput{RequiresCredit: &none}); err != nil {
			t.Fatal(err)
		}
		if d, err = f.a.svc.Transition(f.ctx, f.publisher, d.ID, again, nil); err != nil {
			t.Fatalf("schedule after the fix: %v", err)
		}
		f.clock.Set(next)
		if a, b := f.raceBoth(t); a+b != 1 {
			t.Errorf("published %d+%d times after the fix, want once", a, b)
		}
		f.wantPublishedOnce(t, d)
		if got, _ := f.b.db.FindDocument(f.ctx, d.ID); len(got.PublishBlockers) != 0 {
			t.Errorf("published with blockers %+v still shown", got.PublishBlockers)
		}
	})
}

func blockedEvents(t *testing.T, f *schedFixture, id string) int {
	t.Helper()
	events, err := f.b.db.FindAudit(f.ctx, 500)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Action == "document.publish_blocked" && e.ObjectID == id {
			n++
		}
	}
	return n
}
