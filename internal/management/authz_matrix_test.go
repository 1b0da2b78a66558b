package management_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// The authorization matrix of issue 3: every actor × every document action
// × every workflow state, through the HTTP API, against an expectation
// written out from SPEC §3 (the state table and editing rules) and §4
// (roles, nesting, visibility) — never from the production policy.

// mxActor is one person of the matrix, described by what SPEC §4 gives
// them on the series "korea-view" (child of "the-peninsula"), with the
// nesting of rights already applied (an editor is also an assistant and an
// author; an admin is an editor and a publisher everywhere).
type mxActor struct {
	name   string
	client *apptest.Client
	// owns: the documents in this actor's rows are their own. Everyone
	// else acts on documents of the owner-author.
	owns bool
	// Rights on korea-view. An actor with none of them holds no role there.
	author, assistant, editor, publisher bool
	// before, when set, is what this actor does to a document in review
	// before approving it (four eyes, strictly): "rewrite" changes its
	// title, which stales their eyes; "credit" credits a contributor and
	// chooses its topics, which does not. Such an actor's rows are only
	// the approve column.
	before string
}

// sees is SPEC §4's visibility: authors see their own documents;
// assistants, editors and publishers every document of their series.
func (a mxActor) sees() bool {
	return a.assistant || a.editor || a.publisher || (a.author && a.owns)
}

// mxState is a fixture state: the workflow state of the working copy and
// whether a live revision exists.
type mxState struct {
	name  string
	state string
	live  bool
}

var mxStates = []mxState{
	{"draft", "draft", false},
	{"in_review", "in_review", false},
	{"approved", "approved", false},
	{"scheduled", "scheduled", false},
	{"published", "published", true},
	// A live document whose head was edited: a new draft on top of the
	// live revision, which then goes through review again.
	{"published_new_draft", "draft", true},
	{"live_in_review", "in_review", true},
	{"live_approved", "approved", true},
	{"live_scheduled", "scheduled", true},
	{"archived", "archived", false},
}

var mxTransitions = []string{"submit", "withdraw", "request_changes", "approve", "publish", "schedule",
	"unschedule", "unpublish", "archive", "restore"}

// mxActions are the matrix's columns: every transition plus the other
// document writes and the read.
var mxActions = append([]string{"read", "edit", "credits", "comment", "delete"}, append(mxTransitions, mxPlanning...)...)

// mxPlanning are issue 13's planning writes: an embargo (PUT …/embargo)
// and an expiry (PUT …/expiry). Neither changes the state or the
// revisions.
var mxPlanning = []string{"embargo", "expire"}

// mxPlanExpect is issue 13 for the planning writes: an embargo is for
// editors and publishers, never on a live document (it cannot take back
// what is out); an expiry for publishers, on a published or scheduled
// document. As for transitions, the state decides before the role.
func mxPlanExpect(a mxActor, action string, st mxState) int {
	possible, may := !st.live, a.editor || a.publisher
	if action == "expire" {
		possible, may = st.live || st.state == "scheduled", a.publisher
	}
	switch {
	case !possible:
		return http.StatusConflict
	case !may:
		return http.StatusForbidden
	}
	return http.StatusOK
}

// mxNext is SPEC §3's state table: the state an action leads to from st,
// or false when the action is not possible from there.
func mxNext(st mxState, action string) (string, bool) {
	switch action {
	case "submit":
		return "in_review", st.state == "draft"
	case "withdraw", "request_changes":
		return "draft", st.state == "in_review"
	case "approve":
		return "approved", st.state == "in_review"
	case "publish":
		return "published", st.state == "approved"
	case "schedule":
		return "scheduled", st.state == "approved"
	case "unschedule":
		return "approved", st.state == "scheduled"
	case "unpublish":
		// Any state with a live revision; published → draft, other states
		// keep their state.
		if st.state == "published" {
			return "draft", st.live
		}
		return st.state, st.live
	case "archive":
		// Any state without a live revision ("unpublish first"); an
		// archived document is already there.
		return "archived", !st.live && st.state != "archived"
	case "restore":
		return "draft", st.state == "archived"
	}
	panic("unknown transition " + action)
}

// mxMayTransition is the "who" column of SPEC §3's table.
func mxMayTransition(a mxActor, action string) bool {
	switch action {
	case "submit":
		return a.owns || a.assistant || a.editor
	case "withdraw":
		return a.owns
	case "request_changes":
		return a.editor
	case "approve":
		// Four eyes, admins included; and nobody approves a text they
		// changed since it was submitted.
		return a.editor && !a.owns && a.before != "rewrite"
	case "publish", "schedule", "unschedule", "unpublish":
		return a.publisher
	case "archive", "restore":
		return a.editor || a.publisher
	}
	panic("unknown transition " + action)
}

// mxAfterEdit is SPEC §3's editing rules on the state: edits in draft and
// in_review keep the state, an edit of an approved document returns it to
// review, an edit of a published one starts a new draft; scheduled and
// archived documents cannot be edited.
func mxAfterEdit(st mxState) (string, bool) {
	switch st.state {
	case "draft", "in_review":
		return st.state, true
	case "approved":
		return "in_review", true
	case "published":
		return "draft", true
	}
	return "", false
}

// mxMayEdit is SPEC §3's editing rules on the person: the owner edits in
// draft (and starts the next revision of a published document);
// assistants and editors edit in draft, in_review and published; only
// editors edit approved documents.
func mxMayEdit(a mxActor, st mxState) bool {
	switch st.state {
	case "draft", "published":
		return a.owns || a.assistant || a.editor
	case "in_review":
		return a.assistant || a.editor
	case "approved":
		return a.editor
	}
	return false
}

// mxMayDelete: SPEC names DELETE /documents/{id} but not who may use it.
// The project's rule (policies/policy.csv): an owner deletes their own
// draft, an editor deletes drafts and archived documents; a live document
// is never deleted (unpublish first, 409).
func mxMayDelete(a mxActor, st mxState) bool {
	switch st.state {
	case "draft":
		return a.owns || a.editor
	case "archived":
		return a.editor
	}
	return false
}

// mxExpect is the status SPEC gives actor a for action in state st. The
// order of the checks is SPEC §5's: 404 for a document the actor may not
// see, 409 for a transition the state table does not have (before the
// role, so the refusal does not depend on who asks), 403 for one the
// actor may not take.
func mxExpect(a mxActor, action string, st mxState) int {
	if !a.sees() {
		return http.StatusNotFound
	}
	switch action {
	case "read":
		return http.StatusOK
	case "comment":
		// Review notes are comments: whoever may see a document may
		// comment on it.
		return http.StatusCreated
	case "edit", "credits":
		if _, ok := mxAfterEdit(st); !ok {
			return http.StatusConflict
		}
		may := mxMayEdit(a, st)
		if action == "credits" {
			may = a.editor // only editors change credits
		}
		if !may {
			return http.StatusForbidden
		}
		return http.StatusOK
	case "delete":
		// Like a transition, the state decides before the role: a live
		// document cannot be deleted by anyone (409).
		switch {
		case st.live:
			return http.StatusConflict
		case !mxMayDelete(a, st):
			return http.StatusForbidden
		}
		return http.StatusNoContent
	case "embargo", "expire":
		return mxPlanExpect(a, action, st)
	}
	if _, ok := mxNext(st, action); !ok {
		return http.StatusConflict
	}
	if !mxMayTransition(a, action) {
		return http.StatusForbidden
	}
	return http.StatusOK
}

// mxDoc is the part of a document the matrix looks at.
type mxDoc struct {
	ID           string `json:"id"`
	State        string `json:"state"`
	Version      int    `json:"version"`
	HeadRevision int    `json:"head_revision"`
	LiveRevision *int   `json:"live_revision"`
	OwnerID      string `json:"owner_id"`
}

func (d mxDoc) path() string    { return "/api/v1/documents/" + d.ID }
func (d mxDoc) ifMatch() string { return fmt.Sprintf(`"%d"`, d.Version) }

// mxFixtures builds documents in a given state by driving the API as the
// right people. It reports failures on the subtest that asked, never on
// the backend's test (the apptest helpers fail the test they were built
// with).
type mxFixtures struct {
	editor, publisher *apptest.Client // reviewers: they own no fixture
	seq               atomic.Int64
	mu                sync.Mutex       // guards shared: the actors run in parallel
	shared            map[string]mxDoc // for read-only cases, by owner and state
}

func mxDo(t *testing.T, c *apptest.Client, want int, method, path string, body any, headers ...string) mxDoc {
	t.Helper()
	r := c.Do(method, path, body, headers...)
	if r.Status != want {
		t.Fatalf("fixture: %s %s: status %d, want %d; body: %s", method, path, r.Status, want, r.Body)
	}
	var d mxDoc
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatalf("fixture: %s %s: decode %s: %v", method, path, r.Body, err)
	}
	return d
}

func mxTransition(action string) map[string]any {
	body := map[string]any{"action": action}
	switch action {
	case "request_changes":
		body["note"] = "Please tighten the summary."
	case "schedule":
		body["at"] = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	}
	return body
}

// fresh returns a new document owned by owner in state st.
func (fx *mxFixtures) fresh(t *testing.T, owner *apptest.Client, st mxState) mxDoc {
	t.Helper()
	n := fx.seq.Add(1)
	d := mxDo(t, owner, http.StatusCreated, "POST", "/api/v1/documents", map[string]any{
		"type": "briefing", "series": "korea-view", "title": fmt.Sprintf("Matrix briefing %d", n),
		"topics": []string{"diplomacy"},
		"fields": map[string]any{
			"summary":       "China raised joint dialogue with South Korea.",
			"what_happened": []string{"The foreign ministers met."},
			"implications":  "Beijing calibrates its position.",
			"context":       "Seoul stays close to the QUAD.",
		},
	})
	// Each state is a path through the workflow; later states extend
	// earlier ones.
	path := map[string][]string{
		"draft":               {},
		"in_review":           {"submit"},
		"approved":            {"submit", "approve"},
		"scheduled":           {"submit", "approve", "schedule"},
		"published":           {"submit", "approve", "publish"},
		"published_new_draft": {"submit", "approve", "publish", "edit"},
		"live_in_review":      {"submit", "approve", "publish", "edit", "submit"},
		"live_approved":       {"submit", "approve", "publish", "edit", "submit", "approve"},
		"live_scheduled":      {"submit", "approve", "publish", "edit", "submit", "approve", "schedule"},
		"archived":            {"archive"},
	}
	steps, ok := path[st.name]
	if !ok {
		t.Fatalf("fixture: unknown state %s", st.name)
	}
	for _, action := range steps {
		switch action {
		case "edit":
			d = mxDo(t, owner, http.StatusOK, "PATCH", d.path(), map[string]any{"title": fmt.Sprintf("Matrix briefing %d, revised", n)},
				"If-Match", d.ifMatch())
		case "submit":
			d = mxDo(t, owner, http.StatusOK, "POST", d.path()+"/transitions", mxTransition(action))
		case "approve", "archive":
			d = mxDo(t, fx.editor, http.StatusOK, "POST", d.path()+"/transitions", mxTransition(action))
		default:
			d = mxDo(t, fx.publisher, http.StatusOK, "POST", d.path()+"/transitions", mxTransition(action))
		}
	}
	if d.State != st.state || (d.LiveRevision != nil) != st.live {
		t.Fatalf("fixture: wanted %s, built state %s with live revision %v", st.name, d.State, d.LiveRevision)
	}
	return d
}

// reused returns one document per owner and state for actions that change
// nothing about the document (read, comment).
func (fx *mxFixtures) reused(t *testing.T, owner *apptest.Client, st mxState) mxDoc {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	key := owner.UserID + "/" + st.name
	if d, ok := fx.shared[key]; ok {
		return d
	}
	d := fx.fresh(t, owner, st)
	fx.shared[key] = d
	return d
}

// mxAct performs action on d as c.
func mxAct(c *apptest.Client, action string, d mxDoc) *apptest.Response {
	switch action {
	case "read":
		return c.Do("GET", d.path(), nil)
	case "edit":
		// A checkpoint: each edit makes a revision of its own, whoever
		// wrote the one before (coalescing has its own tests).
		return c.Do("PATCH", d.path(), map[string]any{"title": "Edited by the matrix", "checkpoint": true}, "If-Match", d.ifMatch())
	case "credits":
		return c.Do("PUT", d.path()+"/credits", []map[string]string{{"role": "editor", "contributor": "yong-kwon"}},
			"If-Match", d.ifMatch())
	case "comment":
		return c.Do("POST", d.path()+"/comments", map[string]any{"body": "A note from the matrix."})
	case "delete":
		return c.Do("DELETE", d.path(), nil, "If-Match", d.ifMatch())
	case "embargo":
		// Before the fixtures' schedule (an hour ahead): a scheduled
		// document may keep it.
		at := time.Now().Add(30 * time.Minute).UTC().Format(time.RFC3339)
		return c.Do("PUT", d.path()+"/embargo", map[string]any{"at": at}, "If-Match", d.ifMatch())
	case "expire":
		at := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
		return c.Do("PUT", d.path()+"/expiry", map[string]any{"at": at}, "If-Match", d.ifMatch())
	}
	return c.Do("POST", d.path()+"/transitions", mxTransition(action))
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	// The backends run in parallel too: each has its own database and
	// app, and the matrix is the slowest test of the suite.
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			authorizationMatrix(t, b.Open(t))
		})
	}
}

// authorizationMatrix plays every actor, action and state on db.
func authorizationMatrix(t *testing.T, db *store.DB) {
	start := time.Now()
	env := apptest.New(t, db)
	admin := env.Admin()
	for _, s := range []map[string]any{
		{"slug": "the-peninsula", "name": "The Peninsula", "kind": "blog"},
		{"slug": "korea-view", "name": "Korea View", "kind": "newsletter", "parent": "the-peninsula"},
		{"slug": "other-series", "name": "Other Series", "kind": "blog"},
	} {
		admin.Do("POST", "/api/v1/series", s).Want(http.StatusCreated)
	}
	admin.Do("POST", "/api/v1/contributors", map[string]any{"name": "Yong Kwon"}).Want(http.StatusCreated)

	ownerAuthor := env.CreateUser("owner-author@example.org", "author:korea-view")
	editor := env.CreateUser("editor@example.org", "editor:korea-view")
	publisher := env.CreateUser("publisher@example.org", "publisher:korea-view")
	actors := []mxActor{
		{name: "owner-author", client: ownerAuthor, owns: true, author: true},
		{name: "other-author", client: env.CreateUser("other-author@example.org", "author:korea-view"), author: true},
		{name: "assistant", client: env.CreateUser("assistant@example.org", "assistant:korea-view"), author: true, assistant: true},
		{name: "editor", client: editor, author: true, assistant: true, editor: true},
		{name: "owning-editor", client: env.CreateUser("owning-editor@example.org", "editor:korea-view"), owns: true,
			author: true, assistant: true, editor: true},
		// A role on the parent series applies to its children.
		{name: "parent-editor", client: env.CreateUser("parent-editor@example.org", "editor:the-peninsula"),
			author: true, assistant: true, editor: true},
		{name: "publisher", client: publisher, publisher: true},
		{name: "admin", client: admin, author: true, assistant: true, editor: true, publisher: true},
		// Four eyes binds admins too: the admin on their own documents.
		{name: "owning-admin", client: admin, owns: true, author: true, assistant: true, editor: true, publisher: true},
		{name: "other-series-editor", client: env.CreateUser("other-series@example.org", "editor:other-series")},
		{name: "rewriting-editor", client: env.CreateUser("rewriting-editor@example.org", "editor:korea-view"),
			author: true, assistant: true, editor: true, before: "rewrite"},
		{name: "crediting-editor", client: env.CreateUser("crediting-editor@example.org", "editor:korea-view"),
			author: true, assistant: true, editor: true, before: "credit"},
		{name: "no-role", client: env.CreateUser("no-role@example.org")},
	}
	// The fixtures' reviewers must never own a fixture document, or
	// four eyes would stop them approving it.
	fx := &mxFixtures{editor: editor, publisher: publisher, shared: map[string]mxDoc{}}

	var cases atomic.Int64
	t.Cleanup(func() {
		t.Logf("authorization matrix: %d cases (%d actors, %d actions, %d states) in %v",
			cases.Load(), len(actors), len(mxActions), len(mxStates), time.Since(start).Round(time.Millisecond))
	})
	for _, a := range actors {
		owner := ownerAuthor
		if a.owns {
			owner = a.client
		}
		// Each actor acts on documents of their own making (or on the
		// shared read-only ones), so the actors run in parallel.
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			for _, action := range mxActions {
				if a.before != "" && action != "approve" {
					continue
				}
				t.Run(action, func(t *testing.T) {
					for _, st := range mxStates {
						cases.Add(1)
						t.Run(st.name, func(t *testing.T) {
							mxCase(t, fx, admin, owner, a, action, st)
						})
					}
				})
			}
		})
	}
}

// mxCase runs one cell of the matrix and checks what the answer did to the
// document: a refusal changes nothing, a success moves it as SPEC says.
func mxCase(t *testing.T, fx *mxFixtures, admin, owner *apptest.Client, a mxActor, action string, st mxState) {
	want := mxExpect(a, action, st)
	var d mxDoc
	if action == "read" || action == "comment" {
		d = fx.reused(t, owner, st)
	} else {
		d = fx.fresh(t, owner, st)
	}
	if a.before != "" && st.state == "in_review" {
		d = mxBefore(t, a, d)
	}
	r := mxAct(a.client, action, d)
	if r.Status != want {
		t.Fatalf("%s %s on a %s document: status %d, want %d; body: %s", a.name, action, st.name, r.Status, want, r.Body)
	}

	after := admin.Do("GET", d.path(), nil)
	if action == "delete" && want == http.StatusNoContent {
		if after.Status != http.StatusNotFound {
			t.Errorf("after delete: GET = %d, want 404", after.Status)
		}
		return
	}
	if after.Status != http.StatusOK {
		t.Fatalf("GET after %s: status %d; body: %s", action, after.Status, after.Body)
	}
	var now mxDoc
	if err := json.Unmarshal(after.Body, &now); err != nil {
		t.Fatalf("decode %s: %v", after.Body, err)
	}
	if want >= 300 || action == "read" || action == "comment" {
		if now.Version != d.Version || now.State != d.State || now.HeadRevision != d.HeadRevision {
			t.Errorf("refused or read-only %s changed the document: %+v → %+v", action, d, now)
		}
		return
	}

	switch action {
	case "edit", "credits":
		to, _ := mxAfterEdit(st)
		if now.State != to || now.HeadRevision != d.HeadRevision+1 || now.Version != d.Version+1 {
			t.Errorf("after %s of a %s document: state %s head %d version %d, want state %s head %d version %d",
				action, st.name, now.State, now.HeadRevision, now.Version, to, d.HeadRevision+1, d.Version+1)
		}
		// The live revision stays online while the next one is drafted.
		if !sameRevision(now.LiveRevision, d.LiveRevision) {
			t.Errorf("after %s: live revision %v, want %v", action, rev(now.LiveRevision), rev(d.LiveRevision))
		}
	case "embargo", "expire":
		if now.State != d.State || now.Version != d.Version+1 || now.HeadRevision != d.HeadRevision ||
			!sameRevision(now.LiveRevision, d.LiveRevision) {
			t.Errorf("after %s of a %s document: %+v → %+v, want one version on, nothing else moved", action, st.name, d, now)
		}
	default:
		to, _ := mxNext(st, action)
		if now.State != to || now.Version != d.Version+1 || now.HeadRevision != d.HeadRevision {
			t.Errorf("after %s of a %s document: state %s version %d head %d, want state %s version %d head %d",
				action, st.name, now.State, now.Version, now.HeadRevision, to, d.Version+1, d.HeadRevision)
		}
		switch action {
		case "publish":
			if now.LiveRevision == nil || *now.LiveRevision != d.HeadRevision {
				t.Errorf("after publish: live revision %v, want %d", rev(now.LiveRevision), d.HeadRevision)
			}
		case "unpublish":
			if now.LiveRevision != nil {
				t.Errorf("after unpublish: live revision %d, want none", *now.LiveRevision)
			}
		default:
			if !sameRevision(now.LiveRevision, d.LiveRevision) {
				t.Errorf("after %s: live revision %v, want %v", action, rev(now.LiveRevision), rev(d.LiveRevision))
			}
		}
	}
}

// mxBefore has a do what they do to d before approving it, and returns d
// after.
func mxBefore(t *testing.T, a mxActor, d mxDoc) mxDoc {
	t.Helper()
	if a.before == "rewrite" {
		return mxDo(t, a.client, http.StatusOK, "PATCH", d.path(), map[string]any{"title": "Rewritten in review"}, "If-Match", d.ifMatch())
	}
	a.client.For(t).Do("PUT", d.path()+"/credits", []map[string]string{{"role": "editor", "contributor": "yong-kwon"}},
		"If-Match", d.ifMatch()).Want(http.StatusOK)
	d = mxDo(t, a.client, http.StatusOK, "GET", d.path(), nil)
	return mxDo(t, a.client, http.StatusOK, "PATCH", d.path(), map[string]any{"topics": []string{"diplomacy", "security"}}, "If-Match", d.ifMatch())
}

func sameRevision(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func rev(p *int) any {
	if p == nil {
		return "none"
	}
	return *p
}
