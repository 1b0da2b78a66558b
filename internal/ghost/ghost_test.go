package ghost_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/ghost"
	"github.com/masthead-cms/masthead/internal/wordpress"
)

// ghost1 is a Ghost 1 export: numbers for ids, milliseconds for dates,
// page as 0 or 1, the author on the post, no wrapper around db.
const ghost1 = `{"meta":{"exported_on":1426263451924,"version":"003"},"data":{
"posts":[{"id":1,"uuid":"d15e5c91","title":"Welcome <& \"friends\">","slug":"welcome","html":"<p>You're live ]]> really</p>",
  "page":0,"status":"published","author_id":1,"created_at":1426078349135,"updated_at":1426078349135,"published_at":1426078349156},
 {"id":2,"uuid":"d15e5c92","title":"Colophon","slug":"colophon","html":null,"plaintext":"First paragraph.\n\nSecond & last.",
  "page":1,"status":"draft","author_id":1,"created_at":1426078349135,"updated_at":1426078349135,"published_at":null}],
"users":[{"id":1,"name":"Cozy","slug":"cozy","email":"cozy@example.org"}],
"tags":[],"posts_tags":[]}}`

// TestGhostOneAsWXR: what WriteWXR writes reads back, through the
// WordPress reader, as the posts it came from.
func TestGhostOneAsWXR(t *testing.T) {
	e, err := ghost.Read(strings.NewReader(ghost1))
	if err != nil {
		t.Fatal(err)
	}
	var wxr bytes.Buffer
	if err := ghost.WriteWXR(e, ghost.Options{SiteURL: "https://blog.example.org/"}, &wxr); err != nil {
		t.Fatal(err)
	}
	rd := wordpress.NewReader(&wxr)
	var items []*wordpress.Item
	var authors []*wordpress.Author
	for {
		v, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%v\n%s", err, wxr.String())
		}
		switch x := v.(type) {
		case *wordpress.Item:
			items = append(items, x)
		case *wordpress.Author:
			authors = append(authors, x)
		}
	}
	if rd.Site().BaseBlogURL != "https://blog.example.org" || len(authors) != 1 || authors[0].Login != "cozy" {
		t.Fatalf("site %+v, authors %v", rd.Site(), authors)
	}
	if len(items) != 2 {
		t.Fatalf("%d items, want 2", len(items))
	}
	post, page := items[0], items[1]
	checks := []struct{ name, got, want string }{
		{"title", post.Title, `Welcome <& "friends">`},
		{"body", post.Content(), "<p>You're live ]]> really</p>"},
		{"date", post.DateGMT, "2015-03-11 12:52:29"},
		{"status", post.Status, "publish"},
		{"type", post.Type, "post"},
		{"creator", post.Creator, "cozy"},
		{"link", post.Link, "https://blog.example.org/welcome/"},
		{"page type", page.Type, "page"},
		{"page status", page.Status, "draft"},
		{"page body", page.Content(), "<p>First paragraph.</p>\n<p>Second &amp; last.</p>\n"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}
