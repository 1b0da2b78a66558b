package wordpress_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/wordpress"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// fixture opens a file of the shared WXR fixtures: MASTHEAD_TEST_WXR_DIR,
// or ../shared/fixtures/wxr beside the module root. The tests skip
// without them: the files are the WordPress project's, not ours to ship.
func fixture(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("MASTHEAD_TEST_WXR_DIR")
	if dir == "" {
		root, err := os.Getwd()
		for err == nil {
			if _, statErr := os.Stat(filepath.Join(root, "go.mod")); statErr == nil {
				break
			}
			parent := filepath.Dir(root)
			if parent == root {
				err = os.ErrNotExist
			}
			root = parent
		}
		dir = filepath.Join(root, "..", "shared", "fixtures", "wxr")
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("WordPress export fixture %s not found (set MASTHEAD_TEST_WXR_DIR or put the fixtures in ../shared/fixtures/wxr): %v", name, err)
	}
	return path
}

// export is the file read the plain way, all at once, to count what the
// import should make independently of its streaming reader.
type export struct {
	Channel struct {
		Authors []struct {
			Login string `xml:"author_login"`
		} `xml:"author"`
		Categories []struct{} `xml:"category"`
		Tags       []struct{} `xml:"tag"`
		Terms      []struct{} `xml:"term"`
		Items      []struct {
			Title    string `xml:"title"`
			Link     string `xml:"link"`
			ID       string `xml:"post_id"`
			DateGMT  string `xml:"post_date_gmt"`
			Status   string `xml:"status"`
			Type     string `xml:"post_type"`
			Password string `xml:"post_password"`
			Creator  string `xml:"creator"`
		} `xml:"item"`
	} `xml:"channel"`
}

// expected is what the test expects the import to make of an export.
type expected struct {
	published, drafts, scheduled, attachments map[string]bool // post ids
	dates                                     map[string]time.Time
	links                                     map[string]string
	authors                                   map[string]bool // logins: listed, or credited with an imported post
}

func expect(t *testing.T, x *export) expected {
	e := expected{published: map[string]bool{}, drafts: map[string]bool{}, scheduled: map[string]bool{},
		attachments: map[string]bool{}, dates: map[string]time.Time{}, links: map[string]string{}, authors: map[string]bool{}}
	for _, a := range x.Channel.Authors {
		e.authors[strings.TrimSpace(a.Login)] = true
	}
	seen := map[string]bool{}
	for _, it := range x.Channel.Items {
		if it.Type == "attachment" {
			e.attachments[it.ID] = true
		}
		if (it.Type != "post" && it.Type != "page") || seen[it.ID] {
			continue
		}
		seen[it.ID] = true
		date, _ := time.Parse("2006-01-02 15:04:05", it.DateGMT)
		switch {
		case it.Status == "trash" || it.Status == "auto-draft" || it.Status == "inherit":
		case it.Status == "publish" && it.Password == "":
			e.published[it.ID] = true
		case it.Status == "future" && it.Password == "" && date.After(time.Now()):
			e.scheduled[it.ID] = true
		case it.Status == "future" && it.Password == "":
			e.published[it.ID] = true
		default:
			e.drafts[it.ID] = true
		}
		e.dates[it.ID], e.links[it.ID] = date, strings.TrimSpace(it.Link)
		if c := strings.TrimSpace(it.Creator); c != "" && (e.published[it.ID] || e.drafts[it.ID] || e.scheduled[it.ID]) {
			e.authors[c] = true
		}
	}
	return e
}

func readExport(t *testing.T, path string) *export {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var x export
	if err := xml.Unmarshal(data, &x); err != nil {
		t.Fatal(err)
	}
	return &x
}

func adminActor(t *testing.T, env *apptest.Env) cms.Actor {
	u, err := env.DB.FindUserByEmail(context.Background(), apptest.AdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	return cms.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Via: "test"}
}

func importFile(t *testing.T, env *apptest.Env, path string, opt wordpress.Options) *wordpress.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := env.App.WordPress.Import(context.Background(), adminActor(t, env), f, opt)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return rep
}

// uploads makes a wp-content/uploads copy with a small image at every
// attachment's path, as --media-dir reads it.
func uploads(t *testing.T, path string) string {
	dir := t.TempDir()
	data, _ := os.ReadFile(path)
	var x struct {
		URLs []string `xml:"channel>item>attachment_url"`
	}
	if err := xml.Unmarshal(data, &x); err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	for _, u := range x.URLs {
		// A self-hosted site keeps files under wp-content/uploads; a
		// WordPress.com one at the root of its files' host.
		u = strings.TrimSpace(u)
		rel := u[strings.Index(u, "://")+3:]
		rel = rel[strings.IndexByte(rel, '/')+1:]
		if _, after, ok := strings.Cut(u, "/wp-content/uploads/"); ok {
			rel = after
		}
		file := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, img.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestImportThemeUnitTestData(t *testing.T) {
	path := fixture(t, "theme-unit-test-data.xml")
	x := readExport(t, path)
	want := expect(t, x)
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		rep := importFile(t, env, path, wordpress.Options{MediaDir: uploads(t, path)})
		total := len(want.published) + len(want.drafts) + len(want.scheduled)
		if rep.Created != total || rep.Updated != 0 || rep.Unchanged != 0 {
			t.Errorf("created %d, updated %d, unchanged %d; want %d created", rep.Created, rep.Updated, rep.Unchanged, total)
		}
		if rep.ByState["published"] != len(want.published) || rep.ByState["draft"] != len(want.drafts) ||
			rep.ByState["scheduled"] != len(want.scheduled) {
			t.Errorf("by state %v; want published %d, draft %d, scheduled %d", rep.ByState, len(want.published), len(want.drafts), len(want.scheduled))
		}
		if rep.Authors != len(want.authors) {
			t.Errorf("authors %d, want %d (%v)", rep.Authors, len(want.authors), want.authors)
		}
		if terms := len(x.Channel.Categories) + len(x.Channel.Tags) + len(x.Channel.Terms); rep.Terms != terms {
			t.Errorf("terms %d, want %d", rep.Terms, terms)
		}
		if rep.Media != len(want.attachments) {
			t.Errorf("media %d, want %d (skipped: %v)", rep.Media, len(want.attachments), rep.Skipped)
		}
		docs := importedDocuments(t, env, rep.Source)
		checkDelivered(t, env, want, docs)
		checkOldLinks(t, env, want, docs)

		// Again: nothing changes, and no document gets a revision.
		before := revisionCount(t, env, docs)
		again := importFile(t, env, path, wordpress.Options{MediaDir: uploads(t, path)})
		if again.Created != 0 || again.Updated != 0 || again.Unchanged != total || again.Media != 0 {
			t.Errorf("second run: created %d, updated %d, unchanged %d, media %d; want all %d unchanged",
				again.Created, again.Updated, again.Unchanged, again.Media, total)
		}
		if after := revisionCount(t, env, docs); after != before {
			t.Errorf("second run: %d revisions, %d before", after, before)
		}
	})
}

// importedDocuments maps post ids to the documents the import made.
func importedDocuments(t *testing.T, env *apptest.Env, source string) map[string]string {
	recs, err := env.DB.FindImportRecords(context.Background(), source)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range recs {
		if r.Kind == "post" {
			out[r.Key] = r.TargetID
		}
	}
	return out
}

func revisionCount(t *testing.T, env *apptest.Env, docs map[string]string) int {
	n := 0
	for _, id := range docs {
		revs, err := env.App.Content.Revisions(context.Background(), cms.System, id)
		if err != nil {
			t.Fatal(err)
		}
		n += len(revs)
	}
	return n
}

// checkDelivered: the published are delivered with their original dates,
// in feeds and the sitemap too; drafts are not; the future is scheduled.
func checkDelivered(t *testing.T, env *apptest.Env, want expected, docs map[string]string) {
	anon := env.Anonymous()
	var list struct {
		Total int
		Data  []struct {
			ID, URL     string
			PublishedAt time.Time `json:"published_at"`
		}
	}
	anon.Do("GET", "/delivery/v1/documents?limit=100", nil).Want(http.StatusOK).Decode(&list)
	if list.Total != len(want.published) {
		t.Errorf("delivered %d documents, want %d", list.Total, len(want.published))
	}
	byID := map[string]time.Time{}
	for _, d := range list.Data {
		byID[d.ID] = d.PublishedAt
	}
	for post := range want.published {
		got, ok := byID[docs[post]]
		if ok && !got.Equal(want.dates[post]) {
			t.Errorf("post %s delivered as published %s, want its original %s", post, got, want.dates[post])
		}
	}
	for post := range want.drafts {
		if _, ok := byID[docs[post]]; ok {
			t.Errorf("draft post %s is delivered", post)
		}
	}
	for post := range want.scheduled {
		d, err := env.App.Content.Document(context.Background(), cms.System, docs[post])
		if err != nil || d.State != workflow.Scheduled || d.ScheduledFor == nil || !d.ScheduledFor.Equal(want.dates[post]) {
			t.Errorf("future post %s: %+v, %v; want scheduled at %s", post, d.ScheduledFor, err, want.dates[post])
		}
	}
	newest := newestOf(want)
	feed := anon.Do("GET", "/delivery/v1/feed.atom", nil).Want(http.StatusOK)
	if !strings.Contains(string(feed.Body), newest.Format(time.RFC3339)) {
		t.Errorf("the feed lacks the newest post's original date %s", newest.Format(time.RFC3339))
	}
	sitemap := anon.Do("GET", "/sitemap.xml", nil).Want(http.StatusOK)
	if strings.Contains(string(sitemap.Body), "<lastmod>"+time.Now().UTC().Format("2006-01-02")) {
		t.Errorf("the sitemap shows the import's date, not the original ones")
	}
	if !strings.Contains(string(sitemap.Body), "<lastmod>"+newest.Format("2006-01")) {
		t.Errorf("the sitemap lacks the newest post's month %s", newest.Format("2006-01"))
	}
}

func newestOf(want expected) time.Time {
	var newest time.Time
	for post := range want.published {
		if want.dates[post].After(newest) {
			newest = want.dates[post]
		}
	}
	return newest
}

// checkOldLinks: each published post's old address answers 301 to its
// new URL, at the site root and through the delivery API.
func checkOldLinks(t *testing.T, env *apptest.Env, want expected, docs map[string]string) {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	checked := 0
	for post := range want.published {
		link := want.links[post]
		i := strings.Index(link, "://")
		if i < 0 {
			continue
		}
		path := link[i+3:]
		path = path[strings.IndexByte(path+"/", '/'):]
		if path == "" || path == "/" {
			continue
		}
		d, err := env.App.Content.Document(context.Background(), cms.System, docs[post])
		if err != nil {
			t.Fatal(err)
		}
		wantURL := env.App.Live.DocumentURL(d.Series, d.Slug)
		for _, url := range []string{env.Server.URL + path, env.Server.URL + "/?p=" + post} {
			resp, err := client.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != wantURL {
				t.Errorf("GET %s: %d to %q, want 301 to %q", url, resp.StatusCode, resp.Header.Get("Location"), wantURL)
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no old link checked")
	}
	var list struct{ Data []struct{ Path, To string } }
	env.Anonymous().Do("GET", "/delivery/v1/redirects", nil).Want(http.StatusOK).Decode(&list)
	if len(list.Data) < 2*len(want.published) {
		t.Errorf("GET /delivery/v1/redirects lists %d, want at least %d", len(list.Data), 2*len(want.published))
	}
}
