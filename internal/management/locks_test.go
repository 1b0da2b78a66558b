package management_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

type lockJSON struct {
	HolderID   string    `json:"holder_id"`
	HolderName string    `json:"holder_name"`
	Since      time.Time `json:"since"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// TestEditLocksAreLeasedNamedAndTakenOver: the first editor's lock shows on
// the document; a second POST is 409 naming the holder; take_over moves it,
// is audited and tells the holder; an API write with If-Match still lands;
// DELETE lets go.
func TestEditLocksAreLeasedNamedAndTakenOver(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := apptest.NewNewsroom(t, env)
		d := createBriefing(t, n.Writer, "Contested Piece")
		moveDoc(t, n.Writer, d.ID, "submit")

		var l lockJSON
		n.Assistant.Do("POST", "/api/v1/documents/"+d.ID+"/lock", nil).Want(http.StatusOK).Decode(&l)
		if l.HolderID != n.Assistant.UserID || !l.ExpiresAt.After(time.Now().Add(50*time.Second)) || l.ExpiresAt.After(time.Now().Add(70*time.Second)) {
			t.Fatalf("lock %+v", l)
		}
		var renewed lockJSON
		n.Assistant.Do("POST", "/api/v1/documents/"+d.ID+"/lock", map[string]any{}).Want(http.StatusOK).Decode(&renewed)
		if !renewed.Since.Equal(l.Since) {
			t.Errorf("a heartbeat moved since: %v → %v", l.Since, renewed.Since)
		}
		var got struct {
			Lock *lockJSON `json:"lock"`
		}
		n.Editor.Do("GET", "/api/v1/documents/"+d.ID, nil).Want(http.StatusOK).Decode(&got)
		if got.Lock == nil || got.Lock.HolderName != "assistant@example.org" {
			t.Fatalf("the document's lock: %+v", got.Lock)
		}

		p := wantProblem(t, n.Editor.Do("POST", "/api/v1/documents/"+d.ID+"/lock", nil), http.StatusConflict, "conflict")
		if !strings.Contains(p.Detail, "assistant@example.org is editing") {
			t.Errorf("409 does not name the holder: %s", p.Detail)
		}
		wantProblem(t, n.Publisher.Do("POST", "/api/v1/documents/"+d.ID+"/lock", nil), http.StatusForbidden, "forbidden")

		n.Editor.Do("POST", "/api/v1/documents/"+d.ID+"/lock", map[string]any{"take_over": true}).Want(http.StatusOK).Decode(&l)
		if l.HolderID != n.Editor.UserID {
			t.Fatalf("after take-over: %+v", l)
		}
		if got := notes(t, n.Assistant, "unread=true"); len(got) != 1 || got[0] != "taken_over: Contested Piece" {
			t.Errorf("the assistant was told %v", got)
		}
		if got := auditActions(t, n.Admin, "action=document.lock_take_over&object=document:"+d.ID); len(got) != 1 {
			t.Errorf("take-over events: %v", got)
		}

		// Advisory for the API: the assistant's write with If-Match lands.
		cur := getDoc(t, n.Assistant, d.ID)
		patchDoc(n.Assistant, d.ID, cur.Version, map[string]any{"title": "Contested Piece, Edited"}).Want(http.StatusOK)

		n.Assistant.Do("DELETE", "/api/v1/documents/"+d.ID+"/lock", nil).Want(http.StatusNoContent)
		n.Editor.Do("GET", "/api/v1/documents/"+d.ID, nil).Want(http.StatusOK).Decode(&got)
		if got.Lock == nil || got.Lock.HolderID != n.Editor.UserID {
			t.Errorf("someone else's DELETE let go of the lock: %+v", got.Lock)
		}
		n.Editor.Do("DELETE", "/api/v1/documents/"+d.ID+"/lock", nil).Want(http.StatusNoContent)
		n.Editor.Do("GET", "/api/v1/documents/"+d.ID, nil).Want(http.StatusOK).Decode(&got)
		if got.Lock != nil {
			t.Errorf("after DELETE: %+v", got.Lock)
		}
		n.Assistant.Do("POST", "/api/v1/documents/"+d.ID+"/lock", nil).Want(http.StatusOK)
	})
}
