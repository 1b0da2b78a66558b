package admin_test

import (
	"net/http"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestAuditPageFiltersAndScopes: admins see every event and filter by
// action; editors see their series' documents' events only; a bad filter
// says why; writers have no link and are refused.
func TestAuditPageFiltersAndScopes(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		d := create(t, n.writer, "Audited On The Page")
		n.editor.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"assignee": n.writer.UserID},
			"If-Match", `"`+itoa(d.Version)+`"`).Want(http.StatusOK)

		page := get(t, n.admin, "/admin/audit", http.StatusOK)
		contains(t, page, `href="/admin/audit"`, `data-action="document.assign"`, `data-action="user.login"`, `href="/api/v1/audit/export?"`)
		filtered := get(t, n.admin, "/admin/audit?action=document.assign", http.StatusOK)
		contains(t, filtered, `data-action="document.assign"`, `href="/admin/documents/`+d.ID+`"`, `href="/api/v1/audit/export?action=document.assign"`)
		lacks(t, filtered, `data-action="user.login"`)

		editor := get(t, n.editor, "/admin/audit", http.StatusOK)
		contains(t, editor, `data-action="document.assign"`)
		lacks(t, editor, `data-action="user.login"`)
		contains(t, get(t, n.admin, "/admin/audit?from=someday", http.StatusBadRequest), "flash-error", "from")

		lacks(t, get(t, n.writer, "/admin", http.StatusOK), `href="/admin/audit"`)
		get(t, n.writer, "/admin/audit", http.StatusForbidden)
	})
}
