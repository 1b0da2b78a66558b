package content

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// RevisionDiff is what changed between two revisions, field by field.
type RevisionDiff struct {
	From    int           `json:"from"`
	To      int           `json:"to"`
	Changes []FieldChange `json:"changes"`
}

// FieldChange is one changed field. Text fields carry a word diff in Ops;
// every change carries the values before and after.
type FieldChange struct {
	Field  string   `json:"field"`
	Before any      `json:"before"`
	After  any      `json:"after"`
	Ops    []DiffOp `json:"ops,omitempty"`
}

// DiffOp is one run of a word diff: equal, insert or delete.
type DiffOp struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// diffRevisions compares a to b: title, slug, topics, byline, hero,
// credits, and each field of the content type.
func diffRevisions(a, b Revision) RevisionDiff {
	d := RevisionDiff{From: a.Number, To: b.Number, Changes: []FieldChange{}}
	add := func(field string, before, after any) {
		if reflect.DeepEqual(normalize(before), normalize(after)) {
			return
		}
		c := FieldChange{Field: field, Before: before, After: after}
		c.Ops = textOps(before, after)
		d.Changes = append(d.Changes, c)
	}
	add("title", a.Title, b.Title)
	add("slug", a.Slug, b.Slug)
	add("topics", a.Topics, b.Topics)
	add("byline", a.Byline, b.Byline)
	add("hero", a.Hero, b.Hero)
	add("credits", a.Credits, b.Credits)
	for _, name := range fieldNames(a.Fields, b.Fields) {
		add("fields."+name, a.Fields[name], b.Fields[name])
	}
	return d
}

// normalize round-trips through JSON so that equal values compare equal
// whatever Go types they were decoded into.
func normalize(v any) any {
	data, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}

func fieldNames(a, b map[string]any) []string {
	var names []string
	for k := range a {
		names = append(names, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

// textOps diffs two values word by word when both are text (a list of
// texts diffs line by line).
func textOps(before, after any) []DiffOp {
	a, okA := asText(before)
	b, okB := asText(after)
	if !okA || !okB {
		return nil
	}
	dmp := diffmatchpatch.New()
	wa, wb, words := dmp.DiffLinesToRunes(splitWords(a), splitWords(b))
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(wa, wb, false), words)
	ops := make([]DiffOp, 0, len(diffs))
	for _, df := range diffs {
		ops = append(ops, DiffOp{Op: opName(df.Type), Text: strings.ReplaceAll(df.Text, "\x1f\n", "")})
	}
	return ops
}

// splitWords puts each word (with its following space) on a "line" of its
// own, so that the line-mode diff works on words.
func splitWords(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
		if r == ' ' || r == '\n' {
			b.WriteString("\x1f\n")
		}
	}
	return b.String()
}

func asText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case *string:
		if x == nil {
			return "", true
		}
		return *x, true
	case []any:
		lines := make([]string, 0, len(x))
		for _, item := range x {
			lines = append(lines, fmt.Sprint(item))
		}
		return strings.Join(lines, "\n"), true
	}
	return "", false
}

func opName(t diffmatchpatch.Operation) string {
	switch t {
	case diffmatchpatch.DiffInsert:
		return "insert"
	case diffmatchpatch.DiffDelete:
		return "delete"
	}
	return "equal"
}

// RevisionChange sums up what a revision changed from the one before:
// the fields it touched and how many characters it added and removed.
type RevisionChange struct {
	Fields  []string `json:"fields"`
	Added   int      `json:"added"`
	Removed int      `json:"removed"`
}

// changeOf sums up the change from a to b; text is counted in
// characters, other values (topics, credits) by their JSON.
func changeOf(a, b Revision) *RevisionChange {
	c := &RevisionChange{Fields: []string{}}
	dmp := diffmatchpatch.New()
	for _, ch := range diffRevisions(a, b).Changes {
		c.Fields = append(c.Fields, ch.Field)
		before, okA := asText(ch.Before)
		after, okB := asText(ch.After)
		if !okA || !okB {
			before, after = jsonText(ch.Before), jsonText(ch.After)
		}
		for _, df := range dmp.DiffMain(before, after, false) {
			switch df.Type {
			case diffmatchpatch.DiffInsert:
				c.Added += utf8.RuneCountInString(df.Text)
			case diffmatchpatch.DiffDelete:
				c.Removed += utf8.RuneCountInString(df.Text)
			}
		}
	}
	return c
}

func jsonText(v any) string {
	if v == nil {
		return ""
	}
	data, _ := json.Marshal(v)
	return string(data)
}
