package content

import (
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// TestChecksOfStoredContent: what an import brings in meets the rules the
// API's writes apply, field by field.
func TestChecksOfStoredContent(t *testing.T) {
	t.Parallel()
	ct := ContentType{Name: "note", Label: "Note", Fields: []Field{{Name: "body", Label: "Body", Kind: KindRichText, MaxLength: 10}}}
	doc := Document{Type: "note", Title: "A Note", Slug: "a-note", State: workflow.Draft, Fields: map[string]any{"body": "short"}, Topics: []string{"asia"}}
	with := func(f func(d *Document)) Document { d := doc; f(&d); return d }
	series := Series{Slug: "korea-view", Name: "Korea View", Kind: "newsletter"}
	cases := []struct {
		name  string
		err   error
		field string // "" for no problem
	}{
		{"a good document", CheckDocument(doc, ct), ""},
		{"an over-long title", CheckDocument(with(func(d *Document) { d.Title = strings.Repeat("t", 301) }), ct), "title"},
		{"a path for a slug", CheckDocument(with(func(d *Document) { d.Slug = "../x" }), ct), "slug"},
		{"an over-long field", CheckDocument(with(func(d *Document) { d.Fields = map[string]any{"body": "far too long"} }), ct), "fields.body"},
		{"an unknown field", CheckDocument(with(func(d *Document) { d.Fields = map[string]any{"other": "x"} }), ct), "fields.other"},
		{"no such state", CheckDocument(with(func(d *Document) { d.State = "gone" }), ct), "state"},
		{"another type", CheckDocument(with(func(d *Document) { d.Type = "article" }), ct), "type"},
		{"too many topics", CheckDocument(with(func(d *Document) { d.Topics = strings.Split("abcdefghijklmnopqrstu", "") }), ct), "topics"},
		{"a revision's title", CheckRevision(Revision{Title: "", Slug: "x"}, ct), "title"},
		{"a good series", CheckSeries(series), ""},
		{"a series of no kind", CheckSeries(Series{Slug: "s", Name: "S", Kind: "zine"}), "kind"},
		{"an over-long about", CheckSeries(Series{Slug: "s", Name: "S", Kind: "blog", About: strings.Repeat("a", 5001)}), "about"},
		{"a contributor's slug", CheckContributor(Contributor{Slug: "A B", Name: "A"}), "slug"},
		{"a contributor's bio", CheckContributor(Contributor{Slug: "a", Name: "A", Bio: strings.Repeat("b", 5001)}), "bio"},
		{"a good content type", CheckContentType(ct), ""},
		{"a content type without fields", CheckContentType(ContentType{Name: "x", Label: "X"}), "fields"},
		{"an empty comment", CheckComment(Comment{Body: ""}), "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.field == "" {
				if c.err != nil {
					t.Fatalf("refused: %v", c.err)
				}
				return
			}
			ce, ok := c.err.(*cms.Error)
			if !ok || ce.Code != cms.CodeInvalid || len(ce.Fields) == 0 || ce.Fields[0].Field != c.field {
				t.Fatalf("got %v, want a problem with %s", c.err, c.field)
			}
		})
	}
}
