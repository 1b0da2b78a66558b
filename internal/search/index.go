package search

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/net/html"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/render"
)

// FromRendered is the index entry of a delivered document: every text and
// rich-text field, topics, credited names.
func FromRendered(d render.Document, parentSlug *string) Doc {
	doc := Doc{DocumentID: d.ID, SeriesSlug: d.Series.Slug, ParentSlug: parentSlug, Slug: d.Slug, Type: d.Type,
		PublishedAt: d.PublishedAt, Title: d.Title, Summary: d.Summary, Topics: d.Topics}
	var body []string
	for _, name := range sortedKeys(d.Fields) {
		if name == "summary" {
			continue
		}
		body = append(body, fieldText(d.Fields[name]))
	}
	doc.Body = strings.Join(body, "\n\n")
	seen := map[string]bool{}
	for _, c := range d.Credits {
		if !seen[c.Name] {
			doc.Contributors = append(doc.Contributors, c.Name)
			seen[c.Name] = true
		}
	}
	if d.Byline.Slug != nil && !seen[d.Byline.Name] {
		doc.Contributors = append(doc.Contributors, d.Byline.Name)
	}
	return doc
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fieldText flattens a field value to plain text: rich text by the text
// of its sanitized HTML (what readers see, and the same words for both
// engines: PostgreSQL's parser would drop anything shaped like a tag in the
// Markdown source), lists line by line.
func fieldText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case render.RichText:
		return htmlText(x.HTML)
	case map[string]any:
		s, _ := x["html"].(string)
		return htmlText(s)
	case []any:
		lines := make([]string, 0, len(x))
		for _, item := range x {
			lines = append(lines, fmt.Sprint(item))
		}
		return strings.Join(lines, "\n")
	case []string:
		return strings.Join(x, "\n")
	}
	return ""
}

// StaffIndexer keeps the staff index on head revisions: a content hook.
type StaffIndexer struct{}

// DocumentChanged indexes the head revision of every written document.
// Deleted documents leave the index with their row.
func (StaffIndexer) DocumentChanged(ctx context.Context, tx content.Store, c content.Change) error {
	if c.After == nil {
		return nil
	}
	ix, ok := tx.(IndexTx)
	if !ok {
		return fmt.Errorf("search: the transaction's store lacks index methods")
	}
	d := c.After
	return ix.PutStaff(ctx, d.ID, d.Title, staffBody(*d))
}

// DocumentsChanged indexes the head revisions of a batch's written
// documents in a few statements when the store can.
func (x StaffIndexer) DocumentsChanged(ctx context.Context, tx content.Store, cs []content.Change) error {
	bx, ok := tx.(BatchIndexTx)
	if !ok {
		for _, c := range cs {
			if err := x.DocumentChanged(ctx, tx, c); err != nil {
				return err
			}
		}
		return nil
	}
	entries := make([]StaffEntry, 0, len(cs))
	for _, c := range cs {
		if c.After != nil {
			entries = append(entries, StaffEntry{DocumentID: c.After.ID, Title: c.After.Title, Body: staffBody(*c.After)})
		}
	}
	return bx.PutStaffBatch(ctx, entries)
}

// staffBody is the text the staff index holds of a head revision.
func staffBody(d content.Document) string {
	var body []string
	for _, name := range sortedKeys(d.Fields) {
		body = append(body, fieldText(d.Fields[name]))
	}
	body = append(body, strings.Join(d.Topics, " "))
	for _, cr := range d.Credits {
		body = append(body, cr.Name)
	}
	return strings.Join(body, "\n\n")
}

// htmlText returns the text of an HTML fragment, entities decoded, with
// block boundaries as spaces.
func htmlText(fragment string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			b.WriteByte(' ')
		}
	}
}
