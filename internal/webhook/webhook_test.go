package webhook_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/webhook"
)

// receiver is a real HTTP server that records what it is sent and answers
// with the status its test sets.
type receiver struct {
	mu     sync.Mutex
	status int
	got    []*http.Request
	bodies [][]byte
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, req)
	r.bodies = append(r.bodies, body)
	w.WriteHeader(r.status)
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func publishOne(t *testing.T, env *apptest.Env, slug string) (id string, publisher *apptest.Client) {
	t.Helper()
	admin := env.Admin()
	admin.Do("POST", "/api/v1/series", map[string]any{"slug": "korea-view", "name": "Korea View", "kind": "newsletter"})
	writer := env.CreateUser(slug+"-w@example.org", "author:korea-view")
	editor := env.CreateUser(slug+"-e@example.org", "editor:korea-view")
	publisher = env.CreateUser(slug+"-p@example.org", "publisher:korea-view")
	var d struct{ ID string }
	writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": "korea-view", "title": slug, "slug": slug,
		"fields": map[string]any{"summary": "S", "what_happened": []string{"a"}, "implications": "I"}}).Want(http.StatusCreated).Decode(&d)
	for _, step := range []struct {
		c      *apptest.Client
		action string
	}{{writer, "submit"}, {editor, "approve"}, {publisher, "publish"}} {
		step.c.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": step.action}).Want(http.StatusOK)
	}
	return d.ID, publisher
}

func TestWebhookDeliveredSignedAndRetried(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		rcv := &receiver{status: http.StatusInternalServerError}
		srv := httptest.NewServer(rcv)
		defer srv.Close()
		admin := env.Admin()
		var hook struct{ ID, Secret string }
		admin.Do("POST", "/api/v1/webhooks", map[string]any{"url": srv.URL, "events": []string{"document.published", "document.unpublished"}}).
			Want(http.StatusCreated).Decode(&hook)
		if hook.Secret == "" {
			t.Fatal("no secret returned")
		}
		admin.Do("POST", "/api/v1/webhooks", map[string]any{"url": "ftp://x", "events": []string{"nope"}}).Want(http.StatusBadRequest)

		id, publisher := publishOne(t, env, "first")
		if rcv.count() != 0 {
			t.Fatal("the publish itself called the receiver")
		}
		w := webhook.NewWorker(env.DB, webhook.WorkerConfig{BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond, MaxAttempts: 3})
		// First attempt fails (500), the retry succeeds.
		if n, err := w.DeliverDue(t.Context()); err != nil || n != 0 {
			t.Fatalf("first round: %d, %v", n, err)
		}
		rcv.mu.Lock()
		rcv.status = http.StatusNoContent
		rcv.mu.Unlock()
		time.Sleep(5 * time.Millisecond) // past the 1 ms backoff
		if n, err := w.DeliverDue(t.Context()); err != nil || n != 1 {
			t.Fatalf("second round: %d, %v", n, err)
		}
		if n, _ := w.DeliverDue(t.Context()); n != 0 {
			t.Fatalf("delivered twice")
		}
		req, body := rcv.got[1], rcv.bodies[1]
		ts, _ := strconv.ParseInt(req.Header.Get(webhook.TimestampHeader), 10, 64)
		if want := webhook.Sign(hook.Secret, ts, body); req.Header.Get(webhook.SignatureHeader) != want {
			t.Errorf("signature %q, want %q", req.Header.Get(webhook.SignatureHeader), want)
		}
		var p webhook.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		if p.Event != "document.published" || p.DocumentID != id || p.Series != "korea-view" || p.Slug != "first" || len(p.Paths) == 0 {
			t.Errorf("payload %+v", p)
		}
		var log struct {
			Data []webhook.Attempt
		}
		admin.Do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries", nil).Want(http.StatusOK).Decode(&log)
		if len(log.Data) != 2 || log.Data[0].StatusCode != 204 || log.Data[1].StatusCode != 500 {
			t.Errorf("attempt log %+v", log.Data)
		}

		// A draft edit of the live document sends nothing; an unpublish does.
		var d struct{ Version int }
		publisher.Do("GET", "/api/v1/documents/"+id, nil).Decode(&d)
		env.CreateUser("copy@example.org", "assistant:korea-view").Do("PATCH", "/api/v1/documents/"+id,
			map[string]any{"title": "changed"}, "If-Match", fmt.Sprintf(`"%d"`, d.Version)).Want(http.StatusOK)
		if n, _ := w.DeliverDue(t.Context()); n != 0 {
			t.Errorf("a draft edit was sent")
		}
		publisher.Do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": "unpublish"}).Want(http.StatusOK)
		if n, err := w.DeliverDue(t.Context()); n != 1 || err != nil {
			t.Errorf("unpublish: %d, %v", n, err)
		}
		admin.Do("DELETE", "/api/v1/webhooks/"+hook.ID, nil).Want(http.StatusNoContent)
		env.CreateUser("nobody@example.org").Do("GET", "/api/v1/webhooks", nil).Want(http.StatusForbidden)
	})
}

func TestWebhookGivesUpAfterMaxAttempts(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		rcv := &receiver{status: http.StatusBadGateway}
		srv := httptest.NewServer(rcv)
		defer srv.Close()
		env.Admin().Do("POST", "/api/v1/webhooks", map[string]any{"url": srv.URL, "events": []string{"document.published"}}).Want(http.StatusCreated)
		publishOne(t, env, "doomed")
		w := webhook.NewWorker(env.DB, webhook.WorkerConfig{BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond, MaxAttempts: 3})
		for range 6 {
			if _, err := w.DeliverDue(t.Context()); err != nil {
				t.Fatal(err)
			}
			time.Sleep(3 * time.Millisecond)
		}
		if rcv.count() != 3 {
			t.Errorf("receiver called %d times, want 3", rcv.count())
		}
	})
}
