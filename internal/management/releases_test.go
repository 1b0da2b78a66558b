package management_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/webhook"
)

// relEnv is the example newsroom (apptest.NewNewsroom) for releases, with
// a publisher of another series and a webhook that subscribes to every
// publish event.
type relEnv struct {
	env                       *apptest.Env
	admin                     *apptest.Client
	writer, editor, publisher *apptest.Client
	otherPublisher            *apptest.Client
	seq                       int
}

func newRelEnv(t *testing.T, env *apptest.Env) *relEnv {
	t.Helper()
	n := apptest.NewNewsroom(t, env)
	n.Admin.Do("POST", "/api/v1/series", map[string]any{"slug": "other-series", "name": "Other Series", "kind": "blog"}).
		Want(http.StatusCreated)
	n.Admin.Do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.org/masthead",
		"events": []string{"document.published", "release.published"}}).Want(http.StatusCreated)
	return &relEnv{env: env, admin: n.Admin, writer: n.Writer, editor: n.Editor, publisher: n.Publisher,
		otherPublisher: env.CreateUser("other-publisher@example.org", "publisher:other-series"),
	}
}

type relDoc struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	State        string `json:"state"`
	Version      int    `json:"version"`
	LiveRevision *int   `json:"live_revision"`
}

type relItem struct {
	DocumentID string        `json:"document_id"`
	Title      string        `json:"title"`
	Live       bool          `json:"live"`
	Ready      bool          `json:"ready"`
	Blockers   []cms.Blocker `json:"blockers"`
}

type relRelease struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	State   string    `json:"state"`
	Version int       `json:"version"`
	Items   []relItem `json:"items"`
}

func (r relRelease) path() string    { return "/api/v1/releases/" + r.ID }
func (r relRelease) ifMatch() string { return fmt.Sprintf(`"%d"`, r.Version) }

// draft creates a complete briefing as the writer.
func (e *relEnv) draft(t *testing.T) relDoc {
	t.Helper()
	e.seq++
	var d relDoc
	e.writer.Do("POST", "/api/v1/documents", map[string]any{
		"type": "briefing", "series": "korea-view", "title": fmt.Sprintf("Launch piece %d", e.seq),
		"fields": map[string]any{"summary": "Summary.", "what_happened": []string{"It happened."}, "implications": "It matters."},
	}).Want(http.StatusCreated).Decode(&d)
	return d
}

// approved creates a briefing and takes it through review.
func (e *relEnv) approved(t *testing.T) relDoc {
	t.Helper()
	d := e.draft(t)
	e.writer.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "submit"}).Want(http.StatusOK)
	e.editor.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve"}).Want(http.StatusOK).Decode(&d)
	return d
}

func (e *relEnv) approvedN(t *testing.T, n int) ([]relDoc, []string) {
	t.Helper()
	var docs []relDoc
	var ids []string
	for range n {
		d := e.approved(t)
		docs, ids = append(docs, d), append(ids, d.ID)
	}
	return docs, ids
}

func (e *relEnv) doc(t *testing.T, id string) relDoc {
	t.Helper()
	var d relDoc
	e.admin.Do("GET", "/api/v1/documents/"+id, nil).Want(http.StatusOK).Decode(&d)
	return d
}

func (e *relEnv) release(t *testing.T, id string) relRelease {
	t.Helper()
	var r relRelease
	e.admin.Do("GET", "/api/v1/releases/"+id, nil).Want(http.StatusOK).Decode(&r)
	return r
}

func (e *relEnv) create(t *testing.T, name string, ids []string) relRelease {
	t.Helper()
	var r relRelease
	e.publisher.Do("POST", "/api/v1/releases", map[string]any{"name": name, "documents": ids}).Want(http.StatusCreated).Decode(&r)
	return r
}

// outbox counts the queued webhook messages by event, and returns the
// release.published payloads.
func outbox(t *testing.T, db *store.DB) (map[string]int, []webhook.ReleasePayload) {
	t.Helper()
	now := time.Now().Add(time.Hour)
	msgs, err := db.ClaimDue(context.Background(), now, now.Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	var releases []webhook.ReleasePayload
	for _, m := range msgs {
		counts[m.Event]++
		if m.Event == webhook.EventReleasePublished {
			var p webhook.ReleasePayload
			if err := json.Unmarshal(m.Payload, &p); err != nil {
				t.Fatal(err)
			}
			releases = append(releases, p)
		}
	}
	return counts, releases
}

// wantNotLive checks that none of docs went live or changed.
func (e *relEnv) wantNotLive(t *testing.T, docs []relDoc) {
	t.Helper()
	for _, d := range docs {
		now := e.doc(t, d.ID)
		if now.LiveRevision != nil || now.Version != d.Version {
			t.Errorf("%q: live %v version %d, want it untouched at version %d", d.Title, now.LiveRevision, now.Version, d.Version)
		}
	}
}

func TestReleasePublishesEveryItemTogether(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		e := newRelEnv(t, env)
		docs, ids := e.approvedN(t, 5)
		r := e.create(t, "Korea report launch", ids)
		if r.State != "open" || len(r.Items) != 5 {
			t.Fatalf("created %+v", r)
		}
		for _, it := range r.Items {
			if !it.Ready || it.Live || len(it.Blockers) != 0 {
				t.Errorf("item %+v, want ready", it)
			}
		}
		var after relRelease
		e.publisher.Do("POST", r.path()+"/publish", nil).Want(http.StatusOK).Decode(&after)
		if after.State != "published" || after.Version != r.Version+1 {
			t.Errorf("after publish: %+v", after)
		}
		for _, d := range docs {
			if now := e.doc(t, d.ID); now.State != "published" || now.LiveRevision == nil || now.Version != d.Version+1 {
				t.Errorf("%q: state %s live %v version %d", d.Title, now.State, now.LiveRevision, now.Version)
			}
			env.Anonymous().Do("GET", "/delivery/v1/documents/korea-view/"+slugOf(t, e, d.ID), nil).Want(http.StatusOK)
		}
		counts, releases := outbox(t, env.DB)
		if counts[webhook.EventPublished] != 5 || counts[webhook.EventReleasePublished] != 1 {
			t.Errorf("outbox %v, want 5 document.published and 1 release.published", counts)
		}
		if len(releases) == 1 {
			p := releases[0]
			if p.ReleaseID != r.ID || p.Name != "Korea report launch" || len(p.Documents) != 5 || p.Documents[0].Slug == "" {
				t.Errorf("release.published payload %+v", p)
			}
		}
		// A published release is the record of what went live.
		e.publisher.Do("POST", r.path()+"/publish", nil).Want(http.StatusConflict)
		e.publisher.Do("DELETE", r.path(), nil, "If-Match", after.ifMatch()).Want(http.StatusConflict)
		if counts, _ := outbox(t, env.DB); len(counts) != 0 {
			t.Errorf("outbox after the refusals: %v", counts)
		}
	})
}

func slugOf(t *testing.T, e *relEnv, id string) string {
	t.Helper()
	var d struct {
		Slug string `json:"slug"`
	}
	e.admin.Do("GET", "/api/v1/documents/"+id, nil).Want(http.StatusOK).Decode(&d)
	return d.Slug
}

func TestReleaseWithOneBlockingItemPublishesNone(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		e := newRelEnv(t, env)
		docs, ids := e.approvedN(t, 5)
		r := e.create(t, "Launch", ids)
		// An item edited after it joined drops back to review.
		e.editor.Do("PATCH", "/api/v1/documents/"+docs[3].ID, map[string]any{"title": "Launch piece, edited"},
			"If-Match", fmt.Sprintf(`"%d"`, docs[3].Version)).Want(http.StatusOK).Decode(&docs[3])
		if docs[3].State != "in_review" {
			t.Fatalf("edited item is %s, want in_review", docs[3].State)
		}
		shown := e.release(t, r.ID)
		for i, it := range shown.Items {
			blocking := len(it.Blockers) > 0
			if blocking != (i == 3) || it.Ready == (i == 3) {
				t.Errorf("item %d: %+v", i, it)
			}
		}

		p := e.publisher.Do("POST", r.path()+"/publish", nil).Want(http.StatusConflict)
		var problem struct {
			Blockers []cms.Blocker `json:"blockers"`
		}
		p.Decode(&problem)
		if len(problem.Blockers) != 1 {
			t.Fatalf("blockers %+v, want the edited item alone", problem.Blockers)
		}
		if b := problem.Blockers[0]; b.DocumentID != docs[3].ID || b.Title != "Launch piece, edited" || b.Reason != "not_approved" || b.Message == "" {
			t.Errorf("blocker %+v", b)
		}
		e.wantNotLive(t, docs)
		if now := e.release(t, r.ID); now.State != "open" || now.Version != r.Version {
			t.Errorf("release after the refusal: %+v", now)
		}
		if counts, _ := outbox(t, env.DB); len(counts) != 0 {
			t.Errorf("outbox after the refusal: %v", counts)
		}

		// Approved again — by other eyes than the editor's, who rewrote
		// it — it no longer blocks.
		e.admin.Do("POST", "/api/v1/documents/"+docs[3].ID+"/transitions", map[string]any{"action": "approve"}).Want(http.StatusOK)
		e.publisher.Do("POST", r.path()+"/publish", nil).Want(http.StatusOK)
	})
}

// TestReleaseBadInputChangesNothing: every refusal is a 4xx problem, and
// the releases and documents stay as they were.
func TestReleaseBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		e := newRelEnv(t, env)
		docs, ids := e.approvedN(t, 2)
		draft := e.draft(t)
		r := e.create(t, "Launch", ids)
		for _, c := range []struct {
			name   string
			client *apptest.Client
			method string
			path   string
			body   any
			want   int
			header []string
		}{
			{"empty name", e.publisher, "POST", "/api/v1/releases", map[string]any{"name": "  ", "documents": ids}, 400, nil},
			{"unknown document", e.publisher, "POST", "/api/v1/releases", map[string]any{"name": "X", "documents": []string{"nope"}}, 400, nil},
			{"duplicate document", e.publisher, "POST", "/api/v1/releases", map[string]any{"name": "X", "documents": []string{ids[0], ids[0]}}, 400, nil},
			{"unknown field", e.publisher, "POST", "/api/v1/releases", map[string]any{"name": "X", "docs": ids}, 400, nil},
			{"editor creates", e.editor, "POST", "/api/v1/releases", map[string]any{"name": "X", "documents": ids}, 403, nil},
			{"other series' publisher", e.otherPublisher, "POST", "/api/v1/releases", map[string]any{"name": "X", "documents": ids}, 403, nil},
			{"other series' publisher reads", e.otherPublisher, "GET", r.path(), nil, 404, nil},
			{"other series' publisher publishes", e.otherPublisher, "POST", r.path() + "/publish", nil, 404, nil},
			{"duplicate item", e.publisher, "POST", r.path() + "/items", map[string]any{"document": ids[0]}, 400, []string{"If-Match", r.ifMatch()}},
			{"unknown item", e.publisher, "POST", r.path() + "/items", map[string]any{"document": "nope"}, 400, []string{"If-Match", r.ifMatch()}},
			{"item without If-Match", e.publisher, "POST", r.path() + "/items", map[string]any{"document": draft.ID}, 428, nil},
			{"item at a stale version", e.publisher, "POST", r.path() + "/items", map[string]any{"document": draft.ID}, 412, []string{"If-Match", `"9"`}},
			{"remove what is not there", e.publisher, "DELETE", r.path() + "/items/" + draft.ID, nil, 404, []string{"If-Match", r.ifMatch()}},
			{"schedule in the past", e.publisher, "POST", r.path() + "/schedule", map[string]any{"at": "2020-01-01T00:00:00Z"}, 400, nil},
			{"schedule without a time", e.publisher, "POST", r.path() + "/schedule", map[string]any{}, 400, nil},
			{"unschedule an open release", e.publisher, "POST", r.path() + "/unschedule", nil, 409, nil},
			{"delete without If-Match", e.publisher, "DELETE", r.path(), nil, 428, nil},
			{"unknown release", e.publisher, "GET", "/api/v1/releases/nope", nil, 404, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				resp := c.client.Do(c.method, c.path, c.body, c.header...)
				if resp.Status != c.want {
					t.Fatalf("status %d, want %d; body %s", resp.Status, c.want, resp.Body)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("content type %q", ct)
				}
			})
		}
		var list struct {
			Data []relRelease `json:"data"`
		}
		e.publisher.Do("GET", "/api/v1/releases", nil).Want(http.StatusOK).Decode(&list)
		if len(list.Data) != 1 || list.Data[0].Version != r.Version || len(list.Data[0].Items) != 2 {
			t.Errorf("releases after the refusals: %+v", list.Data)
		}
		e.otherPublisher.Do("GET", "/api/v1/releases", nil).Want(http.StatusOK).Decode(&list)
		if len(list.Data) != 0 {
			t.Errorf("the other series' publisher sees %+v", list.Data)
		}
		e.wantNotLive(t, docs)

		// An unapproved document may join; it shows as blocking, and
		// blocks both publish and schedule.
		var withDraft relRelease
		e.publisher.Do("POST", r.path()+"/items", map[string]any{"document": draft.ID}, "If-Match", r.ifMatch()).
			Want(http.StatusOK).Decode(&withDraft)
		if len(withDraft.Items) != 3 || withDraft.Items[2].Ready || len(withDraft.Items[2].Blockers) == 0 {
			t.Fatalf("with the draft: %+v", withDraft)
		}
		at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		e.publisher.Do("POST", r.path()+"/schedule", map[string]any{"at": at}).Want(http.StatusConflict)
		e.publisher.Do("POST", r.path()+"/publish", nil).Want(http.StatusConflict)
		e.wantNotLive(t, docs)

		var removed relRelease
		e.publisher.Do("DELETE", r.path()+"/items/"+draft.ID, nil, "If-Match", withDraft.ifMatch()).Want(http.StatusOK).Decode(&removed)
		var scheduled relRelease
		e.publisher.Do("POST", r.path()+"/schedule", map[string]any{"at": at}).Want(http.StatusOK).Decode(&scheduled)
		if scheduled.State != "scheduled" || len(scheduled.Items) != 2 {
			t.Errorf("scheduled: %+v", scheduled)
		}
		var unscheduled relRelease
		e.publisher.Do("POST", r.path()+"/unschedule", nil).Want(http.StatusOK).Decode(&unscheduled)
		e.publisher.Do("DELETE", r.path(), nil, "If-Match", unscheduled.ifMatch()).Want(http.StatusNoContent)
		e.publisher.Do("GET", r.path(), nil).Want(http.StatusNotFound)
		e.wantNotLive(t, docs)
	})
}
