package management_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

type commentJSON struct {
	ID         string     `json:"id"`
	DocumentID string     `json:"document_id"`
	Field      string     `json:"field"`
	AuthorID   string     `json:"author_id"`
	Body       string     `json:"body"`
	Resolved   bool       `json:"resolved"`
	ResolvedBy *string    `json:"resolved_by"`
	ResolvedAt *time.Time `json:"resolved_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

func listComments(t *testing.T, c *apptest.Client, id string) []commentJSON {
	t.Helper()
	var body struct{ Data []commentJSON }
	c.Do("GET", "/api/v1/documents/"+id+"/comments", nil).Want(http.StatusOK).Decode(&body)
	return body.Data
}

func TestRequestChangesNeedsANote(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := createBriefing(t, n.writer, "Needs work")
		d = moveDoc(t, n.writer, d.ID, "submit")

		for _, note := range []string{"", "   "} {
			r := transition(n.editor, d.doc, "request_changes", "note", note)
			wantInvalid(t, r, "note")
		}
		wantInvalid(t, transition(n.editor, d.doc, "request_changes"), "note")
		wantInvalid(t, transition(n.editor, d.doc, "request_changes", "note", strings.Repeat("n", 10_001)), "note")
		if got := getDoc(t, n.editor, d.ID); got.State != "in_review" || got.Version != d.Version {
			t.Fatalf("refused request_changes changed the document: %+v", got)
		}
		if cs := listComments(t, n.editor, d.ID); len(cs) != 0 {
			t.Fatalf("refused request_changes left comments: %+v", cs)
		}

		const note = "Please source the 2+2 meeting claim."
		after := moveDoc(t, n.editor, d.ID, "request_changes", "note", note)
		if after.State != "draft" {
			t.Fatalf("after request_changes: %s", after.State)
		}
		cs := listComments(t, n.writer, d.ID)
		if len(cs) != 1 || cs[0].Body != note || cs[0].AuthorID != n.editor.UserID || cs[0].Resolved || cs[0].DocumentID != d.ID {
			t.Fatalf("comments after request_changes: %+v", cs)
		}
		evs := listEvents(t, n.writer, d.ID)
		last := evs[len(evs)-1]
		if last.Action != "request_changes" || last.Note != note || last.From != "in_review" || last.To != "draft" {
			t.Errorf("request_changes event %+v", last)
		}
		// The writer can take it from there.
		moveDoc(t, n.writer, d.ID, "submit")
	})
}

func TestComments(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := createBriefing(t, n.writer, "Commented piece")
		path := "/api/v1/documents/" + d.ID + "/comments"

		var general, onField, onTitle commentJSON
		n.assistant.Do("POST", path, map[string]any{"body": "Looks good overall."}).Want(http.StatusCreated).Decode(&general)
		n.editor.Do("POST", path, map[string]any{"field": "summary", "body": "Tighten the summary."}).Want(http.StatusCreated).Decode(&onField)
		n.writer.Do("POST", path, map[string]any{"field": "title", "body": "Is the title too long?"}).Want(http.StatusCreated).Decode(&onTitle)
		if general.Field != "" || onField.Field != "summary" || onTitle.Field != "title" || onField.AuthorID != n.editor.UserID {
			t.Errorf("created %+v / %+v / %+v", general, onField, onTitle)
		}
		if onField.ID == "" || onField.CreatedAt.IsZero() || onField.Resolved {
			t.Errorf("comment %+v", onField)
		}

		wantInvalid(t, n.editor.Do("POST", path, map[string]any{"field": "nope", "body": "On nothing."}), "field")
		wantInvalid(t, n.editor.Do("POST", path, map[string]any{"body": ""}), "body")
		wantInvalid(t, n.editor.Do("POST", path, map[string]any{"body": "x", "colour": "red"}), "colour")
		if cs := listComments(t, n.writer, d.ID); len(cs) != 3 {
			t.Fatalf("%d comments, want 3: %+v", len(cs), cs)
		}

		// Resolve.
		var resolved commentJSON
		n.writer.Do("POST", path+"/"+onField.ID+"/resolve", nil).Want(http.StatusOK).Decode(&resolved)
		if !resolved.Resolved || resolved.ResolvedBy == nil || *resolved.ResolvedBy != n.writer.UserID || resolved.ResolvedAt == nil {
			t.Errorf("resolved: %+v", resolved)
		}
		// Resolving again keeps the first resolution.
		var again commentJSON
		n.editor.Do("POST", path+"/"+onField.ID+"/resolve", nil).Want(http.StatusOK).Decode(&again)
		if !again.Resolved || again.ResolvedBy == nil || *again.ResolvedBy != n.writer.UserID {
			t.Errorf("resolved again: %+v", again)
		}
		wantProblem(t, n.writer.Do("POST", path+"/no-such-comment/resolve", nil), http.StatusNotFound, "not_found")
		cs := listComments(t, n.editor, d.ID)
		for _, c := range cs {
			if c.Resolved != (c.ID == onField.ID) {
				t.Errorf("comment %s resolved=%v", c.ID, c.Resolved)
			}
		}
		// Comments are not edits: no revision, no version change.
		if got := getDoc(t, n.writer, d.ID); got.Version != 1 || got.HeadRevision != 1 {
			t.Errorf("comments changed the document: version %d head %d", got.Version, got.HeadRevision)
		}

		// Someone who may not see the document gets 404, not 403.
		other := env.CreateUser("other@example.org", "author:korea-view")
		wantProblem(t, other.Do("GET", path, nil), http.StatusNotFound, "not_found")
		wantProblem(t, other.Do("POST", path, map[string]any{"body": "Hi"}), http.StatusNotFound, "not_found")
		wantProblem(t, other.Do("POST", path+"/"+general.ID+"/resolve", nil), http.StatusNotFound, "not_found")
	})
}

func TestEventsAreTheAuditTrail(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := createBriefing(t, n.writer, "Audited piece")
		d = moveDoc(t, n.writer, d.ID, "submit")
		moveDoc(t, n.editor, d.ID, "request_changes", "note", "Add a source.")
		d = getDoc(t, n.writer, d.ID)
		d = decodeFull(t, patchDoc(n.writer, d.ID, d.Version, map[string]any{"fields": map[string]any{"context": "Sourced."}}).Want(http.StatusOK))
		moveDoc(t, n.writer, d.ID, "submit")
		moveDoc(t, n.editor, d.ID, "approve", "note", "Fine now.")
		moveDoc(t, n.publisher, d.ID, "publish")

		evs := listEvents(t, n.writer, d.ID)
		type row struct {
			action, from, to string
			actor            string
			revision         int
			note             string
		}
		want := []row{
			{"create", "", "draft", n.writer.UserID, 1, ""},
			{"submit", "draft", "in_review", n.writer.UserID, 1, ""},
			{"request_changes", "in_review", "draft", n.editor.UserID, 1, "Add a source."},
			{"edit", "draft", "draft", n.writer.UserID, 2, ""},
			{"submit", "draft", "in_review", n.writer.UserID, 2, ""},
			{"approve", "in_review", "approved", n.editor.UserID, 2, "Fine now."},
			{"publish", "approved", "published", n.publisher.UserID, 2, ""},
		}
		if len(evs) != len(want) {
			t.Fatalf("events %v, want %d", eventActions(evs), len(want))
		}
		var prev eventJSON
		for i, w := range want {
			e := evs[i]
			got := row{e.Action, e.From, e.To, e.ActorID, e.Revision, e.Note}
			if got != w {
				t.Errorf("event %d = %+v, want %+v", i, got, w)
			}
			if e.DocumentID != d.ID || e.CreatedAt.IsZero() || e.ID == 0 {
				t.Errorf("event %d: %+v", i, e)
			}
			if i > 0 && (e.ID <= prev.ID || e.CreatedAt.Before(prev.CreatedAt)) {
				t.Errorf("event %d is not after event %d", i, i-1)
			}
			prev = e
		}
		// Refused transitions leave no trace.
		wantProblem(t, transition(n.publisher, d.doc, "publish"), http.StatusConflict, "conflict")
		wantProblem(t, transition(n.writer, d.doc, "unpublish"), http.StatusForbidden, "forbidden")
		if again := listEvents(t, n.writer, d.ID); len(again) != len(want) {
			t.Errorf("refused transitions added events: %v", eventActions(again))
		}
		// The trail is read-only.
		for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
			r := n.admin.Do(m, "/api/v1/documents/"+d.ID+"/events", map[string]any{"action": "forged"})
			if r.Status < 400 || r.Status == http.StatusInternalServerError {
				t.Errorf("%s events: status %d", m, r.Status)
			}
		}
		if again := listEvents(t, n.admin, d.ID); fmt.Sprint(eventActions(again)) != fmt.Sprint(eventActions(evs)) {
			t.Errorf("events changed: %v", eventActions(again))
		}
	})
}
