package admin_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// The series page sets how many approvals a series needs; the document
// page shows "1 of 2 approvals", offers Approve only to an editor whose
// eyes are fresh, and tells one who rewrote the text why not.
func TestApprovalsInTheUI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		page := get(t, n.admin, "/admin/series/korea-view", http.StatusOK)
		contains(t, page, `name="approvals_required"`, `<option value="1" selected>1 editor</option>`)
		form := url.Values{"name": {"Korea View"}, "kind": {"newsletter"}, "parent": {"the-peninsula"}}
		form.Set("approvals_required", "3")
		post(t, n.admin, "/admin/series/korea-view", form, http.StatusOK)
		if got := approvalsRequired(t, n.admin); got != 1 {
			t.Fatalf("a refused form set approvals_required to %d", got)
		}
		form.Set("approvals_required", "2")
		contains(t, post(t, n.admin, "/admin/series/korea-view", form, http.StatusOK), "Saved the series Korea View.")
		if got := approvalsRequired(t, n.admin); got != 2 {
			t.Fatalf("approvals_required = %d after the form set 2", got)
		}

		second := env.CreateUser("second-editor@example.org", "editor:korea-view")
		d := create(t, n.writer)
		d = transition(t, n.writer, d.ID, "submit")
		path := "/admin/documents/" + d.ID
		page = get(t, n.editor, path, http.StatusOK)
		contains(t, page, "0 of 2 approvals", "Approve (1 of 2)")

		page = post(t, n.editor, path+"/transitions", url.Values{"action": {"approve"}, "version": {strconv.Itoa(d.Version)}}, http.StatusOK)
		contains(t, page, "Approved: 1 of 2 approvals", "1 of 2 approvals · editor@example.org", "gave the first of two approvals")
		if slices.Contains(actionsOf(page), "approve") {
			t.Error("the page offers the first approver a second approval")
		}
		contains(t, page, "You cannot approve: you already approved this revision")

		page = get(t, second, path, http.StatusOK)
		contains(t, page, "Approve (2 of 2)")

		// The assistant's rewrite resets the count; an editor who rewrites
		// may not approve and is told why.
		var cur doc
		n.admin.Do("GET", "/api/v1/documents/"+d.ID, nil).Want(http.StatusOK).Decode(&cur)
		second.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": "Rewritten by the second editor"},
			"If-Match", `"`+strconv.Itoa(cur.Version)+`"`).Want(http.StatusOK)
		page = get(t, second, path, http.StatusOK)
		contains(t, page, "0 of 2 approvals", "You cannot approve: you changed its text since it was submitted; another editor must approve it")
		if slices.Contains(actionsOf(page), "approve") {
			t.Error("the page offers Approve to the editor who rewrote the text")
		}
		contains(t, get(t, n.editor, path, http.StatusOK), "Approve (1 of 2)")
	})
}

func approvalsRequired(t *testing.T, c *apptest.Client) int {
	t.Helper()
	var sr struct {
		ApprovalsRequired int `json:"approvals_required"`
	}
	if err := json.Unmarshal(c.Do("GET", "/api/v1/series/korea-view", nil).Want(http.StatusOK).Body, &sr); err != nil {
		t.Fatal(err)
	}
	return sr.ApprovalsRequired
}
