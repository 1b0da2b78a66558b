package admin

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/content"
)

// docForm is the editor form as submitted: the document's editable part,
// the version the writer started from, and a list operation when a
// browser without scripts pressed "move up", "move down" or "remove".
type docForm struct {
	Type, Series                      string
	Title, Slug, Topics, Byline, Hero string
	Message                           string
	Fields                            map[string]any // by field name; nil = empty
	Version, BaseRevision, Force      int
	// Base is the form as last stored, URL-encoded: what a merge
	// compares both sides with (issue 18). KeepBoth asks for the merge.
	Base     string
	KeepBoth bool
	// SlugFollows is set while the slug follows the title and no one
	// typed it: the slug is then left to the content service.
	SlugFollows bool
}

// parseDocForm reads the editor form against the content type's fields.
func parseDocForm(c echo.Context, ct content.ContentType) (docForm, error) {
	form, err := c.FormParams()
	if err != nil {
		return docForm{}, err
	}
	return parseDocValues(form, ct), nil
}

// parseDocValues reads an editor form's values.
func parseDocValues(form url.Values, ct content.ContentType) docForm {
	f := docForm{
		Base: form.Get("base"), KeepBoth: form.Get("keep_both") != "", SlugFollows: form.Get("slug_follows") == "1",
		Type: form.Get("type"), Series: form.Get("series"),
		Title: strings.TrimSpace(form.Get("title")), Slug: strings.TrimSpace(form.Get("slug")),
		Topics: form.Get("topics"), Byline: form.Get("byline"), Hero: strings.TrimSpace(form.Get("hero")),
		Message: strings.TrimSpace(form.Get("message")), Fields: map[string]any{},
		Version: atoi(form.Get("version")), BaseRevision: atoi(form.Get("base_revision")), Force: atoi(form.Get("force_version")),
	}
	op := parseListOp(form.Get("list_op"))
	for _, fd := range ct.Fields {
		key := "fields." + fd.Name
		if fd.Kind == content.KindTextList {
			var items []string
			for _, v := range form[key] {
				if v = strings.TrimSpace(v); v != "" {
					items = append(items, v)
				}
			}
			if op.list == fd.Name {
				items = op.apply(items)
			}
			if len(items) == 0 {
				f.Fields[fd.Name] = nil
				continue
			}
			list := make([]any, len(items))
			for i, s := range items {
				list[i] = s
			}
			f.Fields[fd.Name] = list
			continue
		}
		v := form.Get(key)
		if fd.Kind != content.KindRichText {
			v = strings.TrimSpace(v)
		}
		if strings.TrimSpace(v) == "" {
			f.Fields[fd.Name] = nil
			continue
		}
		f.Fields[fd.Name] = strings.ReplaceAll(v, "\r\n", "\n")
	}
	return f
}

// encodeBase is a document's editable part as the editor form sends it,
// URL-encoded, for the form's base.
func encodeBase(d content.Document) string {
	f := valuesOf(d)
	v := url.Values{"title": {f.Title}, "slug": {f.Slug}, "topics": {f.Topics}, "byline": {f.Byline}, "hero": {f.Hero}}
	for name, val := range d.Fields {
		switch x := val.(type) {
		case string:
			v.Set("fields."+name, x)
		case []any:
			for _, item := range x {
				v.Add("fields."+name, fmt.Sprint(item))
			}
		}
	}
	return v.Encode()
}

// editable is the base of a form, as the content service merges against.
func (f docForm) editable(ct content.ContentType) (*content.Editable, bool) {
	if f.Base == "" {
		return nil, false
	}
	v, err := url.ParseQuery(f.Base)
	if err != nil {
		return nil, false
	}
	b := parseDocValues(v, ct)
	topics := b.topics()
	return &content.Editable{Title: b.Title, Slug: b.Slug, Fields: b.Fields, Topics: topics, Byline: &b.Byline, Hero: &b.Hero}, true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// slug is the slug to save: the one given, or one derived from the title.
func (f docForm) slug() *string {
	s := f.Slug
	if s == "" {
		s = content.Slugify(f.Title)
	}
	if s == "" {
		return nil
	}
	return &s
}

func (f docForm) topics() []string {
	out := []string{}
	for _, t := range strings.Split(f.Topics, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// patch is the form as a change to an existing document.
func (f docForm) patch() content.DocumentPatch {
	topics := f.topics()
	p := content.DocumentPatch{
		Title: &f.Title, Slug: f.slug(), Fields: f.Fields, Topics: &topics,
		Byline: &f.Byline, Hero: &f.Hero, Message: f.Message,
	}
	if f.SlugFollows {
		p.Slug = nil
	}
	return p
}

// newDocument is the form as a new document.
func (f docForm) newDocument() content.NewDocument {
	fields := map[string]any{}
	for k, v := range f.Fields {
		if v != nil {
			fields[k] = v
		}
	}
	in := content.NewDocument{Type: f.Type, Series: f.Series, Title: f.Title, Fields: fields, Topics: f.topics(), Message: f.Message}
	if s := f.slug(); s != nil {
		in.Slug = *s
	}
	if f.Byline != "" {
		in.Byline = &f.Byline
	}
	if f.Hero != "" {
		in.Hero = &f.Hero
	}
	return in
}

// listOp is "name:up:2", "name:down:0" or "name:remove:1": what a button
// of a list editor does when no script handles it.
type listOp struct {
	list, op string
	index    int
}

func parseListOp(s string) listOp {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return listOp{}
	}
	i, err := strconv.Atoi(parts[2])
	if err != nil {
		return listOp{}
	}
	return listOp{list: parts[0], op: parts[1], index: i}
}

func (o listOp) apply(items []string) []string {
	return applyOp(items, o.op, o.index)
}

// applyOp moves or removes item i; out-of-range operations change nothing.
func applyOp[T any](items []T, op string, i int) []T {
	if i < 0 || i >= len(items) {
		return items
	}
	switch op {
	case "up":
		if i > 0 {
			items[i-1], items[i] = items[i], items[i-1]
		}
	case "down":
		if i+1 < len(items) {
			items[i+1], items[i] = items[i], items[i+1]
		}
	case "remove":
		items = append(items[:i], items[i+1:]...)
	}
	return items
}

// fieldView is one field of the editor as the template shows it.
type fieldView struct {
	content.Field
	ID    string
	Value string
	Items []string // lists: the items and one blank to add another
	Error string
	Long  bool // a text field long enough for a text area
}

// fieldViews lays out the content type's fields with their values.
func fieldViews(ct content.ContentType, values map[string]any, errs map[string]string) []fieldView {
	out := make([]fieldView, 0, len(ct.Fields))
	for _, fd := range ct.Fields {
		v := fieldView{Field: fd, ID: "f-" + fd.Name, Error: errs["fields."+fd.Name],
			Long: fd.MaxLength == 0 || fd.MaxLength > 300}
		switch x := values[fd.Name].(type) {
		case string:
			v.Value = x
		case []any:
			for _, item := range x {
				v.Items = append(v.Items, fmt.Sprint(item))
			}
		case []string:
			v.Items = append(v.Items, x...)
		}
		if fd.Kind == content.KindTextList {
			v.Items = append(v.Items, "")
		}
		out = append(out, v)
	}
	return out
}

// missingRequired lists the labels of required fields without a value,
// so that the editor can flag them before the writer submits.
func missingRequired(ct content.ContentType, values map[string]any) []string {
	var out []string
	for _, fd := range ct.Fields {
		if !fd.Required {
			continue
		}
		empty := true
		switch x := values[fd.Name].(type) {
		case string:
			empty = strings.TrimSpace(x) == ""
		case []any:
			for _, item := range x {
				if strings.TrimSpace(fmt.Sprint(item)) != "" {
					empty = false
				}
			}
		}
		if empty {
			out = append(out, fd.Label)
		}
	}
	return out
}
