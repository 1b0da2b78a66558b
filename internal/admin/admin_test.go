package admin_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// briefing is the reference briefing of the example, as the API takes it.
var briefing = map[string]any{
	"type":   "briefing",
	"series": "korea-view",
	"title":  "Beijing Calibrates Its Approach to Seoul",
	"topics": []string{"China", "South Korea", "diplomacy"},
	"fields": map[string]any{
		"summary": "China raised joint dialogue with South Korea and a future 2+2 meeting.",
		"what_happened": []string{
			"During recent talks, the Chinese FM raised the idea of joint dialogue to reach a political resolution between North and South Korea.",
			"China also voiced support for South Korea’s goals of peace and denuclearization of the Korean Peninsula.",
			"The two foreign ministers discussed holding a future 2+2 meeting with diplomatic and security officials from both sides.",
		},
		"implications": "China’s engagement with South Korea seems more focused on **calibrating** Beijing’s position.",
		"context":      "China’s move to establish regular meetings with South Korea follows Seoul’s continued closeness with the QUAD.",
	},
}

// newsroom is the example's series and contributors with one person per
// role on Korea View.
type newsroom struct {
	env                                         *apptest.Env
	admin, writer, assistant, editor, publisher *apptest.Client
}

func setup(t *testing.T, env *apptest.Env) newsroom {
	t.Helper()
	n := apptest.NewNewsroom(t, env)
	return newsroom{env: env, admin: n.Admin, writer: n.Writer, assistant: n.Assistant, editor: n.Editor, publisher: n.Publisher}
}

type doc struct {
	ID      string `json:"id"`
	State   string `json:"state"`
	Version int    `json:"version"`
	Slug    string `json:"slug"`
}

// create makes the example briefing as c through the API.
func create(t *testing.T, c *apptest.Client, title ...string) doc {
	t.Helper()
	body := map[string]any{}
	for k, v := range briefing {
		body[k] = v
	}
	if len(title) > 0 {
		body["title"] = title[0]
	}
	var d doc
	c.Do("POST", "/api/v1/documents", body).Want(http.StatusCreated).Decode(&d)
	return d
}

func transition(t *testing.T, c *apptest.Client, id, action string, extra ...string) doc {
	t.Helper()
	body := map[string]any{"action": action}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i]] = extra[i+1]
	}
	var d doc
	c.Do("POST", "/api/v1/documents/"+id+"/transitions", body).Want(http.StatusOK).Decode(&d)
	return d
}

// get fetches a UI page and checks its status.
func get(t *testing.T, c *apptest.Client, path string, want int) string {
	t.Helper()
	r := c.Do("GET", path, nil)
	if r.Status != want {
		t.Fatalf("GET %s: status %d, want %d; body: %.2000s", path, r.Status, want, r.Body)
	}
	return string(r.Body)
}

// post submits a form as a browser does: the CSRF token in the hidden
// field (the client's header is taken away).
func post(t *testing.T, c *apptest.Client, path string, form url.Values, want int) string {
	t.Helper()
	csrf := c.CSRF
	c.CSRF = ""
	defer func() { c.CSRF = csrf }()
	if form == nil {
		form = url.Values{}
	}
	if csrf != "" && !form.Has("csrf_token") {
		form.Set("csrf_token", csrf)
	}
	r := c.Do("POST", path, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	if r.Status != want {
		t.Fatalf("POST %s: status %d, want %d; body: %.3000s", path, r.Status, want, r.Body)
	}
	return string(r.Body)
}

func contains(t *testing.T, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func lacks(t *testing.T, page string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(page, n) {
			t.Errorf("page shows %q, and should not", n)
		}
	}
}

var hiddenCSRF = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := hiddenCSRF.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field in the page")
	}
	return m[1]
}

// actionButtons lists the workflow actions a page offers.
var actionRE = regexp.MustCompile(`data-action="([a-z_]+)"`)

func actionsOf(page string) []string {
	var out []string
	for _, m := range actionRE.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}
