package management_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
)

// blockedDoc is what the document API says of a scheduled document the
// clock could not publish.
type blockedDoc struct {
	State           string        `json:"state"`
	PublishBlockers []cms.Blocker `json:"publish_blockers"`
}

// audits counts the audit events of one action on one object, such as
// the clock's "document.publish_blocked" on a document.
func audits(t *testing.T, env *apptest.Env, action, objectID string) int {
	t.Helper()
	events, err := env.DB.FindAudit(context.Background(), 500)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Action == action && e.ObjectID == objectID {
			n++
		}
	}
	return n
}

func TestClockLeavesBlockedDocumentScheduled(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		g := setupGates(t, env)
		svc := env.App.Content
		hero := uploadImage(t, g.editor, "A map of the peninsula", "CC-BY-2.0")
		at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		schedule := func(d docFull) {
			moveDoc(t, g.publisher, d.ID, "schedule", "at", at.Format(time.RFC3339))
		}
		blocked := g.ready(t, "Blocked at its time", func(b map[string]any) { b["hero"] = hero })
		schedule(blocked)
		other := g.ready(t, "Due at the same time")
		schedule(other)
		// After scheduling, the hero loses its licence: the gate is
		// checked again at the clock's time.
		g.editor.Do("PATCH", "/api/v1/media/"+hero, map[string]any{"licence": ""}).Want(http.StatusOK)

		svc.SetClock(func() time.Time { return at.Add(time.Second) })
		tick := func(want int) {
			t.Helper()
			n, err := svc.PublishDue(ctx)
			if err != nil || n != want {
				t.Fatalf("PublishDue = %d, %v; want %d published", n, err, want)
			}
		}
		wantBlocked := func(reasons ...string) {
			t.Helper()
			var d blockedDoc
			g.publisher.Do("GET", "/api/v1/documents/"+blocked.ID, nil).Want(http.StatusOK).Decode(&d)
			got := []string{}
			for _, b := range d.PublishBlockers {
				got = append(got, b.Reason)
			}
			if d.State != "scheduled" || !slices.Equal(got, reasons) {
				t.Errorf("state %s, blockers %v; want scheduled with %v", d.State, got, reasons)
			}
		}
		tick(1) // the other document goes live; the blocked one does not
		if d := getDoc(t, g.publisher, other.ID); d.State != "published" {
			t.Errorf("the other document is %s, want published", d.State)
		}
		tick(0)
		tick(0)
		wantBlocked("hero_licence")
		if n := audits(t, env, "document.publish_blocked", blocked.ID); n != 1 {
			t.Errorf("%d audit events after three ticks, want 1", n)
		}

		// A different failure is a new event, once.
		g.editor.Do("PATCH", "/api/v1/media/"+hero, map[string]any{"alt": ""}).Want(http.StatusOK)
		tick(0)
		tick(0)
		wantBlocked("hero_licence", "hero_alt")
		if n := audits(t, env, "document.publish_blocked", blocked.ID); n != 2 {
			t.Errorf("%d audit events after a second failure, want 2", n)
		}

		// Fixed, it goes live at the next tick, and the reasons go.
		g.editor.Do("PATCH", "/api/v1/media/"+hero, map[string]any{"alt": "A map", "licence": "CC-BY-2.0"}).Want(http.StatusOK)
		tick(1)
		var d blockedDoc
		g.publisher.Do("GET", "/api/v1/documents/"+blocked.ID, nil).Want(http.StatusOK).Decode(&d)
		if d.State != "published" || len(d.PublishBlockers) != 0 {
			t.Errorf("after the fix: state %s, blockers %v; want published with none", d.State, d.PublishBlockers)
		}
		if n := audits(t, env, "document.publish_blocked", blocked.ID); n != 2 {
			t.Errorf("%d audit events after the fix, want still 2", n)
		}
	})
}
