package search_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

type newsroom struct {
	env                              *apptest.Env
	writer, other, editor, publisher *apptest.Client
}

// setup is the shared newsroom with every role on The Peninsula (so on
// Korea View too), and a second writer whose drafts the first must not
// find.
func setup(t testing.TB, env *apptest.Env) *newsroom {
	n := apptest.NewNewsroom(t, env, apptest.NewsroomOptions{RolesOn: apptest.ParentSeries})
	return &newsroom{
		env:       env,
		writer:    n.Writer,
		other:     env.CreateUser("other@example.org", "author:"+apptest.ParentSeries),
		editor:    n.Editor,
		publisher: n.Publisher,
	}
}

type doc struct {
	ID      string
	Version int
}

func (n *newsroom) draft(t testing.TB, c *apptest.Client, series, title, implications string, topics ...string) doc {
	t.Helper()
	var d doc
	c.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": series, "title": title, "topics": topics,
		"fields": map[string]any{"summary": "A briefing.", "what_happened": []string{"Talks were held."}, "implications": implications}}).
		Want(http.StatusCreated).Decode(&d)
	return d
}

func (n *newsroom) publish(t testing.TB, d doc) {
	t.Helper()
	n.writer.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "submit"}).Want(http.StatusOK)
	n.editor.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve"}).Want(http.StatusOK)
	n.publisher.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "publish"}).Want(http.StatusOK)
}

type result struct {
	Total int
	Data  []struct {
		ID, Title, Snippet, URL string
		Series                  struct{ Slug string }
	}
	NextCursor *string `json:"next_cursor"`
	Facets     struct {
		Series, Topics, Years []struct {
			Value string
			Count int
		}
	}
}

func search(t *testing.T, c *apptest.Client, query string) result {
	t.Helper()
	var r result
	c.Do("GET", "/delivery/v1/search?"+query, nil).Want(http.StatusOK).Decode(&r)
	return r
}

func titles(r result) string {
	var out []string
	for _, h := range r.Data {
		out = append(out, h.Title)
	}
	return strings.Join(out, ", ")
}

func TestPublicSearch(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		a := n.draft(t, n.writer, "korea-view", "Beijing Calibrates Its Approach to Seoul", "China calibrates its position vis-à-vis Washington.", "china")
		b := n.draft(t, n.writer, "the-peninsula", "The QUAD and Seoul", "Seoul will cooperate with the QUAD on an ad hoc basis.", "quad", "china")
		c := n.draft(t, n.writer, "korea-view", "Denuclearization <talks> & more", "Peace and denuclearization of the Korean Peninsula.")
		secret := n.draft(t, n.writer, "korea-view", "Unpublished zebra memo", "zebra zebra")
		n.publish(t, a)
		n.publish(t, b)
		n.publish(t, c)
		anon := env.Anonymous()

		cases := []struct{ q, want string }{
			{"q=seoul", "Beijing Calibrates Its Approach to Seoul, The QUAD and Seoul"},
			{"q=calibr*", "Beijing Calibrates Its Approach to Seoul"},
			{"q=" + url.QueryEscape(`"ad hoc basis"`), "The QUAD and Seoul"},
			{"q=" + url.QueryEscape(`"basis ad hoc"`), ""},
			{"q=seoul+-quad", "Beijing Calibrates Its Approach to Seoul"},
			{"q=quad+OR+denuclearization", "Denuclearization <talks> & more, The QUAD and Seoul"},
			{"q=zebra", ""},
			{"q=the", ""},
			{"q=seoul&series=korea-view", "Beijing Calibrates Its Approach to Seoul"},
			{"q=seoul&topic=quad", "The QUAD and Seoul"},
			{"q=Yong", ""},
		}
		for _, c := range cases {
			r := search(t, anon, c.q)
			got := strings.Split(titles(r), ", ")
			want := strings.Split(c.want, ", ")
			if !sameSet(got, want) || r.Total != len(r.Data) {
				t.Errorf("search %s = [%s] (total %d), want [%s]", c.q, titles(r), r.Total, c.want)
			}
		}
		// Title matches rank first.
		if r := search(t, anon, "q=quad"); len(r.Data) == 0 || r.Data[0].Title != "The QUAD and Seoul" {
			t.Errorf("q=quad ranked %s", titles(r))
		}
		// Without q: the size of the index, newest first.
		if r := search(t, anon, ""); r.Total != 3 || r.Data[0].Title != "Denuclearization <talks> & more" {
			t.Errorf("index: total %d, %s", r.Total, titles(r))
		}
		// Snippets mark matches and escape everything else.
		r := search(t, anon, "q=washington")
		if len(r.Data) != 1 || !strings.Contains(r.Data[0].Snippet, "<mark>Washington</mark>") {
			t.Fatalf("snippet %+v", r.Data)
		}
		for _, h := range search(t, anon, "q=denuclearization").Data {
			if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(h.Snippet, "<mark>", ""), "</mark>", ""), "<") {
				t.Errorf("unescaped snippet %q", h.Snippet)
			}
		}
		// Facets count every match, by series, topic and year.
		r = search(t, anon, "q=seoul")
		if len(r.Facets.Series) != 2 || len(r.Facets.Topics) == 0 || r.Facets.Topics[0].Value != "china" || r.Facets.Topics[0].Count != 2 || len(r.Facets.Years) != 1 {
			t.Errorf("facets %+v", r.Facets)
		}
		// Cursor pagination.
		first := search(t, anon, "q=seoul+OR+peace&limit=2")
		if first.Total != 3 || len(first.Data) != 2 || first.NextCursor == nil {
			t.Fatalf("page 1: %+v", first)
		}
		second := search(t, anon, "q=seoul+OR+peace&limit=2&cursor="+*first.NextCursor)
		if len(second.Data) != 1 || second.NextCursor != nil {
			t.Fatalf("page 2: %+v", second)
		}
		anon.Do("GET", "/delivery/v1/search?q=x&cursor=forged", nil).Want(http.StatusBadRequest)
		anon.Do("GET", "/delivery/v1/search?q="+strings.Repeat("a", 257), nil).Want(http.StatusBadRequest)

		// Unpublish removes from search at once.
		n.publisher.Do("POST", "/api/v1/documents/"+b.ID+"/transitions", map[string]any{"action": "unpublish"}).Want(http.StatusOK)
		if r := search(t, anon, "q=quad"); r.Total != 0 {
			t.Errorf("unpublished document still found: %s", titles(r))
		}
		_ = secret
	})
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, v := range seen {
		if v != 0 {
			return false
		}
	}
	return true
}

func TestHostileQueriesNeverFail(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		n.publish(t, n.draft(t, n.writer, "korea-view", "Seoul", "text"))
		anon := env.Anonymous()
		for _, q := range []string{`"`, `""`, `*`, `-`, `-*`, `OR`, `OR OR`, `seoul OR`, `NEAR(seoul text)`, `seoul AND NOT`,
			`'; DROP TABLE documents; --`, `title:seoul`, `^seoul`, `{seoul}`, `(seoul`, `seoul)`, `\`, `%`, `_`, `a:*`, `!!seoul`,
			`seoul & | !`, "\x00", "é*", "中文", `"seoul`, `-seoul`, `--seoul`, `seoul -"`, strings.Repeat("x ", 128)} {
			anon.Do("GET", "/delivery/v1/search?q="+url.QueryEscape(q), nil).Want(http.StatusOK, http.StatusBadRequest)
			n.writer.Do("GET", "/api/v1/search?q="+url.QueryEscape(q), nil).Want(http.StatusOK, http.StatusBadRequest)
		}
	})
}

func TestStaffSearchShowsOnlyWhatYouMaySee(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		mine := n.draft(t, n.writer, "korea-view", "My walrus draft", "walrus")
		n.draft(t, n.other, "korea-view", "Their walrus draft", "walrus")
		var r struct {
			Total int
			Data  []struct{ ID, Title, State string }
		}
		n.writer.Do("GET", "/api/v1/search?q=walrus", nil).Want(http.StatusOK).Decode(&r)
		if r.Total != 1 || r.Data[0].ID != mine.ID {
			t.Errorf("author sees %+v", r)
		}
		n.editor.Do("GET", "/api/v1/search?q=walrus&state=draft", nil).Want(http.StatusOK).Decode(&r)
		if r.Total != 2 {
			t.Errorf("editor sees %+v", r)
		}
		n.editor.Do("GET", "/api/v1/search?q=walrus&state=published", nil).Want(http.StatusOK).Decode(&r)
		if r.Total != 0 {
			t.Errorf("editor sees published %+v", r)
		}
		env.CreateUser("nobody@example.org").Do("GET", "/api/v1/search?q=walrus", nil).Want(http.StatusOK).Decode(&r)
		if r.Total != 0 {
			t.Errorf("user without roles sees %+v", r)
		}
		n.editor.Do("GET", "/api/v1/search?q=walrus&state=nonsense", nil).Want(http.StatusBadRequest)
		// An edit is searchable at once.
		n.writer.Do("PATCH", "/api/v1/documents/"+mine.ID, map[string]any{"title": "My narwhal draft"}, "If-Match", fmt.Sprintf(`"%d"`, mine.Version)).Want(http.StatusOK)
		n.writer.Do("GET", "/api/v1/search?q=narwhal", nil).Want(http.StatusOK).Decode(&r)
		if r.Total != 1 {
			t.Errorf("edited title not found: %+v", r)
		}
	})
}
