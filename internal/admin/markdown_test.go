package admin_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// The editor's live preview is rendered by the server with delivery's
// sanitizer: what a writer types as HTML never runs in a colleague's
// browser, and the preview is what readers will get.
func TestMarkdownPreviewIsSanitizedLikeDelivery(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		const hostile = "**Seoul** <script>alert(1)</script> <img src=x alt=x onerror=alert(2)> [x](javascript:alert(3))" // alt: a publish gate asks for it
		form := url.Values{"markdown": {hostile}, "csrf_token": {n.writer.CSRF}}
		r := n.writer.Do("POST", "/admin/markdown", form.Encode(), "Content-Type", "application/x-www-form-urlencoded").
			Want(http.StatusOK)
		var out struct{ HTML string }
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatalf("%s: %v", r.Body, err)
		}
		if !strings.Contains(out.HTML, "<strong>Seoul</strong>") {
			t.Errorf("preview %q lacks the rendered Markdown", out.HTML)
		}
		for _, bad := range []string{"<script", "onerror", "javascript:"} {
			if strings.Contains(out.HTML, bad) {
				t.Errorf("preview %q keeps %q", out.HTML, bad)
			}
		}

		// Published, the same text is delivered as the same HTML.
		fields := map[string]any{}
		for k, v := range briefing["fields"].(map[string]any) {
			fields[k] = v
		}
		fields["implications"] = hostile
		var d doc
		n.writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": "korea-view",
			"title": "Hostile Preview", "slug": "hostile-preview", "fields": fields}).Want(http.StatusCreated).Decode(&d)
		transition(t, n.writer, d.ID, "submit")
		transition(t, n.editor, d.ID, "approve")
		transition(t, n.publisher, d.ID, "publish")
		var delivered struct {
			Fields struct {
				Implications struct{ HTML string } `json:"implications"`
			} `json:"fields"`
		}
		env.Anonymous().Do("GET", "/delivery/v1/documents/korea-view/hostile-preview", nil).Want(http.StatusOK).Decode(&delivered)
		if got := delivered.Fields.Implications.HTML; got != out.HTML {
			t.Errorf("delivered %q, preview %q: they must be rendered alike", got, out.HTML)
		}

		// Without the session's CSRF token, or signed out, nothing renders.
		noToken := *n.writer
		noToken.CSRF = ""
		noToken.Do("POST", "/admin/markdown", url.Values{"markdown": {"x"}}.Encode(),
			"Content-Type", "application/x-www-form-urlencoded").Want(http.StatusForbidden)
		anon := env.Anonymous().Do("POST", "/admin/markdown", url.Values{"markdown": {"x"}}.Encode(),
			"Content-Type", "application/x-www-form-urlencoded")
		if !strings.Contains(string(anon.Body), "Sign in to Masthead") {
			t.Errorf("signed out: status %d %.200s, want the sign-in page", anon.Status, anon.Body)
		}
	})
}
