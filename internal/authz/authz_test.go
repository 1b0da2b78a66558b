package authz_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
	"github.com/masthead-cms/masthead/policies"
)

const (
	parent = "the-peninsula"
	child  = "the-peninsula/korea-view" // the request domain of a Korea View document
)

func newEnforcer(t *testing.T, db *store.DB) *authz.Enforcer {
	t.Helper()
	en, err := authz.New(context.Background(), db, policies.Model, policies.Default, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("authz.New: %v", err)
	}
	return en
}

func assign(t *testing.T, en *authz.Enforcer, user, role, series string) {
	t.Helper()
	if err := en.Assign(context.Background(), cms.System, authz.Assignment{UserID: user, Role: role, Series: series}); err != nil {
		t.Fatalf("assign %s %s on %s: %v", user, role, series, err)
	}
}

func actor(id string) cms.Actor { return cms.Actor{UserID: id, Name: id, Via: "session"} }

func doc(series, state, owner string) authz.Object {
	return authz.Object{Kind: "document", Series: series, State: state, OwnerID: owner}
}

var (
	roles   = []string{"author", "assistant", "editor", "publisher", "admin"}
	states  = []string{"draft", "in_review", "approved", "scheduled", "published", "archived"}
	actions = []string{"read", "comment", "edit", "credits", "delete", "submit", "withdraw", "request_changes",
		"approve", "publish", "schedule", "unschedule", "unpublish", "archive", "restore", "embargo", "expire", "test_send"}
)

// rights is what SPEC §4 gives a role, with the nesting applied: an
// assistant can do all an author can, an editor all an assistant can; an
// admin is an editor and a publisher.
type rights struct{ author, assistant, editor, publisher bool }

func rightsOf(role string) rights {
	switch role {
	case "author":
		return rights{author: true}
	case "assistant":
		return rights{author: true, assistant: true}
	case "editor":
		return rights{author: true, assistant: true, editor: true}
	case "publisher":
		return rights{publisher: true}
	case "admin":
		return rights{author: true, assistant: true, editor: true, publisher: true}
	}
	panic(role)
}

// want is SPEC §3/§4 for one question to the enforcer. The enforcer
// answers "may this person do this in this state"; whether the state table
// has the move at all when a live revision is involved (unpublish,
// archive) is the workflow's question, so those two hold in every state.
// stale says the person's eyes are not fresh for the document: they
// changed its text since it was submitted, or already approved this
// revision; only approving depends on it.
func want(r rights, owns, stale bool, action, state string) bool {
	sees := r.assistant || r.editor || r.publisher || (r.author && owns)
	switch action {
	case "read", "comment":
		return sees
	case "edit":
		switch state {
		case "draft", "published":
			return (r.author && owns) || r.assistant
		case "in_review":
			return r.assistant
		case "approved":
			return r.editor
		}
		return false // scheduled, archived: nobody
	case "credits":
		return r.editor && state != "scheduled" && state != "archived"
	case "delete":
		// Not in SPEC; the project's rule: owners delete their drafts,
		// editors drafts and archived documents.
		return (state == "draft" && ((r.author && owns) || r.editor)) || (state == "archived" && r.editor)
	case "submit":
		return state == "draft" && ((r.author && owns) || r.assistant)
	case "withdraw":
		return state == "in_review" && r.author && owns
	case "request_changes":
		return state == "in_review" && r.editor
	case "approve":
		return state == "in_review" && r.editor && !owns && !stale
	case "publish", "schedule":
		return state == "approved" && r.publisher
	case "unschedule":
		return state == "scheduled" && r.publisher
	case "unpublish":
		return r.publisher
	case "archive":
		return r.editor || r.publisher
	case "restore":
		return state == "archived" && (r.editor || r.publisher)
	case "embargo":
		// Issue 13: editors and publishers of the series, in any state;
		// the domain refuses it on a live document.
		return r.editor || r.publisher
	case "test_send":
		// Issue 14: editors and publishers of the series mail a test of
		// the newsletter to themselves, in any state.
		return r.editor || r.publisher
	case "expire":
		// Publishers decide what goes down, as what goes live; the domain
		// allows it on published and scheduled documents only.
		return r.publisher
	}
	panic(action)
}

// TestDocumentRules checks every role × action × state, as the owner of
// the document and as someone else, with fresh eyes and with stale ones,
// against SPEC §3/§4.
func TestDocumentRules(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		en := newEnforcer(t, db)
		for _, role := range roles {
			series := "korea-view"
			if role == "admin" {
				series = authz.AllSeries
			}
			assign(t, en, "u-"+role, role, series)
		}
		n := 0
		for _, role := range roles {
			user := "u-" + role
			for _, owns := range []bool{true, false} {
				if owns && role == "publisher" {
					continue // publishers do not write documents, so own none
				}
				owner := "someone-else"
				if owns {
					owner = user
				}
				for _, stale := range []bool{false, true} {
					for _, action := range actions {
						for _, state := range states {
							n++
							w := want(rightsOf(role), owns, stale, action, state)
							obj := doc(child, state, owner)
							obj.Stale = map[string]string{"u-other": "edited"}
							if stale {
								obj.Stale[user] = "edited"
							}
							if got := en.Allowed(actor(user), action, obj); got != w {
								t.Errorf("%s (owner: %v, stale: %v) %s in %s: allowed = %v, want %v", role, owns, stale, action, state, got, w)
							}
						}
					}
				}
			}
		}
		t.Logf("%d document rules checked", n)

		// Creating: authors and everyone above them; a publisher only
		// moves documents, it does not write them.
		for _, role := range roles {
			w := role != "publisher"
			if got := en.Allowed(actor("u-"+role), "create", authz.Object{Kind: "document", Series: child}); got != w {
				t.Errorf("%s create: allowed = %v, want %v", role, got, w)
			}
		}
		// Nobody without a role, and no anonymous request.
		for _, action := range actions {
			if en.Allowed(actor("u-nobody"), action, doc(child, "draft", "u-nobody")) {
				t.Errorf("a user without roles may %s their own draft", action)
			}
			if en.Allowed(cms.Actor{}, action, doc(child, "draft", "")) {
				t.Errorf("an anonymous actor may %s", action)
			}
		}
		// The system actor runs what the workflow decided (the scheduler).
		if !en.Allowed(cms.System, "publish", doc(child, "scheduled", "u-author")) {
			t.Error("the system actor may not publish")
		}
	})
}

// TestReleaseRules checks every role × release action in a series where
// the role is held and in one where it is not: releases are for
// publishers (and admins, who are publishers everywhere).
func TestReleaseRules(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		en := newEnforcer(t, db)
		for _, role := range roles {
			series := "korea-view"
			if role == "admin" {
				series = authz.AllSeries
			}
			assign(t, en, "u-"+role, role, series)
		}
		for _, role := range roles {
			for _, action := range []string{"manage", "publish"} {
				for _, series := range []string{child, "other-series"} {
					w := rightsOf(role).publisher && (series == child || role == "admin")
					obj := authz.Object{Kind: "release", Series: series}
					if got := en.Allowed(actor("u-"+role), action, obj); got != w {
						t.Errorf("%s %s release in %s: allowed = %v, want %v", role, action, series, got, w)
					}
				}
			}
		}
		err := en.CanInEach(actor("u-publisher"), "publish", authz.Object{Kind: "release"}, []string{child, "other-series"}, "why")
		if !cms.IsCode(err, cms.CodeForbidden) {
			t.Errorf("a Korea View publisher publishes a release with another series' document: %v", err)
		}
	})
}

// TestStaleEyesSayWhy checks that a refusal that only stale eyes cause
// carries their reason, and that any other refusal does not.
func TestStaleEyesSayWhy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		en := newEnforcer(t, db)
		assign(t, en, "u-editor", "editor", "korea-view")
		assign(t, en, "u-author", "author", "korea-view")
		why := "you changed its text since it was submitted; another editor must approve it"
		obj := doc(child, "in_review", "u-writer")
		obj.Stale = map[string]string{"u-editor": why, "u-author": why, "u-writer": "yours"}
		err := en.Can(actor("u-editor"), "approve", obj)
		if !cms.IsCode(err, cms.CodeForbidden) || !strings.Contains(err.Error(), why) {
			t.Errorf("stale editor: err = %v, want forbidden saying %q", err, why)
		}
		if err := en.Can(actor("u-author"), "approve", obj); !cms.IsCode(err, cms.CodeForbidden) || strings.Contains(err.Error(), why) {
			t.Errorf("author (no right to approve at all): err = %v, want a plain refusal", err)
		}
		if err := en.Can(actor("u-editor"), "edit", obj); err != nil {
			t.Errorf("stale eyes must not stop edits: %v", err)
		}
		obj.Stale = map[string]string{"u-other": why}
		if err := en.Can(actor("u-editor"), "approve", obj); err != nil {
			t.Errorf("fresh editor: err = %v, want allowed", err)
		}
	})
}

// TestSeriesDomains checks that a role on a parent series applies to its
// children and not the other way round, that a role on one series says
// nothing about another, and that "*" is every series.
func TestSeriesDomains(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		en := newEnforcer(t, db)
		assign(t, en, "u-parent-editor", "editor", parent)
		assign(t, en, "u-child-editor", "editor", "korea-view")
		assign(t, en, "u-star-editor", "editor", authz.AllSeries)
		assign(t, en, "u-star-publisher", "publisher", authz.AllSeries)
		assign(t, en, "u-admin", "admin", authz.AllSeries)
		assign(t, en, "u-other", "editor", "other-series")
		assign(t, en, "u-two-hats", "editor", "korea-view")
		assign(t, en, "u-two-hats", "author", parent)

		cases := []struct {
			user, action, series, state, owner string
			want                               bool
		}{
			{"u-parent-editor", "read", child, "draft", "x", true},
			{"u-parent-editor", "approve", child, "in_review", "x", true},
			{"u-parent-editor", "read", parent, "draft", "x", true},
			{"u-child-editor", "read", child, "draft", "x", true},
			{"u-child-editor", "approve", child, "in_review", "x", true},
			{"u-child-editor", "read", parent, "draft", "x", false},
			{"u-child-editor", "approve", parent, "in_review", "x", false},
			{"u-child-editor", "read", "other-series", "draft", "x", false},
			{"u-other", "read", child, "draft", "x", false},
			{"u-other", "read", parent, "draft", "x", false},
			{"u-other", "read", "other-series", "draft", "x", true},
			{"u-star-editor", "read", child, "draft", "x", true},
			{"u-star-editor", "read", parent, "draft", "x", true},
			{"u-star-editor", "approve", "other-series", "in_review", "x", true},
			{"u-star-editor", "publish", child, "approved", "x", false},
			{"u-star-publisher", "publish", "other-series", "approved", "x", true},
			{"u-star-publisher", "publish", child, "approved", "x", true},
			{"u-star-publisher", "approve", child, "in_review", "x", false},
			{"u-admin", "publish", child, "approved", "x", true},
			{"u-admin", "approve", "other-series", "in_review", "x", true},
			{"u-admin", "approve", child, "in_review", "u-admin", false}, // four eyes binds admins
			// Editor on the child, author on the parent: editor rights on
			// Korea View, only their own documents on The Peninsula.
			{"u-two-hats", "approve", child, "in_review", "x", true},
			{"u-two-hats", "read", parent, "draft", "x", false},
			{"u-two-hats", "read", parent, "draft", "u-two-hats", true},
		}
		for _, c := range cases {
			if got := en.Allowed(actor(c.user), c.action, doc(c.series, c.state, c.owner)); got != c.want {
				t.Errorf("%s %s in %s (%s, owner %s): allowed = %v, want %v", c.user, c.action, c.series, c.state, c.owner, got, c.want)
			}
		}

		// System objects live in the "*" domain: only a role on "*" reaches
		// them, and only admins manage the system.
		for _, obj := range []authz.Object{authz.Users, authz.Roles, authz.SeriesObj, authz.ContentTypes, authz.Webhooks} {
			if err := en.Can(actor("u-admin"), "manage", obj); err != nil {
				t.Errorf("admin may not manage %s: %v", obj.Kind, err)
			}
			for _, u := range []string{"u-star-editor", "u-star-publisher", "u-parent-editor", "u-child-editor"} {
				if err := en.Can(actor(u), "manage", obj); err == nil {
					t.Errorf("%s may manage %s", u, obj.Kind)
				} else if !cms.IsCode(err, cms.CodeForbidden) {
					t.Errorf("%s manage %s: %v, want forbidden", u, obj.Kind, err)
				}
			}
		}
		if !en.Allowed(actor("u-admin"), "read", authz.Audit) || en.Allowed(actor("u-star-editor"), "read", authz.Audit) {
			t.Error("only admins read the audit log")
		}
		// Contributors are shared: an editor of any one series may manage
		// them, an author may not.
		if err := en.CanSomewhere(actor("u-child-editor"), "manage", authz.Contributors); err != nil {
			t.Errorf("an editor of korea-view may not manage contributors: %v", err)
		}
		if err := en.CanSomewhere(actor("u-two-hats"), "manage", authz.Contributors); err != nil {
			t.Errorf("u-two-hats may not manage contributors: %v", err)
		}
		assign(t, en, "u-author", "author", "korea-view")
		if err := en.CanSomewhere(actor("u-author"), "manage", authz.Contributors); err == nil {
			t.Error("an author may manage contributors")
		}

		// What live documents of several series show needs the right in
		// each of them; the refusal names the series it lacks.
		shownIn := []string{child, "other-series", child}
		for _, tc := range []struct {
			user   string
			denied string // "" when allowed
		}{
			{"u-star-editor", ""},
			{"u-admin", ""},
			{"u-parent-editor", `series "other-series"`},
			{"u-child-editor", `series "other-series"`},
			{"u-other", `series "the-peninsula/korea-view"`},
			{"u-author", `series "the-peninsula/korea-view" and "other-series"`},
		} {
			err := en.CanInEach(actor(tc.user), "manage", authz.Contributors, shownIn, "where live documents credit them")
			switch {
			case tc.denied == "" && err != nil:
				t.Errorf("%s: CanInEach = %v, want allowed", tc.user, err)
			case tc.denied != "" && (!cms.IsCode(err, cms.CodeForbidden) || !strings.HasSuffix(err.Error(), tc.denied+", where live documents credit them")):
				t.Errorf("%s: CanInEach = %v, want forbidden naming %s", tc.user, err, tc.denied)
			}
		}
		if err := en.CanInEach(actor("u-author"), "manage", authz.Contributors, nil, ""); err != nil {
			t.Errorf("CanInEach of no series = %v, want allowed", err)
		}

		// Keeping an upload's metadata (its GPS position too) is an
		// editor's decision; assistants may upload but not keep it.
		assign(t, en, "u-assistant", "assistant", "korea-view")
		for u, want := range map[string]bool{"u-child-editor": true, "u-star-editor": true, "u-admin": true,
			"u-assistant": false, "u-author": false, "u-star-publisher": false} {
			if got := en.CanSomewhere(actor(u), "keep_metadata", authz.Media) == nil; got != want {
				t.Errorf("%s may keep metadata: %v, want %v", u, got, want)
			}
			if want && en.CanSomewhere(actor(u), "manage", authz.Media) != nil {
				t.Errorf("%s may keep metadata but not upload", u)
			}
		}
	})
}

// TestRefreshSeesOtherEnforcers: two enforcers on one database (two
// instances of Masthead) — an assignment or revocation made through one is
// seen by the other after Refresh, thanks to the policy version.
func TestRefreshSeesOtherEnforcers(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newEnforcer(t, db)
		b := newEnforcer(t, db) // its seeding finds the policy unchanged
		before, err := db.PolicyVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		draft := doc(child, "in_review", "someone")
		if b.Allowed(actor("u-1"), "approve", draft) {
			t.Fatal("u-1 may approve before holding any role")
		}

		assign(t, a, "u-1", "editor", "korea-view")
		if v, _ := db.PolicyVersion(ctx); v <= before {
			t.Errorf("policy version %d after an assignment, was %d", v, before)
		}
		if !a.Allowed(actor("u-1"), "approve", draft) {
			t.Error("the enforcer that assigned does not see the assignment")
		}
		if err := b.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if !b.Allowed(actor("u-1"), "approve", draft) {
			t.Error("after Refresh, the other enforcer does not see the assignment")
		}
		if got := b.Assignments("u-1"); len(got) != 1 || got[0] != (authz.Assignment{UserID: "u-1", Role: "editor", Series: "korea-view"}) {
			t.Errorf("assignments seen by the other enforcer = %v", got)
		}

		// A revocation travels the same way.
		if err := a.Revoke(ctx, cms.System, authz.Assignment{UserID: "u-1", Role: "editor", Series: "korea-view"}); err != nil {
			t.Fatal(err)
		}
		if err := b.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if b.Allowed(actor("u-1"), "approve", draft) {
			t.Error("after Refresh, the other enforcer still sees the revoked role")
		}

		// A third instance starting later sees the current state, and its
		// start does not bump the version (the default policy is unchanged).
		v1, _ := db.PolicyVersion(ctx)
		c := newEnforcer(t, db)
		if v2, _ := db.PolicyVersion(ctx); v2 != v1 {
			t.Errorf("starting an enforcer moved the policy version from %d to %d", v1, v2)
		}
		if c.Allowed(actor("u-1"), "approve", draft) {
			t.Error("a new enforcer sees a revoked role")
		}
		// Refresh with nothing changed is a no-op.
		if err := c.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
