package admin_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// sectionOf cuts the dashboard section with this id out of a page.
func sectionOf(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<section class="card" id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no section %q on the page", id)
	}
	end := strings.Index(page[start:], "</section>")
	return page[start : start+end]
}

// TestDashboardShowsAssignedToMeAndOverdue: what an editor assigns shows
// under "Assigned to me" for the assignee only, with its due date; a late
// piece is under "Overdue", in red, with how late it is.
func TestDashboardShowsAssignedToMeAndOverdue(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		late := create(t, n.writer, "The Late Piece")
		soon := create(t, n.writer, "The Piece Due Soon")
		due := time.Now().UTC().Add(-3*time.Hour - time.Minute).Truncate(time.Second)
		n.editor.Do("PATCH", "/api/v1/documents/"+late.ID, map[string]any{"assignee": n.writer.UserID, "due_at": due.Format(time.RFC3339)},
			"If-Match", `"`+itoa(late.Version)+`"`).Want(http.StatusOK)
		n.editor.Do("PATCH", "/api/v1/documents/"+soon.ID, map[string]any{"due_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339)},
			"If-Match", `"`+itoa(soon.Version)+`"`).Want(http.StatusOK)

		page := get(t, n.writer, "/admin", http.StatusOK)
		mine := sectionOf(t, page, "assigned")
		contains(t, mine, "Assigned to me", "The Late Piece", `Due <time datetime="`+due.Format(time.RFC3339)+`"`)
		lacks(t, mine, "The Piece Due Soon")
		overdue := sectionOf(t, page, "overdue")
		contains(t, overdue, "The Late Piece", `<strong class="late">3 hours late</strong>`)
		lacks(t, overdue, "The Piece Due Soon")
		contains(t, page, "The Piece Due Soon")

		editor := get(t, n.editor, "/admin", http.StatusOK)
		lacks(t, sectionOf(t, editor, "assigned"), "The Late Piece")
		contains(t, sectionOf(t, editor, "overdue"), "The Late Piece")
	})
}
