package wordpress_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/webhook"
	"github.com/masthead-cms/masthead/internal/wordpress"
)

// tagged is a post with a category and a tag, so that it has topics.
func tagged(id, slug, body string) string {
	return strings.Replace(post(id, slug, body), "<wp:post_id>",
		`<category domain="category" nicename="news"><![CDATA[News]]></category><category domain="post_tag" nicename="rivers"><![CDATA[Rivers]]></category><wp:post_id>`, 1)
}

// TestImportDeliversAsPublish: an import batch is delivered in bulk, and
// what it stores for each document is byte for byte what the publish
// path's delivery (one document at a time) renders for it: body, topics
// and contributors as the lists filter them.
func TestImportDeliversAsPublish(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.xml")
	items := []string{tagged("1", "one", "<p>One <em>river</em>.</p>"), tagged("2", "two", "<h2>Two</h2><p>Banks.</p>"), post("3", "three", "<p>Three.</p>")}
	if err := os.WriteFile(path, []byte(wxr(items...)), 0o644); err != nil {
		t.Fatal(err)
	}
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		rep := importFile(t, env, path, wordpress.Options{BatchSize: 10})
		if rep.Created != 3 {
			t.Fatalf("created %d, want 3 (skipped %v)", rep.Created, rep.Skipped)
		}
		imported := delivered(t, env)
		// Rerender delivers each document again through the publish
		// path's own step, alone in its transaction.
		if err := env.App.Live.Rerender(context.Background(), "hostile-site", "", ""); err != nil {
			t.Fatal(err)
		}
		published := delivered(t, env)
		for path, body := range published {
			if !bytes.Equal(imported[path], body) {
				t.Errorf("%s as imported:\n%s\nas published:\n%s", path, imported[path], body)
			}
		}
		if len(published) != 7 || len(imported) != len(published) {
			t.Errorf("compared %d answers, imported %d; want 7", len(published), len(imported))
		}
	})
}

// delivered is what readers get of the import: each document, and the
// lists by topic and by contributor.
func delivered(t *testing.T, env *apptest.Env) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	anon := env.Anonymous()
	for _, slug := range []string{"one", "two", "three"} {
		p := "/delivery/v1/documents/hostile-site/" + slug
		out[p] = anon.Do("GET", p, nil).Want(http.StatusOK).Body
	}
	for _, p := range []string{"/delivery/v1/documents?topic=news", "/delivery/v1/documents?topic=rivers",
		"/delivery/v1/documents?contributor=eve", "/delivery/v1/documents"} {
		var list struct{ Total int }
		body := anon.Do("GET", p, nil).Want(http.StatusOK).Body
		if err := json.Unmarshal(body, &list); err != nil || list.Total == 0 {
			t.Errorf("GET %s: %d documents (%v): %.200s", p, list.Total, err, body)
		}
		out[p] = body
	}
	return out
}

// TestImportWebhooks: documents an import makes live fire no
// document.published (an archive moving in is no news, and a large one
// would flood every subscriber); a re-run that changes a live document
// queues its document.updated_live, as a cache purger needs.
func TestImportWebhooks(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.xml"), filepath.Join(dir, "second.xml")
	if err := os.WriteFile(first, []byte(wxr(post("1", "one", "<p>One.</p>"), post("2", "two", "<p>Two.</p>"))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(second, []byte(wxr(post("1", "one", "<p>One, corrected.</p>"), post("2", "two", "<p>Two.</p>"))), 0o644); err != nil {
		t.Fatal(err)
	}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer receiver.Close()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		events := []string{webhook.EventPublished, webhook.EventUpdatedLive, webhook.EventUnpublished}
		env.Admin().Do("POST", "/api/v1/webhooks", map[string]any{"url": receiver.URL, "events": events}).Want(http.StatusCreated)
		importFile(t, env, first, wordpress.Options{})
		if msgs := outbox(t, env); len(msgs) != 0 {
			t.Errorf("the first import queued %d messages, want none: %+v", len(msgs), msgs)
		}
		rep := importFile(t, env, second, wordpress.Options{})
		docs := importedDocuments(t, env, rep.Source)
		msgs := outbox(t, env)
		if len(msgs) != 1 || msgs[0].Event != webhook.EventUpdatedLive || msgs[0].DocumentID != docs["1"] {
			t.Errorf("the second import queued %+v; want one %s of %s", msgs, webhook.EventUpdatedLive, docs["1"])
		}
	})
}

// outbox claims every message waiting, without sending any.
func outbox(t *testing.T, env *apptest.Env) []webhook.Payload {
	t.Helper()
	far := time.Now().Add(24 * time.Hour)
	msgs, err := env.DB.ClaimDue(t.Context(), far, far.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]webhook.Payload, 0, len(msgs))
	for _, m := range msgs {
		var p webhook.Payload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// TestImportBatchWithATakenSlug: a batch written in bulk that fails on
// one document (its slug is a hand-made draft's) leaves nothing of that
// one — no document, record, delivery or search entry — and writes the
// others of the batch whole.
func TestImportBatchWithATakenSlug(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.xml"), filepath.Join(dir, "second.xml")
	if err := os.WriteFile(first, []byte(wxr(post("1", "one", "<p>One.</p>"))), 0o644); err != nil {
		t.Fatal(err)
	}
	later := wxr(post("1", "one", "<p>One.</p>"), post("2", "taken", "<p>Quillwort.</p>"), post("3", "three", "<p>Bladderwort.</p>"))
	if err := os.WriteFile(second, []byte(later), 0o644); err != nil {
		t.Fatal(err)
	}
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		importFile(t, env, first, wordpress.Options{})
		admin := adminActor(t, env)
		_, err := env.App.Content.CreateDocument(context.Background(), admin, content.NewDocument{Type: "article",
			Series: "hostile-site", Title: "By hand", Slug: "taken", Fields: map[string]any{"body": "Mine."}})
		if err != nil {
			t.Fatal(err)
		}
		rep := importFile(t, env, second, wordpress.Options{})
		if rep.Created != 1 || rep.Unchanged != 1 || len(rep.Skipped) != 1 || rep.Skipped[0].Item != "2" {
			t.Fatalf("created %d, unchanged %d, skipped %+v; want post 3 created, 1 unchanged, post 2 skipped", rep.Created, rep.Unchanged, rep.Skipped)
		}
		docs := importedDocuments(t, env, rep.Source)
		if _, ok := docs["2"]; ok || docs["3"] == "" {
			t.Errorf("records %v; want none for post 2 and one for post 3", docs)
		}
		anon := env.Anonymous()
		anon.Do("GET", "/delivery/v1/documents/hostile-site/three", nil).Want(http.StatusOK)
		anon.Do("GET", "/delivery/v1/documents/hostile-site/taken", nil).Want(http.StatusNotFound)
		for q, want := range map[string]int{"quillwort": 0, "bladderwort": 1} {
			var hits struct{ Total int }
			anon.Do("GET", "/delivery/v1/search?q="+q, nil).Want(http.StatusOK).Decode(&hits)
			if hits.Total != want {
				t.Errorf("search for %q finds %d documents, want %d", q, hits.Total, want)
			}
		}
	})
}
