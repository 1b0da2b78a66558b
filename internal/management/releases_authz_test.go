package management_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// relExpect is the status a release action gets, written out from the
// rules: only publishers of every series of the release's documents (and
// admins) see a release, the others get 404; a published release cannot
// change (409); unschedule needs a scheduled release.
func relExpect(publisher bool, action, state string) int {
	switch {
	case !publisher:
		return http.StatusNotFound
	case action == "read":
		return http.StatusOK
	case state == "published", action == "unschedule" && state != "scheduled":
		return http.StatusConflict
	case action == "delete":
		return http.StatusNoContent
	}
	return http.StatusOK
}

// TestReleaseAuthorizationTable: every role × release action × release
// state through the HTTP API; a refusal changes nothing.
func TestReleaseAuthorizationTable(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		e := newRelEnv(t, env)
		actors := []struct {
			name      string
			client    *apptest.Client
			publisher bool
		}{
			{"writer", e.writer, false},
			{"editor", e.editor, false},
			{"other-series-publisher", e.otherPublisher, false},
			{"publisher", e.publisher, true},
			{"admin", e.admin, true},
		}
		at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		fresh := func(t *testing.T, state string) relRelease {
			_, ids := e.approvedN(t, 1)
			r := e.create(t, "Table", ids)
			switch state {
			case "scheduled":
				e.publisher.Do("POST", r.path()+"/schedule", map[string]any{"at": at}).Want(http.StatusOK).Decode(&r)
			case "published":
				e.publisher.Do("POST", r.path()+"/publish", nil).Want(http.StatusOK).Decode(&r)
			}
			return r
		}
		act := func(c *apptest.Client, action string, r relRelease) *apptest.Response {
			switch action {
			case "read":
				return c.Do("GET", r.path(), nil)
			case "add_item":
				d := e.draft(t)
				return c.Do("POST", r.path()+"/items", map[string]any{"document": d.ID}, "If-Match", r.ifMatch())
			case "remove_item":
				return c.Do("DELETE", r.path()+"/items/"+r.Items[0].DocumentID, nil, "If-Match", r.ifMatch())
			case "schedule":
				return c.Do("POST", r.path()+"/schedule", map[string]any{"at": at})
			case "delete":
				return c.Do("DELETE", r.path(), nil, "If-Match", r.ifMatch())
			}
			return c.Do("POST", r.path()+"/"+action, nil) // publish, unschedule
		}
		n := 0
		for _, a := range actors {
			for _, action := range []string{"read", "add_item", "remove_item", "publish", "schedule", "unschedule", "delete"} {
				for _, state := range []string{"open", "scheduled", "published"} {
					n++
					r := fresh(t, state)
					want := relExpect(a.publisher, action, state)
					if got := act(a.client, action, r); got.Status != want {
						t.Errorf("%s %s on a %s release: %d, want %d; %s", a.name, action, state, got.Status, want, got.Body)
						continue
					}
					if want >= 300 || action == "read" {
						if now := e.release(t, r.ID); now.Version != r.Version || now.State != r.State {
							t.Errorf("%s %s on a %s release changed it: %+v", a.name, action, state, now)
						}
					}
				}
			}
		}
		t.Logf("%d release cases", n)
	})
}
