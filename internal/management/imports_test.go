package management_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

const apiWXR = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Api Site</title><link>https://api.example</link><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Über “quotes” — 한국어</title><link>https://api.example/2019/03/uber/</link><dc:creator>ann</dc:creator>
<content:encoded><![CDATA[<p>Hi.</p>]]></content:encoded><wp:post_id>7</wp:post_id>
<wp:post_date_gmt>2019-03-04 05:06:07</wp:post_date_gmt><wp:post_name>uber</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>
`

func exportForm(t *testing.T, file string) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("file", "site.xml")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write([]byte(file))
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// TestImportsAPI: an admin posts an export and follows the job to its
// report; the document is delivered with its title and date as they were;
// a malformed file is 400 naming the line, and starts nothing; others are
// refused.
func TestImportsAPI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		body, ctype := exportForm(t, apiWXR)
		var job struct {
			ID, Status string
			Report     *struct{ Created, Unchanged int }
		}
		r := admin.Do("POST", "/api/v1/imports", body, "Content-Type", ctype).Want(http.StatusAccepted)
		r.Decode(&job)
		if r.Header.Get("Location") != "/api/v1/imports/"+job.ID {
			t.Errorf("Location %q", r.Header.Get("Location"))
		}
		for i := 0; i < 200 && job.Status == "running"; i++ {
			time.Sleep(25 * time.Millisecond)
			admin.Do("GET", "/api/v1/imports/"+job.ID, nil).Want(http.StatusOK).Decode(&job)
		}
		if job.Status != "done" || job.Report == nil || job.Report.Created != 1 {
			t.Fatalf("job %+v, want done with 1 created", job)
		}
		var doc struct {
			Title       string
			PublishedAt string `json:"published_at"`
		}
		env.Anonymous().Do("GET", "/delivery/v1/documents/api-site/uber", nil).Want(http.StatusOK).Decode(&doc)
		if doc.Title != "Über “quotes” — 한국어" || doc.PublishedAt != "2019-03-04T05:06:07Z" {
			t.Errorf("delivered %q published %s", doc.Title, doc.PublishedAt)
		}

		bad, ctype := exportForm(t, apiWXR[:len(apiWXR)/2])
		p := admin.Do("POST", "/api/v1/imports", bad, "Content-Type", ctype).Want(http.StatusBadRequest)
		if !strings.Contains(string(p.Body), "line ") {
			t.Errorf("the problem does not name the line: %s", p.Body)
		}
		writer := env.CreateUser("w@example.org", "author:*")
		writer.Do("POST", "/api/v1/imports", body, "Content-Type", ctype).Want(http.StatusForbidden)
		writer.Do("GET", "/api/v1/imports/"+job.ID, nil).Want(http.StatusForbidden)
	})
}
