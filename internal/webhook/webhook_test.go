package webhook_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
	"github.com/masthead-cms/masthead/internal/webhook"
)

// receiver is a real HTTP server that records what it is sent and answers
// with the status its test sets (and a Location, when set). It listens on
// 127.0.0.1, so workers that should reach it must allow private targets.
type receiver struct {
	mu       sync.Mutex
	status   int
	location string
	got      []*http.Request
	bodies   [][]byte
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, req)
	r.bodies = append(r.bodies, body)
	if r.location != "" {
		w.Header().Set("Location", r.location)
	}
	w.WriteHeader(r.status)
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// publishOne takes a briefing with this slug through the newsroom's
// workflow to live and returns its id.
func publishOne(t *testing.T, n *apptest.Newsroom, slug string) string {
	t.Helper()
	var d struct{ ID string }
	n.Writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": apptest.Series, "title": slug, "slug": slug,
		"fields": map[string]any{"summary": "S", "what_happened": []string{"a"}, "implications": "I"}}).Want(http.StatusCreated).Decode(&d)
	for _, step := range []struct {
		c      *apptest.Client
		action string
	}{{n.Writer, "submit"}, {n.Editor, "approve"}, {n.Publisher, "publish"}} {
		step.c.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": step.action}).Want(http.StatusOK)
	}
	return d.ID
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

		n := apptest.NewNewsroom(t, env)
		id, publisher := publishOne(t, n, "first"), n.Publisher
		if rcv.count() != 0 {
			t.Fatal("the publish itself called the receiver")
		}
		w := webhook.NewWorker(env.DB, webhook.WorkerConfig{BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond, MaxAttempts: 3, AllowPrivate: true})
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
		n.Assistant.Do("PATCH", "/api/v1/documents/"+id,
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
		publishOne(t, apptest.NewNewsroom(t, env), "doomed")
		w := webhook.NewWorker(env.DB, webhook.WorkerConfig{BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond, MaxAttempts: 3, AllowPrivate: true})
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

// attempts reads a webhook's attempt log through the API.
func attempts(admin *apptest.Client, hookID string) []webhook.Attempt {
	var log struct{ Data []webhook.Attempt }
	admin.Do("GET", "/api/v1/webhooks/"+hookID+"/deliveries", nil).Want(http.StatusOK).Decode(&log)
	return log.Data
}

func TestWebhookURLCheckedAtRegistration(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		for _, tc := range []struct{ url, want string }{
			{"", "is required"},
			{"ftp://example.org/hook", "http:// or https://"},
			{"javascript:alert(1)", "http:// or https://"},
			{"/relative/hook", "http:// or https://"},
			{"example.org/hook", "http:// or https://"},
			{"http://", "must name a host"},
			{"http:///hook", "must name a host"},
			{"http://:8080/hook", "must name a host"},
			{"https://user:pass@example.org/hook", "user name or password"},
			{"https://user@example.org/hook", "user name or password"},
			{"https://example.org/hook#top", "fragment"},
			{"https://example.org/hook#", "fragment"},
			{"http://exa mple.org/", "absolute http(s) URL"},
			{"https://example.org/" + strings.Repeat("a", 2000), "at most 2000"},
		} {
			t.Run(tc.url, func(t *testing.T) {
				resp := admin.For(t).Do("POST", "/api/v1/webhooks", map[string]any{"url": tc.url, "events": []string{"document.published"}}).
					Want(http.StatusBadRequest)
				var p struct {
					Code   string
					Errors []struct{ Field, Message string }
				}
				resp.Decode(&p)
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("content type %q", ct)
				}
				if p.Code != "invalid" || len(p.Errors) != 1 || p.Errors[0].Field != "url" || !strings.Contains(p.Errors[0].Message, tc.want) {
					t.Errorf("problem %+v, want the url field saying %q", p, tc.want)
				}
			})
		}
		if hooks := admin.Do("GET", "/api/v1/webhooks", nil).Want(http.StatusOK).JSON()["data"].([]any); len(hooks) != 0 {
			t.Errorf("stored: %v", hooks)
		}
	})
}

// By default a webhook may name a private address, but nothing is ever
// sent there: not to an IP literal, not to a name that resolves to one.
func TestWebhookToPrivateAddressRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		rcv := &receiver{status: http.StatusNoContent}
		srv := httptest.NewServer(rcv)
		defer srv.Close()
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		admin := env.Admin()
		var literal, named struct{ ID string }
		admin.Do("POST", "/api/v1/webhooks", map[string]any{"url": srv.URL, "events": []string{"document.published"}}).
			Want(http.StatusCreated).Decode(&literal)
		admin.Do("POST", "/api/v1/webhooks", map[string]any{"url": "http://localhost:" + port + "/hook", "events": []string{"document.published"}}).
			Want(http.StatusCreated).Decode(&named)

		// The app's own worker, built with the default options.
		desk := apptest.NewNewsroom(t, env)
		publishOne(t, desk, "first")
		if n, err := env.App.Worker.DeliverDue(t.Context()); err != nil || n != 0 {
			t.Fatalf("delivered %d, %v; want 0 sent", n, err)
		}
		// A refusal is not retried, however short the backoff.
		publishOne(t, desk, "second")
		fast := webhook.NewWorker(env.DB, webhook.WorkerConfig{BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
		for range 3 {
			if n, err := fast.DeliverDue(t.Context()); err != nil || n != 0 {
				t.Fatalf("delivered %d, %v; want 0 sent", n, err)
			}
			time.Sleep(3 * time.Millisecond)
		}

		if rcv.count() != 0 {
			t.Errorf("the receiver was called %d times", rcv.count())
		}
		for _, hook := range []struct{ name, id, want string }{
			{"IP literal", literal.ID, "refused: 127.0.0.1 is a loopback address"},
			{"localhost", named.ID, " is a loopback address"},
		} {
			log := attempts(admin, hook.id)
			if len(log) != 2 {
				t.Errorf("%s: %d attempts, want one per document: %+v", hook.name, len(log), log)
			}
			for _, a := range log {
				if a.StatusCode != 0 || !strings.HasPrefix(a.Error, "refused: ") || !strings.Contains(a.Error, hook.want) {
					t.Errorf("%s: attempt %+v, want %q", hook.name, a, hook.want)
				}
			}
		}
	})
}

// A 3xx answer is a failed attempt; the worker does not go where it points.
func TestWebhookRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		target := &receiver{status: http.StatusNoContent}
		targetSrv := httptest.NewServer(target)
		defer targetSrv.Close()
		mover := &receiver{status: http.StatusFound, location: targetSrv.URL + "/elsewhere"}
		moverSrv := httptest.NewServer(mover)
		defer moverSrv.Close()
		admin := env.Admin()
		var hook struct{ ID string }
		admin.Do("POST", "/api/v1/webhooks", map[string]any{"url": moverSrv.URL, "events": []string{"document.published"}}).
			Want(http.StatusCreated).Decode(&hook)
		publishOne(t, apptest.NewNewsroom(t, env), "moved")

		w := webhook.NewWorker(env.DB, webhook.WorkerConfig{AllowPrivate: true})
		if n, err := w.DeliverDue(t.Context()); err != nil || n != 0 {
			t.Fatalf("delivered %d, %v; want 0 sent", n, err)
		}
		if mover.count() != 1 || target.count() != 0 {
			t.Errorf("redirecting receiver called %d times, its target %d; want 1 and 0", mover.count(), target.count())
		}
		log := attempts(admin, hook.ID)
		if len(log) != 1 || log[0].StatusCode != http.StatusFound || log[0].Error != "HTTP 302: redirects are not followed" {
			t.Errorf("attempt log %+v", log)
		}
	})
}

// queued claims every message waiting in the outbox and decodes its
// payload, without sending anything.
func queued(t *testing.T, env *apptest.Env) []webhook.Payload {
	t.Helper()
	far := time.Now().Add(24 * time.Hour)
	msgs, err := env.DB.ClaimDue(t.Context(), far, far.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []webhook.Payload
	for _, m := range msgs {
		var p webhook.Payload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatalf("payload %s: %v", m.Payload, err)
		}
		out = append(out, p)
	}
	return out
}

// A draft's slug never leaves in a payload: an unpublish names the URL
// that was live, and a live update that renamed the document purges both
// the old URL and the new one.
func TestWebhookPayloadNamesOnlyWhatWasLive(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		admin.Do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.org/masthead",
			"events": []string{"document.published", "document.unpublished", "document.updated_live"}}).Want(http.StatusCreated)
		n := apptest.NewNewsroom(t, env)
		id, publisher := publishOne(t, n, "zqunpub2x"), n.Publisher
		if got := queued(t, env); len(got) != 1 || got[0].Slug != "zqunpub2x" {
			t.Fatalf("publish payloads %+v", got)
		}
		editor := env.CreateUser("rename-e@example.org", "editor:korea-view")
		rename := func(slug string) {
			var d struct{ Version int }
			editor.Do("GET", "/api/v1/documents/"+id, nil).Want(http.StatusOK).Decode(&d)
			editor.Do("PATCH", "/api/v1/documents/"+id, map[string]any{"slug": slug},
				"If-Match", fmt.Sprintf(`"%d"`, d.Version)).Want(http.StatusOK)
		}

		rename("zqleakslugx")
		publisher.Do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": "unpublish"}).Want(http.StatusOK)
		got := queued(t, env)
		if len(got) != 1 || got[0].Event != webhook.EventUnpublished {
			t.Fatalf("unpublish payloads %+v", got)
		}
		p := got[0]
		if p.Slug != "zqunpub2x" || p.URL != "http://masthead.test/korea-view/zqunpub2x" ||
			!slices.Contains(p.Paths, "/delivery/v1/documents/korea-view/zqunpub2x") {
			t.Errorf("unpublish payload names %q %q %v, want the live URL …/zqunpub2x", p.Slug, p.URL, p.Paths)
		}
		if body, _ := json.Marshal(p); strings.Contains(string(body), "zqleakslugx") {
			t.Errorf("unpublish payload carries the draft's slug: %s", body)
		}

		// Back online under the draft's name, then renamed while live.
		for _, step := range []struct {
			c      *apptest.Client
			action string
		}{{editor, "submit"}, {editor, "approve"}, {publisher, "publish"}} {
			step.c.Do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": step.action}).Want(http.StatusOK)
		}
		if got := queued(t, env); len(got) != 1 || got[0].Slug != "zqleakslugx" {
			t.Fatalf("re-publish payloads %+v", got)
		}
		rename("zqrenamed")
		for _, step := range []struct {
			c      *apptest.Client
			action string
		}{{editor, "submit"}, {editor, "approve"}, {publisher, "publish"}} {
			step.c.Do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": step.action}).Want(http.StatusOK)
		}
		got = queued(t, env)
		if len(got) != 1 || got[0].Event != webhook.EventUpdatedLive || got[0].Slug != "zqrenamed" {
			t.Fatalf("live update payloads %+v", got)
		}
		for _, path := range []string{"/delivery/v1/documents/korea-view/zqrenamed", "/delivery/v1/documents/korea-view/zqleakslugx"} {
			if !slices.Contains(got[0].Paths, path) {
				t.Errorf("live update paths %v lack %s", got[0].Paths, path)
			}
		}
	})
}

// TestWebhookURLIsTheDeliveredOne: with a public URL pattern (a front end
// of the newsroom's own), a payload's url is the document's address there,
// as delivery gives it.
func TestWebhookURLIsTheDeliveredOne(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
			o.PublicURL = "https://www.example.org/briefings/{series}/{slug}"
		}})
		env.Admin().Do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.org/masthead",
			"events": []string{"document.published"}}).Want(http.StatusCreated)
		publishOne(t, apptest.NewNewsroom(t, env), "zqpublicurl")
		var delivered struct{ URL string }
		env.Anonymous().Do("GET", "/delivery/v1/documents/korea-view/zqpublicurl", nil).Want(http.StatusOK).Decode(&delivered)
		got := queued(t, env)
		if want := "https://www.example.org/briefings/korea-view/zqpublicurl"; len(got) != 1 || got[0].URL != want || delivered.URL != want {
			t.Errorf("payloads %+v, delivered url %q; want %s in both", got, delivered.URL, want)
		}
	})
}
