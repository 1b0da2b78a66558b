package management_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

type auditJSON struct {
	ID         int64          `json:"id"`
	ActorID    string         `json:"actor_id"`
	Action     string         `json:"action"`
	ObjectType string         `json:"object_type"`
	ObjectID   string         `json:"object_id"`
	Detail     map[string]any `json:"detail"`
	CreatedAt  time.Time      `json:"created_at"`
}

type auditPage struct {
	Data       []auditJSON `json:"data"`
	NextCursor string      `json:"next_cursor"`
}

func auditActions(t *testing.T, c *apptest.Client, query string) []string {
	t.Helper()
	var p auditPage
	c.Do("GET", "/api/v1/audit?"+query, nil).Want(http.StatusOK).Decode(&p)
	var out []string
	for _, ev := range p.Data {
		out = append(out, ev.Action)
	}
	return out
}

// TestAuditLogRecordsAndFilters: sign-ins, failed sign-ins, tokens
// (created, first use of the day, revoked), role changes, assignments and
// notification settings are events; admins filter them by actor, object,
// action and time and page with a cursor; editors read only their
// series' documents' events; others are refused; the export is NDJSON.
func TestAuditLogRecordsAndFilters(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		start := time.Now().Add(-time.Second)
		n := apptest.NewNewsroom(t, env)
		env.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"email": "writer@example.org", "password": "wrong-password"}).
			Want(http.StatusUnauthorized)
		tok := createToken(t, n.Writer, map[string]any{"name": "script"})
		bearer := bearerClient(env, tok.Token)
		bearer.Do("GET", "/api/v1/me", nil).Want(http.StatusOK)
		bearer.Do("GET", "/api/v1/documents", nil).Want(http.StatusOK)
		n.Writer.Do("DELETE", "/api/v1/tokens/"+tok.ID, nil).Want(http.StatusNoContent)
		d := createBriefing(t, n.Writer, "Audited Piece")
		patchDoc(n.Editor, d.ID, d.Version, map[string]any{"assignee": n.Writer.UserID}).Want(http.StatusOK)
		n.Writer.Do("PUT", "/api/v1/me/notifications", map[string]any{"mail": map[string]bool{"digest": false}}).Want(http.StatusOK)
		n.Admin.Do("POST", "/api/v1/roles", map[string]any{"user_id": n.Writer.UserID, "role": "assistant", "series": apptest.Series}).
			Want(http.StatusCreated)

		if got := auditActions(t, n.Admin, "action=token."); !slices.Equal(got, []string{"token.revoke", "token.use", "token.create"}) {
			t.Errorf("token events: %v", got)
		}
		if got := auditActions(t, n.Admin, "action=user.login_failed"); len(got) != 1 {
			t.Errorf("failed sign-ins: %v", got)
		}
		if got := auditActions(t, n.Admin, "action=user.login&actor="+n.Writer.UserID); len(got) != 1 {
			t.Errorf("the writer's sign-ins: %v", got)
		}
		if got := auditActions(t, n.Admin, "object=document:"+d.ID); !slices.Equal(got, []string{"document.assign"}) {
			t.Errorf("the document's events: %v", got)
		}
		if got := auditActions(t, n.Admin, "action=notifications.preferences&actor="+n.Writer.UserID); len(got) != 1 {
			t.Errorf("the writer's notification settings: %v", got)
		}
		if got := auditActions(t, n.Admin, "action=role.assign&actor="+n.Admin.UserID+"&object=user:"+n.Writer.UserID); len(got) != 1 {
			t.Errorf("the admin's role change for the writer: %v", got)
		}
		if got := auditActions(t, n.Admin, "to="+url.QueryEscape(start.Format(time.RFC3339Nano))); len(got) != 0 {
			t.Errorf("events before the test began: %v", got)
		}

		// Pages: newest first, each event once.
		var all []int64
		for cursor := ""; ; {
			var p auditPage
			n.Admin.Do("GET", "/api/v1/audit?limit=3&cursor="+cursor, nil).Want(http.StatusOK).Decode(&p)
			for _, ev := range p.Data {
				all = append(all, ev.ID)
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if len(all) < 10 || !slices.IsSortedFunc(all, func(a, b int64) int { return int(b - a) }) || len(slices.Compact(slices.Clone(all))) != len(all) {
			t.Errorf("paged ids: %v", all)
		}

		// Editors: their series' documents only. Writers: refused.
		if got := auditActions(t, n.Editor, ""); !slices.Equal(got, []string{"document.assign"}) {
			t.Errorf("the editor reads %v, want only the document's assignment", got)
		}
		wantProblem(t, n.Publisher.Do("GET", "/api/v1/audit", nil), http.StatusForbidden, "forbidden")
		wantProblem(t, n.Admin.Do("GET", "/api/v1/audit?from=yesterday", nil), http.StatusBadRequest, "invalid")
		wantProblem(t, n.Admin.Do("GET", "/api/v1/audit?cursor=abc", nil), http.StatusBadRequest, "invalid")

		r := n.Admin.Do("GET", "/api/v1/audit/export?action=token.", nil).Want(http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "application/x-ndjson" {
			t.Errorf("export Content-Type %q", ct)
		}
		var lines []string
		sc := bufio.NewScanner(bytes.NewReader(r.Body))
		for sc.Scan() {
			var ev auditJSON
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Fatalf("export line %q: %v", sc.Text(), err)
			}
			lines = append(lines, ev.Action)
		}
		if !slices.Equal(lines, []string{"token.revoke", "token.use", "token.create"}) {
			t.Errorf("export: %v", lines)
		}
		wantProblem(t, n.Writer.Do("GET", "/api/v1/audit/export", nil), http.StatusForbidden, "forbidden")
	})
}
