package delivery_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// Shared fixtures of the delivery tests: a newsroom with a parent series
// and its child, four contributors, one person per role, and small helpers
// to move documents through the workflow and read delivery.

// siteBase is the base URL apptest gives the app (MASTHEAD_BASE_URL).
const siteBase = "http://masthead.test"

// publicCacheControl is the default Cache-Control of public delivery
// responses (issue 4, item 3).
const publicCacheControl = "public, max-age=60, stale-while-revalidate=600"

// desk is apptest's newsroom — "The Peninsula" (blog) with its child
// "Korea View" (newsletter) — with a fourth contributor, Hidden Hand, and
// everyone holding their role on the parent (so also on the child).
type desk struct {
	t                                *testing.T
	env                              *apptest.Env
	admin, writer, editor, publisher *apptest.Client
	anon                             *apptest.Client
}

func openDesk(t *testing.T, env *apptest.Env) *desk {
	t.Helper()
	n := apptest.NewNewsroom(t, env, apptest.NewsroomOptions{RolesOn: apptest.ParentSeries})
	n.Admin.Do("POST", "/api/v1/contributors", map[string]any{"name": "Hidden Hand"}).Want(http.StatusCreated)
	return &desk{
		t: t, env: env, admin: n.Admin,
		writer: n.Writer, editor: n.Editor, publisher: n.Publisher,
		anon: n.Anonymous,
	}
}

// mdoc is a document as the management API returns it.
type mdoc struct {
	ID           string `json:"id"`
	Version      int    `json:"version"`
	State        string `json:"state"`
	Title        string `json:"title"`
	Slug         string `json:"slug"`
	Series       string `json:"series"`
	HeadRevision int    `json:"head_revision"`
	LiveRevision *int   `json:"live_revision"`
}

func decodeMdoc(r *apptest.Response) mdoc {
	var d mdoc
	r.Decode(&d)
	return d
}

func ifMatch(d mdoc) string { return fmt.Sprintf(`"%d"`, d.Version) }

// briefing is a complete briefing in series with the given title and slug.
func briefing(series, title, slug string) map[string]any {
	return map[string]any{
		"type": "briefing", "series": series, "title": title, "slug": slug,
		"topics": []string{"China", "diplomacy"},
		"fields": map[string]any{
			"summary":       "China raised joint dialogue with South Korea and a future 2+2 meeting.",
			"what_happened": []string{"The Chinese FM raised the idea of joint dialogue.", "The two ministers discussed a 2+2 meeting."},
			"implications":  "China’s engagement with South Korea seems focused on **calibrating** Beijing’s position vis-à-vis Washington.",
			"context":       "China’s move follows Seoul’s continued closeness with members of the QUAD.",
		},
	}
}

func (k *desk) create(c *apptest.Client, body map[string]any) mdoc {
	k.t.Helper()
	return decodeMdoc(c.Do("POST", "/api/v1/documents", body).Want(http.StatusCreated))
}

func (k *desk) get(c *apptest.Client, d mdoc) mdoc {
	k.t.Helper()
	return decodeMdoc(c.Do("GET", "/api/v1/documents/"+d.ID, nil).Want(http.StatusOK))
}

func (k *desk) patch(c *apptest.Client, d mdoc, body map[string]any) mdoc {
	k.t.Helper()
	return decodeMdoc(c.Do("PATCH", "/api/v1/documents/"+d.ID, body, "If-Match", ifMatch(d)).Want(http.StatusOK))
}

// act takes a workflow action; extra are more body fields in pairs.
func (k *desk) act(c *apptest.Client, d mdoc, action string, extra ...any) mdoc {
	k.t.Helper()
	body := map[string]any{"action": action}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i].(string)] = extra[i+1]
	}
	return decodeMdoc(c.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", body).Want(http.StatusOK))
}

// credit sets the credits as the editor; pairs are role, contributor slug.
func (k *desk) credit(d mdoc, pairs ...string) mdoc {
	k.t.Helper()
	credits := []map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		credits = append(credits, map[string]string{"role": pairs[i], "contributor": pairs[i+1]})
	}
	k.editor.Do("PUT", "/api/v1/documents/"+d.ID+"/credits", credits, "If-Match", ifMatch(d)).Want(http.StatusOK)
	return k.get(k.editor, d)
}

// toPublished takes an editable document through submit, approve and
// publish.
func (k *desk) toPublished(d mdoc) mdoc {
	k.t.Helper()
	if d.State == "draft" {
		d = k.act(k.writer, d, "submit")
	}
	d = k.act(k.editor, d, "approve")
	return k.act(k.publisher, d, "publish")
}

// publishNew creates a document as the writer and publishes it.
func (k *desk) publishNew(body map[string]any) mdoc {
	k.t.Helper()
	return k.toPublished(k.create(k.writer, body))
}

// delivered is a document as the delivery API returns it.
type delivered struct {
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Series      seriesRef       `json:"series"`
	Slug        string          `json:"slug"`
	URL         string          `json:"url"`
	Title       string          `json:"title"`
	Summary     string          `json:"summary"`
	Fields      map[string]any  `json:"fields"`
	Topics      []string        `json:"topics"`
	Byline      json.RawMessage `json:"byline"`
	Credits     []creditRef     `json:"credits"`
	CreditLine  string          `json:"credit_line"`
	Hero        json.RawMessage `json:"hero"`
	PublishedAt time.Time       `json:"published_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

type seriesRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type creditRef struct {
	Role string `json:"role"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

// bylineName reads the byline whether it is a plain string or an object
// with a name.
func (d delivered) bylineName() string {
	var s string
	if json.Unmarshal(d.Byline, &s) == nil {
		return s
	}
	var o struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(d.Byline, &o)
	return o.Name
}

// page is one page of the documents listing.
type page struct {
	Data       []delivered `json:"data"`
	NextCursor *string     `json:"next_cursor"`
	Total      int         `json:"total"`
}

func decodeInto(t *testing.T, what string, body []byte, v any) bool {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Errorf("%s: decode %q: %v", what, truncate(body), err)
		return false
	}
	return true
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// parseFeed parses an Atom or JSON feed with gofeed.
func parseFeed(t *testing.T, what string, body []byte) *gofeed.Feed {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: not a feed gofeed can parse: %v\n%s", what, err, truncate(body))
		return nil
	}
	return f
}

// sitemapDoc is the sitemap protocol's urlset.
type sitemapDoc struct {
	XMLName xml.Name `xml:"urlset"`
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
}

const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

func parseSitemap(t *testing.T, what string, body []byte) (sitemapDoc, bool) {
	t.Helper()
	var s sitemapDoc
	if err := xml.Unmarshal(body, &s); err != nil {
		t.Errorf("%s: not XML: %v\n%s", what, err, truncate(body))
		return s, false
	}
	if s.XMLName.Space != sitemapNS {
		t.Errorf("%s: urlset namespace %q, want %q", what, s.XMLName.Space, sitemapNS)
	}
	// The documents' urls are what these tests follow; the reader site's
	// home and series pages beside them are internal/site's to check.
	docs := s.URLs[:0]
	for _, u := range s.URLs {
		if p, err := url.Parse(u.Loc); err != nil || strings.Count(strings.Trim(p.Path, "/"), "/") >= 1 {
			docs = append(docs, u)
		}
	}
	s.URLs = docs
	return s, true
}

// rawGet sends a request with a client that neither adds nor removes
// Content-Encoding, so that the test sees the bytes on the wire.
func rawDo(t *testing.T, env *apptest.Env, method, path string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, env.Server.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// wantProblem checks a 4xx RFC 9457 problem response.
func wantProblem(t *testing.T, what string, r *apptest.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: status %d, want %d; body %s", what, r.Status, status, truncate(r.Body))
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s: Content-Type %q, want application/problem+json", what, ct)
	}
	var p struct {
		Type, Title, Detail, Code string
		Status                    int
	}
	if decodeInto(t, what, r.Body, &p) && (p.Status != status || p.Code == "" || p.Title == "" || p.Type == "") {
		t.Errorf("%s: problem %s lacks type/title/status/code", what, r.Body)
	}
}

// deliveryPath turns an absolute delivery URL into a path on the test
// server.
func deliveryPath(t *testing.T, u string) string {
	t.Helper()
	p, ok := strings.CutPrefix(u, siteBase)
	if !ok {
		t.Fatalf("URL %q does not start with the base URL %s", u, siteBase)
	}
	return p
}
