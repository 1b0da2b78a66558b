package admin_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

func TestDeleteDocumentInTheUI(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer)
		path := "/admin/documents/" + d.ID
		button := `href="` + path + `/delete"`

		t.Run("offered to whom the enforcer allows", func(t *testing.T) {
			contains(t, get(t, n.writer, path, http.StatusOK), button) // an author, their own draft
			contains(t, get(t, n.editor, path, http.StatusOK), button) // an editor, any draft
			lacks(t, get(t, n.assistant, path, http.StatusOK), button)
			lacks(t, get(t, n.publisher, path, http.StatusOK), button)
			get(t, n.assistant, path+"/delete", http.StatusForbidden)
			page := post(t, n.assistant, path+"/delete", url.Values{"version": {"1"}}, http.StatusOK)
			contains(t, page, "flash-error")
			fetchDoc(t, n.writer, d.ID)
		})
		t.Run("a stale version deletes nothing", func(t *testing.T) {
			page := post(t, n.writer, path+"/delete", url.Values{"version": {"7"}}, http.StatusOK)
			contains(t, page, "Someone changed this document since you opened it")
			fetchDoc(t, n.writer, d.ID)
		})
		t.Run("a forged form deletes nothing", func(t *testing.T) {
			post(t, n.writer, path+"/delete", url.Values{"version": {"1"}, "csrf_token": {"forged"}}, http.StatusForbidden)
			fetchDoc(t, n.writer, d.ID)
		})

		page := get(t, n.writer, path+"/delete", http.StatusOK)
		contains(t, page, "Delete “Beijing Calibrates Its Approach to Seoul”?", "cannot be undone",
			`action="`+path+`/delete"`, `name="version" value="1"`, `href="`+path+`">Keep it`)
		page = post(t, n.writer, path+"/delete", url.Values{"version": {"1"}}, http.StatusOK)
		contains(t, page, "Document deleted.", "<h1>Documents</h1>")
		lacks(t, page, path)
		n.writer.Do("GET", "/api/v1/documents/"+d.ID, nil).Want(http.StatusNotFound)
		get(t, n.writer, path, http.StatusNotFound)
	})
}

// TestNoDeleteWhileLive: a published document edited since is a draft
// again, which its author may delete, but it is still live: no button,
// and the content service refuses.
func TestNoDeleteWhileLive(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer)
		transition(t, n.writer, d.ID, "submit")
		transition(t, n.editor, d.ID, "approve")
		transition(t, n.publisher, d.ID, "publish")
		var cur doc
		n.writer.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": "A later title"}, "If-Match", `"4"`).
			Want(http.StatusOK).Decode(&cur)
		if cur.State != "draft" {
			t.Fatalf("after editing a live document: state %q, want draft", cur.State)
		}
		path := "/admin/documents/" + d.ID
		for _, c := range []*apptest.Client{n.writer, n.editor, n.admin} {
			lacks(t, get(t, c, path, http.StatusOK), `href="`+path+`/delete"`)
		}
		contains(t, get(t, n.writer, path+"/delete", http.StatusConflict), "unpublish it first")
		page := post(t, n.writer, path+"/delete", url.Values{"version": {strconv.Itoa(cur.Version)}}, http.StatusOK)
		contains(t, page, "The document is live; unpublish it first.")
		fetchDoc(t, n.writer, d.ID)
	})
}
