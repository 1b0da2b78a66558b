package admin_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

const smallWXR = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Small Site</title><link>https://small.example</link><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Hello</title><link>https://small.example/hello/</link><dc:creator>ann</dc:creator>
<content:encoded><![CDATA[<p>Hi.</p>]]></content:encoded><wp:post_id>7</wp:post_id>
<wp:post_date_gmt>2019-03-04 05:06:07</wp:post_date_gmt><wp:post_name>hello</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>
`

// multipartBody is a form with a file part and fields.
func multipartBody(t *testing.T, file string, fields map[string]string) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	part, err := w.CreateFormFile("file", "export.xml")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write([]byte(file))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

// TestImportPage: an admin uploads an export from the import page and
// follows its progress bar, which polls its fragment, to the report;
// others may not open the page.
func TestImportPage(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		admin := env.Admin().For(t)
		form := get(t, admin, "/admin/imports", http.StatusOK)
		contains(t, form, `enctype="multipart/form-data"`, `name="file"`)
		body, ctype := multipartBody(t, smallWXR, map[string]string{"csrf_token": csrfOf(t, form)})
		csrf := admin.CSRF
		admin.CSRF = ""
		page := admin.Do("POST", "/admin/imports", body, "Content-Type", ctype).Want(http.StatusOK)
		admin.CSRF = csrf
		contains(t, string(page.Body), `role="progressbar"`, "export.xml")
		id := between(string(page.Body), `id="import-`, `"`)
		var frag string
		for i := 0; i < 200 && !strings.Contains(frag, `data-status="done"`); i++ {
			time.Sleep(25 * time.Millisecond)
			frag = get(t, admin, "/admin/imports/"+id+"/progress", http.StatusOK)
			if strings.Contains(frag, `data-status="failed"`) {
				t.Fatalf("the import failed: %s", frag)
			}
		}
		contains(t, frag, `data-status="done"`, "1 created, 0 updated, 0 unchanged", `value="100"`)
		lacks(t, frag, "hx-trigger")
		get(t, n.writer, "/admin/imports", http.StatusForbidden)
		env.Anonymous().Do("GET", "/delivery/v1/documents/small-site/hello", nil).Want(http.StatusOK)
	})
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	return s[:strings.Index(s, to)]
}
