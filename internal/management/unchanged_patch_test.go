package management_test

import (
	"net/http"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestPatchThatChangesNothing: an editor left open re-sends what the
// document already holds. That keeps no revision, moves no version and no
// state — an approved document stays approved — and a stale If-Match is
// still refused.
func TestPatchThatChangesNothing(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := approvedBriefing(t, n, "Unchanged Briefing")
		same := map[string]any{"title": d.Title, "slug": d.Slug, "fields": d.Fields, "topics": d.Topics}
		for range 3 {
			got := decodeFull(t, patchDoc(n.editor, d.ID, d.Version, same).Want(http.StatusOK))
			if got.Version != d.Version || got.HeadRevision != d.HeadRevision || got.State != "approved" {
				t.Fatalf("an unchanged PATCH moved the document: version %d→%d, head %d→%d, state %s",
					d.Version, got.Version, d.HeadRevision, got.HeadRevision, got.State)
			}
		}
		var revs struct {
			Data []revisionJSON `json:"data"`
		}
		n.editor.Do("GET", "/api/v1/documents/"+d.ID+"/revisions", nil).Want(http.StatusOK).Decode(&revs)
		if len(revs.Data) != d.HeadRevision {
			t.Errorf("%d revisions after unchanged PATCHes, want %d", len(revs.Data), d.HeadRevision)
		}
		patchDoc(n.editor, d.ID, d.Version-1, same).Want(http.StatusPreconditionFailed)

		changed := decodeFull(t, patchDoc(n.editor, d.ID, d.Version, map[string]any{"title": "Changed Briefing"}).Want(http.StatusOK))
		if changed.Version != d.Version+1 || changed.HeadRevision != d.HeadRevision+1 || changed.State != "in_review" {
			t.Errorf("a real change: version %d head %d state %s", changed.Version, changed.HeadRevision, changed.State)
		}
	})
}
