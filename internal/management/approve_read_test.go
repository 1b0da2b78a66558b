package management_test

import (
	"net/http"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// An approver acts on the version they read: with If-Match, an edit made
// since is a 412 and nothing moves; a weak tag never matches; and the
// workflow event records which version the actor named, or none.
func TestApprovalNamesTheVersionRead(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := createBriefing(t, n.writer, "Read before approving")
		path := "/api/v1/documents/" + d.ID + "/transitions"
		submitted := decodeFull(t, n.writer.Do("POST", path, map[string]any{"action": "submit"}, "If-Match", versionTag(d.Version)).
			Want(http.StatusOK))

		// The assistant edits after the editor opened the piece.
		edited := decodeFull(t, patchDoc(n.assistant, d.ID, submitted.Version, map[string]any{"title": "Edited meanwhile"}).
			Want(http.StatusOK))
		wantProblem(t, n.editor.Do("POST", path, map[string]any{"action": "approve"}, "If-Match", versionTag(submitted.Version)),
			http.StatusPreconditionFailed, "precondition_failed")
		wantProblem(t, n.editor.Do("POST", path, map[string]any{"action": "approve"}, "If-Match", "W/"+versionTag(edited.Version)),
			http.StatusPreconditionFailed, "precondition_failed")
		if got := getDoc(t, n.editor, d.ID); got.State != "in_review" || got.ApprovedRevision != nil {
			t.Fatalf("a refused approval moved the document: %+v", got)
		}

		n.editor.Do("POST", path, map[string]any{"action": "approve"}, "If-Match", versionTag(edited.Version)).Want(http.StatusOK)
		// Without If-Match the documented call still works, on the head.
		n.publisher.Do("POST", path, map[string]any{"action": "publish"}).Want(http.StatusOK)

		var events struct {
			Data []struct {
				Action         string `json:"action"`
				BasedOnVersion *int   `json:"based_on_version"`
			} `json:"data"`
		}
		n.editor.Do("GET", "/api/v1/documents/"+d.ID+"/events", nil).Want(http.StatusOK).Decode(&events)
		want := map[string]*int{"create": nil, "submit": &d.Version, "edit": &submitted.Version, "approve": &edited.Version, "publish": nil}
		if len(events.Data) != len(want) {
			t.Fatalf("events %+v, want one each of %v", events.Data, want)
		}
		for _, e := range events.Data {
			w, ok := want[e.Action]
			switch {
			case !ok:
				t.Errorf("unexpected event %q", e.Action)
			case (w == nil) != (e.BasedOnVersion == nil), w != nil && *w != *e.BasedOnVersion:
				t.Errorf("event %q based on version %s, want %s", e.Action, fmtVersion(e.BasedOnVersion), fmtVersion(w))
			}
		}
	})
}

func fmtVersion(v *int) string {
	if v == nil {
		return "none"
	}
	return versionTag(*v)
}
