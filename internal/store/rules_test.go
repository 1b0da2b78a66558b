package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

func TestAudit(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		before := time.Now().Add(-time.Minute)
		for i, ev := range []cms.AuditEvent{
			{ActorID: "u1", Action: "user.create", ObjectType: "user", ObjectID: "u2", Detail: map[string]any{"email": "b@example.org"}},
			{ActorID: "u1", Action: "role.assign", ObjectType: "user", ObjectID: "u2", Detail: map[string]any{"role": "editor", "n": 3}},
			{ActorID: "system", Action: "series.create", ObjectType: "series", ObjectID: "s1"},
		} {
			if err := db.AddAudit(ctx, ev); err != nil {
				t.Fatalf("event %d: %v", i, err)
			}
		}
		events, err := db.FindAudit(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 3 {
			t.Fatalf("%d events, want 3", len(events))
		}
		newest, middle := events[0], events[1]
		if newest.Action != "series.create" || newest.ActorID != "system" || newest.ObjectType != "series" || newest.ObjectID != "s1" {
			t.Errorf("newest = %+v", newest)
		}
		if len(newest.Detail) != 0 {
			t.Errorf("no detail came back as %v", newest.Detail)
		}
		if middle.Detail["role"] != "editor" || middle.Detail["n"] != float64(3) {
			t.Errorf("detail = %v", middle.Detail)
		}
		for _, ev := range events {
			if ev.ID == 0 || ev.CreatedAt.Before(before) || ev.CreatedAt.After(time.Now().Add(time.Minute)) {
				t.Errorf("event %+v: want an id and a current time", ev)
			}
		}
		if !(events[0].ID > events[1].ID && events[1].ID > events[2].ID) {
			t.Errorf("not newest first: ids %d %d %d", events[0].ID, events[1].ID, events[2].ID)
		}
		if limited, err := db.FindAudit(ctx, 2); err != nil || len(limited) != 2 || limited[0].ID != newest.ID {
			t.Errorf("FindAudit(2) = %+v, %v", limited, err)
		}
	})
}

func policyVersion(t *testing.T, db *store.DB) int64 {
	t.Helper()
	v, err := db.PolicyVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func hasRule(rules []authz.Rule, want authz.Rule) bool {
	return slices.ContainsFunc(rules, func(r authz.Rule) bool { return r.PType == want.PType && slices.Equal(r.V, want.V) })
}

func TestRules(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if v := policyVersion(t, db); v != 0 {
			t.Fatalf("a new database has policy version %d", v)
		}
		perms := []authz.Rule{
			{PType: "g", V: []string{"editor", "author", "*"}},
			{PType: "p", V: []string{"author", "document", "create", "*", "any"}},
		}
		assignment := authz.Rule{PType: "g", V: []string{"user-1", "editor", "korea-view"}}
		ev := func(action string) cms.AuditEvent {
			return cms.AuditEvent{ActorID: "admin-1", Action: action, ObjectType: "user", ObjectID: "user-1"}
		}

		t.Run("replace permissions", func(t *testing.T) {
			if err := db.ReplacePermissions(ctx, perms); err != nil {
				t.Fatal(err)
			}
			if v := policyVersion(t, db); v != 1 {
				t.Errorf("version %d after seeding, want 1", v)
			}
			if err := db.ReplacePermissions(ctx, slices.Clone(perms)); err != nil {
				t.Fatal(err)
			}
			if v := policyVersion(t, db); v != 1 {
				t.Errorf("version %d after an unchanged seed, want 1", v)
			}
		})
		t.Run("add", func(t *testing.T) {
			if err := db.AddRule(ctx, assignment, ev("role.assign")); err != nil {
				t.Fatal(err)
			}
			rules, v, err := db.LoadRules(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v != 2 || len(rules) != 3 || !hasRule(rules, assignment) || !hasRule(rules, perms[1]) {
				t.Errorf("LoadRules = %v at version %d, want the seed and the assignment at 2", rules, v)
			}
			if n := countAudit(t, db, "role.assign", "user-1"); n != 1 {
				t.Errorf("%d role.assign audit events, want 1", n)
			}
		})
		t.Run("add twice", func(t *testing.T) {
			wantCode(t, db.AddRule(ctx, assignment, ev("role.assign")), cms.CodeConflict)
			if v := policyVersion(t, db); v != 2 {
				t.Errorf("a refused add moved the version to %d", v)
			}
			if n := countAudit(t, db, "role.assign", "user-1"); n != 1 {
				t.Errorf("a refused add was audited: %d events", n)
			}
		})
		t.Run("new permissions keep assignments", func(t *testing.T) {
			changed := append(slices.Clone(perms), authz.Rule{PType: "p", V: []string{"editor", "document", "approve", "in_review", "not_owner"}})
			if err := db.ReplacePermissions(ctx, changed); err != nil {
				t.Fatal(err)
			}
			rules, v, err := db.LoadRules(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v != 3 || len(rules) != 4 || !hasRule(rules, assignment) || !hasRule(rules, changed[2]) {
				t.Errorf("LoadRules = %v at version %d", rules, v)
			}
		})
		t.Run("remove", func(t *testing.T) {
			if err := db.RemoveRule(ctx, assignment, ev("role.revoke")); err != nil {
				t.Fatal(err)
			}
			rules, v, err := db.LoadRules(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v != 4 || hasRule(rules, assignment) || len(rules) != 3 {
				t.Errorf("LoadRules = %v at version %d after removing", rules, v)
			}
			if n := countAudit(t, db, "role.revoke", "user-1"); n != 1 {
				t.Errorf("%d role.revoke audit events, want 1", n)
			}
			wantCode(t, db.RemoveRule(ctx, assignment, ev("role.revoke")), cms.CodeNotFound)
			if v := policyVersion(t, db); v != 4 {
				t.Errorf("removing a missing rule moved the version to %d", v)
			}
			if n := countAudit(t, db, "role.revoke", "user-1"); n != 1 {
				t.Errorf("a failed remove was audited: %d events", n)
			}
		})
		t.Run("concurrent changes each bump the version", func(t *testing.T) {
			const n = 10
			start := policyVersion(t, db)
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := authz.Rule{PType: "g", V: []string{fmt.Sprintf("user-c%d", i), "author", "*"}}
					errs <- db.AddRule(ctx, r, ev("role.assign"))
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if v := policyVersion(t, db); v != start+n {
				t.Errorf("version %d after %d concurrent adds from %d", v, n, start)
			}
		})
	})
}
