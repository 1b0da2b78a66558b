package management_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// The approval rows of the role × action × state table (issue 13, items 4
// and 5): who may approve a piece in review after what happened to it
// since it was submitted, with one approval required and with two.
// Expectations are written from the issue, not from the policy.

// feStep is one thing a person does to the document, and what the API
// must answer: the status, a phrase of the problem's detail for a
// refusal, and the state and approval count after it (-1: not checked).
type feStep struct {
	who, do   string
	status    int
	why       string
	state     string
	approvals int
}

const (
	whyEdited   = "you changed its text since it was submitted; another editor must approve it"
	whyOwn      = "it is your own document"
	whyApproved = "you already approved this revision"
)

var fourEyesTable = []struct {
	name     string
	required int
	owner    string // who creates and submits the document
	steps    []feStep
}{
	{"owner refused", 1, "owning-editor", []feStep{
		{"owning-editor", "approve", 403, whyOwn, "in_review", 0},
		{"editor", "approve", 200, "", "approved", 1},
	}},
	{"editor who edited the title refused", 1, "writer", []feStep{
		{"editor", "edit-title", 200, "", "in_review", 0},
		{"editor", "approve", 403, whyEdited, "in_review", 0},
		{"second-editor", "approve", 200, "", "approved", 1},
	}},
	{"editor who edited a field refused", 1, "writer", []feStep{
		{"editor", "edit-summary", 200, "", "in_review", 0},
		{"editor", "approve", 403, whyEdited, "in_review", 0},
	}},
	{"editor who only credited and chose topics allowed", 1, "writer", []feStep{
		{"editor", "credit", 200, "", "in_review", 0},
		{"editor", "topics", 200, "", "in_review", 0},
		{"editor", "approve", 200, "", "approved", 1},
	}},
	{"an assistant's edit leaves the editor's eyes fresh", 1, "writer", []feStep{
		{"assistant", "edit-title", 200, "", "in_review", 0},
		{"editor", "approve", 200, "", "approved", 1},
	}},
	{"an edit of an approved piece binds its editor", 1, "writer", []feStep{
		{"editor", "approve", 200, "", "approved", 1},
		{"editor", "edit-title", 200, "", "in_review", 0},
		{"editor", "approve", 403, whyEdited, "in_review", 0},
		{"second-editor", "approve", 200, "", "approved", 1},
	}},
	{"two approvals: the first keeps it in review", 2, "writer", []feStep{
		{"editor", "approve", 200, "", "in_review", 1},
		{"editor", "approve", 403, whyApproved, "in_review", 1},
		{"second-editor", "approve", 200, "", "approved", 2},
	}},
	{"two approvals: owner refused", 2, "owning-editor", []feStep{
		{"owning-editor", "approve", 403, whyOwn, "in_review", 0},
		{"editor", "approve", 200, "", "in_review", 1},
		{"owning-editor", "approve", 403, whyOwn, "in_review", 1},
		{"second-editor", "approve", 200, "", "approved", 2},
	}},
	{"two approvals: an edit after the first resets the count", 2, "writer", []feStep{
		{"editor", "approve", 200, "", "in_review", 1},
		{"assistant", "edit-title", 200, "", "in_review", 0},
		{"editor", "approve", 200, "", "in_review", 1},
		{"second-editor", "approve", 200, "", "approved", 2},
	}},
	{"two approvals: sent back, submitted again, counted afresh", 2, "writer", []feStep{
		{"editor", "approve", 200, "", "in_review", 1},
		{"second-editor", "request_changes", 200, "", "draft", 0},
		{"writer", "submit", 200, "", "in_review", 0},
		{"editor", "approve", 200, "", "in_review", 1},
		{"second-editor", "approve", 200, "", "approved", 2},
	}},
}

func TestFourEyesTable(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		people := map[string]*apptest.Client{
			"writer": n.writer, "assistant": n.assistant, "editor": n.editor,
			"second-editor": env.CreateUser("second-editor@example.org", "editor:korea-view"),
			"owning-editor": env.CreateUser("owning-editor@example.org", "editor:korea-view"),
		}
		for _, row := range fourEyesTable {
			t.Run(row.name, func(t *testing.T) {
				n.admin.For(t).Do("PATCH", "/api/v1/series/korea-view", map[string]any{"approvals_required": row.required}).
					Want(http.StatusOK)
				owner := people[row.owner].For(t)
				d := createBriefing(t, owner, row.name)
				moveDoc(t, owner, d.ID, "submit")
				for i, s := range row.steps {
					feRun(t, people[s.who].For(t), n.admin.For(t), d.ID, i, s, row.required)
				}
			})
		}
	})
}

// feDoc is what the table reads of a document.
type feDoc struct {
	State             string `json:"state"`
	Version           int    `json:"version"`
	ApprovalsRequired int    `json:"approvals_required"`
	Approvals         []struct {
		UserID string `json:"user_id"`
		Name   string `json:"name"`
		At     string `json:"at"`
	} `json:"approvals"`
}

func feRun(t *testing.T, c, admin *apptest.Client, id string, i int, s feStep, required int) {
	t.Helper()
	var before feDoc
	admin.Do("GET", "/api/v1/documents/"+id, nil).Want(http.StatusOK).Decode(&before)
	r := feAct(c, id, s.do, before.Version)
	if r.Status != s.status {
		t.Fatalf("step %d: %s %s: status %d, want %d; body: %s", i, s.who, s.do, r.Status, s.status, r.Body)
	}
	if s.why != "" {
		p := wantProblem(t, r, s.status, "forbidden")
		if !strings.Contains(p.Detail, s.why) {
			t.Errorf("step %d: detail %q, want it to say %q", i, p.Detail, s.why)
		}
	}
	var after feDoc
	admin.Do("GET", "/api/v1/documents/"+id, nil).Want(http.StatusOK).Decode(&after)
	if s.status >= 300 && after.Version != before.Version {
		t.Errorf("step %d: a refused %s changed the document (version %d → %d)", i, s.do, before.Version, after.Version)
	}
	if after.State != s.state || len(after.Approvals) != s.approvals || after.ApprovalsRequired != required {
		t.Errorf("step %d: after %s %s: state %s, %d of %d approvals; want %s, %d of %d",
			i, s.who, s.do, after.State, len(after.Approvals), after.ApprovalsRequired, s.state, s.approvals, required)
	}
	for _, a := range after.Approvals {
		if a.UserID == "" || a.Name == "" || a.At == "" {
			t.Errorf("step %d: incomplete approval %+v", i, a)
		}
	}
}

// feAct does one step's action.
func feAct(c *apptest.Client, id, do string, version int) *apptest.Response {
	path := "/api/v1/documents/" + id
	switch do {
	case "edit-title":
		return patchDoc(c, id, version, map[string]any{"title": "Rewritten in review"})
	case "edit-summary":
		return patchDoc(c, id, version, map[string]any{"fields": map[string]any{"summary": "A summary in other words."}})
	case "topics":
		return patchDoc(c, id, version, map[string]any{"topics": []string{"diplomacy", "security"}})
	case "credit":
		return c.Do("PUT", path+"/credits", []map[string]string{{"role": "editor", "contributor": "yong-kwon"}},
			"If-Match", versionTag(version))
	}
	body := map[string]any{"action": do}
	if do == "request_changes" {
		body["note"] = "Another pass, please."
	}
	return c.Do("POST", path+"/transitions", body)
}

// The first of two approvals is a workflow event: action approve, the
// state staying in review.
func TestFirstApprovalIsAnEvent(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		n.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"approvals_required": 2}).Want(http.StatusOK)
		d := createBriefing(t, n.writer, "Needs two pairs of eyes")
		moveDoc(t, n.writer, d.ID, "submit")
		moveDoc(t, n.editor, d.ID, "approve")
		var events struct {
			Data []struct {
				Action  string `json:"action"`
				From    string `json:"from"`
				To      string `json:"to"`
				ActorID string `json:"actor_id"`
			} `json:"data"`
		}
		n.editor.Do("GET", "/api/v1/documents/"+d.ID+"/events", nil).Want(http.StatusOK).Decode(&events)
		last := events.Data[len(events.Data)-1]
		if last.Action != "approve" || last.From != "in_review" || last.To != "in_review" || last.ActorID != n.editor.UserID {
			t.Errorf("last event %+v, want approve in_review → in_review by the editor", last)
		}
	})
}

// approvals_required is 1 or 2: anything else is a 400 that changes
// nothing, and the setting shows in the series and is audited.
func TestSeriesApprovalsRequired(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		var sr struct {
			ApprovalsRequired int `json:"approvals_required"`
		}
		n.admin.Do("GET", "/api/v1/series/korea-view", nil).Want(http.StatusOK).Decode(&sr)
		if sr.ApprovalsRequired != 1 {
			t.Fatalf("default approvals_required = %d, want 1", sr.ApprovalsRequired)
		}
		for _, bad := range []any{0, 3, -1, "two"} {
			r := n.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"approvals_required": bad})
			if r.Status != http.StatusBadRequest {
				t.Errorf("approvals_required %v: status %d, want 400; body: %s", bad, r.Status, r.Body)
			}
		}
		n.admin.Do("POST", "/api/v1/series", map[string]any{"slug": "five", "name": "Five", "kind": "blog", "approvals_required": 5}).
			Want(http.StatusBadRequest)
		n.admin.Do("GET", "/api/v1/series/five", nil).Want(http.StatusNotFound)
		n.admin.Do("GET", "/api/v1/series/korea-view", nil).Want(http.StatusOK).Decode(&sr)
		if sr.ApprovalsRequired != 1 {
			t.Fatalf("refused changes moved approvals_required to %d", sr.ApprovalsRequired)
		}
		n.editor.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"approvals_required": 2}).Want(http.StatusForbidden)
		n.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"approvals_required": 2}).Want(http.StatusOK).Decode(&sr)
		if sr.ApprovalsRequired != 2 {
			t.Fatalf("approvals_required = %d after setting 2", sr.ApprovalsRequired)
		}
		events, err := env.DB.FindAudit(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Action != "series.update" || events[0].ActorID != n.admin.UserID ||
			fmt.Sprint(events[0].Detail["approvals_required"]) != "map[from:1 to:2]" {
			t.Errorf("last audit events %+v, want the admin's series.update from 1 to 2 approvals", events)
		}
	})
}

// Two editors approving at once, where two approvals are required: both
// count, once each, and the document ends approved with exactly two.
func TestTwoApprovalsAtOnce(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		n.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"approvals_required": 2}).Want(http.StatusOK)
		second := env.CreateUser("second-editor@example.org", "editor:korea-view")
		d := createBriefing(t, n.writer, "Approved by two at once")
		moveDoc(t, n.writer, d.ID, "submit")
		statuses := make(chan int, 2)
		for _, c := range []*apptest.Client{n.editor, second} {
			go func() {
				statuses <- c.For(t).Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve"}).Status
			}()
		}
		for range 2 {
			if s := <-statuses; s != http.StatusOK {
				t.Errorf("a concurrent approval: status %d, want 200 (the loser retries as the second)", s)
			}
		}
		var after feDoc
		n.admin.Do("GET", "/api/v1/documents/"+d.ID, nil).Want(http.StatusOK).Decode(&after)
		if after.State != "approved" || len(after.Approvals) != 2 || after.Approvals[0].UserID == after.Approvals[1].UserID {
			t.Errorf("after two concurrent approvals: %+v, want approved by two different editors", after)
		}
	})
}
