package delivery_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
)

type previewLink struct {
	ID         string     `json:"id"`
	DocumentID string     `json:"document_id"`
	URL        string     `json:"url"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Uses       int        `json:"uses"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func createPreview(t *testing.T, c *apptest.Client, d mdoc, body any) previewLink {
	t.Helper()
	var l previewLink
	c.Do("POST", "/api/v1/documents/"+d.ID+"/preview-links", body).Want(http.StatusCreated).Decode(&l)
	if l.ID == "" || !strings.HasPrefix(l.URL, siteBase+"/delivery/v1/preview/") {
		t.Fatalf("preview link %+v: want an id and a URL under %s/delivery/v1/preview/", l, siteBase)
	}
	return l
}

func previewLinks(t *testing.T, c *apptest.Client, d mdoc) map[string]previewLink {
	t.Helper()
	var out struct {
		Data []previewLink `json:"data"`
	}
	c.Do("GET", "/api/v1/documents/"+d.ID+"/preview-links", nil).Want(http.StatusOK).Decode(&out)
	m := map[string]previewLink{}
	for _, l := range out.Data {
		m[l.ID] = l
	}
	return m
}

// wantPreview reads a preview link and checks it shows title, privately.
func wantPreview(t *testing.T, anon *apptest.Client, path, title string) {
	t.Helper()
	r := anon.Do("GET", path, nil)
	if r.Status != http.StatusOK {
		t.Errorf("GET %s: status %d, want 200; body %s", path, r.Status, truncate(r.Body))
		return
	}
	if cc := r.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("GET %s: Cache-Control %q, want private, no-store", path, cc)
	}
	if xr := r.Header.Get("X-Robots-Tag"); !strings.Contains(xr, "noindex") {
		t.Errorf("GET %s: X-Robots-Tag %q, want noindex", path, xr)
	}
	if r.Header.Get("ETag") != "" && strings.Contains(r.Header.Get("Cache-Control"), "public") {
		t.Errorf("GET %s: a preview must not be publicly cacheable", path)
	}
	var d delivered
	r.Decode(&d)
	if d.Title != title {
		t.Errorf("GET %s: title %q, want %q (the head revision)", path, d.Title, title)
	}
	if d.ID == "" || d.URL == "" || d.Series.Slug == "" || d.Fields == nil {
		t.Errorf("GET %s: not in the delivered shape: %s", path, truncate(r.Body))
	}
}

func wantNoPreview(t *testing.T, anon *apptest.Client, what, path string) {
	t.Helper()
	r := anon.Do("GET", path, nil)
	if r.Status != http.StatusNotFound {
		t.Errorf("%s: GET %s: status %d, want 404; body %s", what, path, r.Status, truncate(r.Body))
	}
	if strings.Contains(strings.ToLower(string(r.Body)), "draft title") {
		t.Errorf("%s: the 404 shows the draft: %s", what, r.Body)
	}
}

func TestPreviewLinks(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		d := k.create(k.writer, briefing("korea-view", "Draft Title One", "previewed"))

		// Who can read the draft gets a link; who cannot, a 404.
		l := createPreview(t, k.writer, d, nil)
		path := deliveryPath(t, l.URL)
		if !l.ExpiresAt.After(time.Now()) {
			t.Errorf("expires_at %v is not in the future", l.ExpiresAt)
		}
		createPreview(t, k.editor, d, map[string]any{"expires_in": 3600})
		createPreview(t, k.publisher, d, nil)
		k.admin.Do("POST", "/api/v1/series", map[string]any{"slug": "elsewhere", "name": "Elsewhere", "kind": "blog"}).Want(http.StatusCreated)
		stranger := env.CreateUser("other-author@example.org", "author:the-peninsula")
		for _, c := range []*apptest.Client{stranger, env.CreateUser("elsewhere@example.org", "editor:elsewhere")} {
			wantProblem(t, "a preview link by someone who cannot see the draft",
				c.Do("POST", "/api/v1/documents/"+d.ID+"/preview-links", nil), http.StatusNotFound)
			wantProblem(t, "listing preview links by someone who cannot see the draft",
				c.Do("GET", "/api/v1/documents/"+d.ID+"/preview-links", nil), http.StatusNotFound)
			wantProblem(t, "revoking a preview link by someone who cannot see the draft",
				c.Do("DELETE", "/api/v1/documents/"+d.ID+"/preview-links/"+l.ID, nil), http.StatusNotFound)
		}
		wantProblem(t, "a preview link without a session", k.anon.Do("POST", "/api/v1/documents/"+d.ID+"/preview-links", nil), http.StatusUnauthorized)
		for _, bad := range []int{-5, 31 * 24 * 3600} {
			wantProblem(t, "expires_in out of range", k.writer.Do("POST", "/api/v1/documents/"+d.ID+"/preview-links", map[string]any{"expires_in": bad}), http.StatusBadRequest)
		}

		// The link shows the head revision, privately, and follows edits.
		wantPreview(t, k.anon, path, "Draft Title One")
		k.anon.Do("GET", "/delivery/v1/documents/korea-view/previewed", nil).Want(http.StatusNotFound)
		d = k.patch(k.writer, d, map[string]any{"title": "Draft Title Two"})
		wantPreview(t, k.anon, path, "Draft Title Two")
		uses := 2

		// Published with a newer draft head: delivery shows the live
		// revision, the preview the head.
		d = k.toPublished(d)
		d = k.patch(k.writer, d, map[string]any{"title": "Draft Title Three"})
		wantPreview(t, k.anon, path, "Draft Title Three")
		uses++
		var live delivered
		k.anon.Do("GET", "/delivery/v1/documents/korea-view/previewed", nil).Want(http.StatusOK).Decode(&live)
		if live.Title != "Draft Title Two" {
			t.Errorf("delivery shows %q, want the live revision's title", live.Title)
		}

		// Tampered tokens.
		token := strings.TrimPrefix(path, "/delivery/v1/preview/")
		payload, sig, ok := strings.Cut(token, ".")
		if !ok {
			t.Logf("token %q has no payload.signature form; tampering with characters only", token)
		}
		tampered := map[string]string{
			"first character flipped": flip(token, 0),
			"last character flipped":  flip(token, len(token)-1),
			"middle flipped":          flip(token, len(token)/2),
			"truncated":               token[:len(token)-2],
			"appended":                token + "A",
			"garbage":                 "not-a-token",
		}
		if ok {
			tampered["signature dropped"] = payload
			tampered["signature only"] = sig
			tampered["signature altered"] = payload + "." + flip(sig, 3)
		}
		for name, tok := range tampered {
			wantNoPreview(t, k.anon, "tampered token ("+name+")", "/delivery/v1/preview/"+tok)
		}
		wantPreview(t, k.anon, path, "Draft Title Three")
		uses++

		// Expired through the database.
		expiring := createPreview(t, k.writer, d, nil)
		wantPreview(t, k.anon, deliveryPath(t, expiring.URL), "Draft Title Three")
		sqlDB, err := env.DB.SQL()
		if err != nil {
			t.Fatal(err)
		}
		q := "UPDATE preview_links SET expires_at = created_at WHERE id = ?"
		if env.DB.Dialect() == store.Postgres {
			q = strings.Replace(q, "?", "$1", 1)
		}
		if _, err := sqlDB.Exec(q, expiring.ID); err != nil {
			t.Fatalf("expire the link: %v", err)
		}
		wantNoPreview(t, k.anon, "a link expired in the database", deliveryPath(t, expiring.URL))

		// Expired by the clock.
		short := createPreview(t, k.writer, d, map[string]any{"expires_in": 1})
		if until := time.Until(short.ExpiresAt); until > 2*time.Second || until < 0 {
			t.Errorf("expires_in 1: expires_at %v is %v away", short.ExpiresAt, until)
		}
		time.Sleep(1100 * time.Millisecond)
		wantNoPreview(t, k.anon, "a link past expires_in", deliveryPath(t, short.URL))

		// Revoked.
		revoked := createPreview(t, k.editor, d, nil)
		wantPreview(t, k.anon, deliveryPath(t, revoked.URL), "Draft Title Three")
		k.writer.Do("DELETE", "/api/v1/documents/"+d.ID+"/preview-links/"+revoked.ID, nil).Want(http.StatusNoContent)
		wantNoPreview(t, k.anon, "a revoked link", deliveryPath(t, revoked.URL))
		wantProblem(t, "revoking twice", k.writer.Do("DELETE", "/api/v1/documents/"+d.ID+"/preview-links/"+revoked.ID, nil), http.StatusNotFound)
		wantProblem(t, "revoking an unknown link", k.writer.Do("DELETE", "/api/v1/documents/"+d.ID+"/preview-links/nope", nil), http.StatusNotFound)

		// Uses are counted, failed ones not.
		links := previewLinks(t, k.writer, d)
		if got := links[l.ID]; got.Uses != uses || got.LastUsedAt == nil {
			t.Errorf("link %s: uses %d last_used_at %v, want %d uses", l.ID, got.Uses, got.LastUsedAt, uses)
		}
		for id, want := range map[string]int{expiring.ID: 1, short.ID: 0, revoked.ID: 1} {
			if got := links[id]; got.Uses != want {
				t.Errorf("link %s: uses %d, want %d", id, got.Uses, want)
			}
		}
		if links[revoked.ID].RevokedAt == nil {
			t.Errorf("revoked link %s has no revoked_at", revoked.ID)
		}
		if len(links) != 6 {
			t.Errorf("%d links listed, want 6", len(links))
		}
	})
}
