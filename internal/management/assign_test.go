package management_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// assigned is a document with its assignment.
type assigned struct {
	docFull
	Assignee     *string    `json:"assignee"`
	AssigneeName string     `json:"assignee_name"`
	DueAt        *time.Time `json:"due_at"`
}

func getAssigned(t *testing.T, c *apptest.Client, id string) assigned {
	t.Helper()
	var a assigned
	c.Do("GET", "/api/v1/documents/"+id, nil).Want(http.StatusOK).Decode(&a)
	return a
}

// listedIDs lists the ids of the documents a listing answers.
func listedIDs(t *testing.T, c *apptest.Client, query string) []string {
	t.Helper()
	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	c.Do("GET", "/api/v1/documents?"+query, nil).Want(http.StatusOK).Decode(&page)
	var ids []string
	for _, d := range page.Data {
		ids = append(ids, d.ID)
	}
	return ids
}

// TestAssignmentIsPlanningByEditorsAndNamesSomeoneWhoMayAct: editors and
// publishers assign through PATCH with If-Match, without a new revision;
// an assignee who may not act on the document in its state is refused
// with a problem naming the field, and nothing changes.
func TestAssignmentIsPlanningByEditorsAndNamesSomeoneWhoMayAct(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := createBriefing(t, n.writer, "Who writes this")
		due := time.Now().Add(26 * time.Hour).Truncate(time.Second)

		wantProblem(t, patchDoc(n.writer, d.ID, d.Version, map[string]any{"assignee": n.writer.UserID}), http.StatusForbidden, "forbidden")
		wantProblem(t, patchDoc(n.assistant, d.ID, d.Version, map[string]any{"assignee": n.writer.UserID}), http.StatusForbidden, "forbidden")
		// A publisher cannot work on a draft.
		p := wantProblem(t, patchDoc(n.editor, d.ID, d.Version, map[string]any{"assignee": n.publisher.UserID}), http.StatusBadRequest, "invalid")
		if len(p.Errors) != 1 || p.Errors[0].Field != "assignee" || !strings.Contains(p.Detail, "may not act") {
			t.Errorf("refused assignee: %+v", p)
		}
		wantProblem(t, patchDoc(n.editor, d.ID, d.Version, map[string]any{"assignee": "no-such-user"}), http.StatusBadRequest, "invalid")
		wantProblem(t, patchDoc(n.editor, d.ID, d.Version, map[string]any{"due_at": "friday"}), http.StatusBadRequest, "invalid")
		wantProblem(t, n.editor.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"assignee": n.writer.UserID}),
			http.StatusPreconditionRequired, "precondition_required")
		wantProblem(t, patchDoc(n.editor, d.ID, d.Version+1, map[string]any{"assignee": n.writer.UserID}), http.StatusPreconditionFailed, "precondition_failed")
		if got := getAssigned(t, n.editor, d.ID); got.Version != d.Version || got.Assignee != nil {
			t.Fatalf("refused requests changed the document: %+v", got)
		}

		r := patchDoc(n.publisher, d.ID, d.Version, map[string]any{"assignee": n.writer.UserID, "due_at": rfc(due)}).Want(http.StatusOK)
		set := decodeFull(t, r)
		got := getAssigned(t, n.writer, d.ID)
		if got.Assignee == nil || *got.Assignee != n.writer.UserID || got.AssigneeName == "" || got.DueAt == nil || !got.DueAt.Equal(due) {
			t.Fatalf("after assigning: %+v", got)
		}
		if got.Version != d.Version+1 || got.HeadRevision != d.HeadRevision || set.Version != got.Version {
			t.Errorf("an assignment is planning: version %d→%d, revision %d→%d", d.Version, got.Version, d.HeadRevision, got.HeadRevision)
		}

		// The owner may not review their own piece; an editor may, and the
		// submission names them. The writer's assignment ends there.
		wantProblem(t, transition(n.writer, d.doc, "submit", "reviewer", n.writer.UserID), http.StatusBadRequest, "invalid")
		moveDoc(t, n.writer, d.ID, "submit", "reviewer", n.editor.UserID)
		if got := getAssigned(t, n.editor, d.ID); got.Assignee == nil || *got.Assignee != n.editor.UserID {
			t.Errorf("submitted naming the editor: assignee %v", got.Assignee)
		}
		cleared := getAssigned(t, n.editor, d.ID)
		decodeFull(t, patchDoc(n.editor, d.ID, cleared.Version, map[string]any{"assignee": "", "due_at": ""}).Want(http.StatusOK))
		if got := getAssigned(t, n.editor, d.ID); got.Assignee != nil || got.DueAt != nil {
			t.Errorf("cleared: %+v", got)
		}
	})
}

// TestAssignmentFiltersFindMineAndOverdueByTime: ?assignee=me,
// ?due_before= and ?overdue=true select by the assignee and the clock; a
// published document is not overdue.
func TestAssignmentFiltersFindMineAndOverdueByTime(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		late := createBriefing(t, n.writer, "Late piece")
		later := createBriefing(t, n.writer, "Piece due next week")
		done := approvedBriefing(t, n, "Done piece")
		plan := func(d docFull, who string, due time.Time) {
			t.Helper()
			decodeFull(t, patchDoc(n.editor, d.ID, getAssigned(t, n.editor, d.ID).Version,
				map[string]any{"assignee": who, "due_at": rfc(due)}).Want(http.StatusOK))
		}
		plan(late, n.writer.UserID, time.Now().Add(-3*time.Hour))
		plan(later, n.assistant.UserID, time.Now().Add(7*24*time.Hour))
		plan(done, n.publisher.UserID, time.Now().Add(-time.Hour))
		moveDoc(t, n.publisher, done.ID, "publish")

		if got := listedIDs(t, n.writer, "assignee=me"); !slices.Equal(got, []string{late.ID}) {
			t.Errorf("the writer's assignments: %v, want %v", got, []string{late.ID})
		}
		if got := listedIDs(t, n.assistant, "assignee=me"); !slices.Equal(got, []string{later.ID}) {
			t.Errorf("the assistant's assignments: %v, want %v", got, []string{later.ID})
		}
		if got := listedIDs(t, n.editor, "overdue=true"); !slices.Equal(got, []string{late.ID}) {
			t.Errorf("overdue: %v, want only %v", got, []string{late.ID})
		}
		if got := listedIDs(t, n.editor, "due_before="+rfc(time.Now().Add(-2*time.Hour))); !slices.Equal(got, []string{late.ID}) {
			t.Errorf("due before two hours ago: %v", got)
		}
		if got := listedIDs(t, n.editor, "due_before="+rfc(time.Now().Add(30*24*time.Hour))); len(got) != 3 {
			t.Errorf("due within a month: %v, want all three", got)
		}
		wantProblem(t, n.editor.Do("GET", "/api/v1/documents?overdue=maybe", nil), http.StatusBadRequest, "invalid")
		wantProblem(t, n.editor.Do("GET", "/api/v1/documents?due_before=soon", nil), http.StatusBadRequest, "invalid")
	})
}
