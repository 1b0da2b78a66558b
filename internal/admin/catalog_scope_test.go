package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// The UI's contributor and media forms take the same domain call as the
// API: what live documents of another series show, one series' editor or
// assistant may not change; a change that is allowed appears in each live
// document's history.
func TestCatalogFormsShownLiveNeedEverySeries(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		n.admin.Do("POST", "/api/v1/series", map[string]any{"slug": "beta", "name": "Beta", "kind": "blog"}).Want(http.StatusCreated)
		betaEditor := n.env.CreateUser("beta-editor@example.org", "editor:beta")
		betaAssistant := n.env.CreateUser("beta-assistant@example.org", "assistant:beta")

		upload(t, n.assistant, map[string]string{"alt": "Two ministers", "caption": "Talks in Xiamen", "licence": "CC-BY-2.0"}, http.StatusOK)
		hero := n.assistant.Do("GET", "/api/v1/media", nil).Want(http.StatusOK).JSON()["data"].([]any)[0].(map[string]any)["id"].(string)
		d := create(t, n.writer)
		n.writer.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"hero": hero}, "If-Match", fmt.Sprintf(`"%d"`, d.Version)).Want(http.StatusOK)
		n.editor.Do("PUT", "/api/v1/documents/"+d.ID+"/credits", []map[string]string{{"role": "editor", "contributor": "yong-kwon"}},
			"If-Match", fmt.Sprintf(`"%d"`, d.Version+1)).Want(http.StatusOK)
		transition(t, n.writer, d.ID, "submit")
		transition(t, n.editor, d.ID, "approve")
		transition(t, n.publisher, d.ID, "publish")

		page := post(t, betaEditor, "/admin/contributors/yong-kwon", url.Values{"name": {"Hijacked"}, "bio": {""}}, http.StatusOK)
		contains(t, page, "flash-error", "the-peninsula/korea-view")
		lacks(t, page, "Saved Hijacked.")
		page = post(t, betaAssistant, "/admin/media/"+hero, url.Values{"alt": {"Two ministers"}, "caption": {"Hijacked"},
			"licence": {"CC-BY-2.0"}}, http.StatusOK)
		contains(t, page, "flash-error", "the-peninsula/korea-view")
		var live struct {
			CreditLine string `json:"credit_line"`
			Hero       struct{ Caption string }
		}
		n.env.Anonymous().Do("GET", "/delivery/v1/documents/korea-view/"+d.Slug, nil).Want(http.StatusOK).Decode(&live)
		if live.CreditLine != "Korea View was edited by Yong Kwon." || live.Hero.Caption != "Talks in Xiamen" {
			t.Errorf("refused forms changed the live page: %+v", live)
		}

		// The series' own editor and assistant may; the history says so.
		page = post(t, n.editor, "/admin/contributors/yong-kwon", url.Values{"name": {"Yong-Hee Kwon"}, "bio": {""}}, http.StatusOK)
		contains(t, page, "Saved Yong-Hee Kwon.")
		post(t, n.assistant, "/admin/media/"+hero, url.Values{"alt": {"Two ministers"}, "caption": {"Talks in Xiamen, April 2021"},
			"licence": {"CC-BY-2.0"}}, http.StatusOK)
		page = get(t, n.editor, "/admin/documents/"+d.ID, http.StatusOK)
		contains(t, page, "changed a contributor the live page credits", "Contributor yong-kwon: name &#34;Yong Kwon&#34; → &#34;Yong-Hee Kwon&#34;.",
			"changed the live hero image&#39;s attribution", "caption &#34;Talks in Xiamen&#34; → &#34;Talks in Xiamen, April 2021&#34;")
	})
}
