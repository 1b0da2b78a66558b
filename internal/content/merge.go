package content

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Editable is a document's editable part as a client last saw it stored:
// the base a merge compares both sides with.
type Editable struct {
	Title  string         `json:"title"`
	Slug   string         `json:"slug"`
	Fields map[string]any `json:"fields"`
	Topics []string       `json:"topics"`
	Byline *string        `json:"byline"` // nil or "": the series
	Hero   *string        `json:"hero"`   // nil or "": none
}

// MergeRequest is a change made on base while someone else saved: the
// patch is the actor's side ("mine"), what is stored now is theirs.
type MergeRequest struct {
	Base *Editable `json:"base"`
	// Prefer "mine" settles each overlap with the actor's side instead of
	// refusing: "save my version", which still keeps every field only the
	// other side changed.
	Prefer string `json:"prefer"`
	DocumentPatch
}

// MergeDocument keeps both sides of a conflict (issue 18): each field
// that only one side changed since base takes that side; a text field
// that both changed takes both edits where they do not overlap (a word
// diff against base). A field both changed in overlapping ways is a
// conflict: nothing is saved and the error names each such field. The
// merged document is saved as the actor's edit of the current version.
func (s *Service) MergeDocument(ctx context.Context, actor cms.Actor, id string, in MergeRequest) (Document, error) {
	if in.Base == nil {
		return Document{}, cms.Invalid("base", "is required: the document as you last saw it stored")
	}
	if in.Prefer != "" && in.Prefer != "mine" {
		return Document{}, cms.Invalid("prefer", `is "mine" or absent`)
	}
	d, err := s.visibleDocument(ctx, actor, id)
	if err != nil {
		return Document{}, err
	}
	if _, err := s.editable(ctx, actor, id, d.Version, "edit"); err != nil {
		return Document{}, err
	}
	ct, err := s.store.FindContentType(ctx, d.Type)
	if err != nil {
		return Document{}, err
	}
	base, mine, theirs := sides(*in.Base, in.DocumentPatch, d)
	merged := map[string]any{}
	var conflicts cms.Problems
	for _, key := range mergeKeys(base, mine, theirs) {
		v, ok := merge3(base[key], mine[key], theirs[key], textField(ct, key))
		if !ok && in.Prefer == "mine" {
			v, ok = mine[key], true
		}
		if !ok {
			conflicts.Add(key, "changed on both sides in the same place; choose one")
			continue
		}
		merged[key] = v
	}
	if len(conflicts) > 0 {
		return Document{}, &cms.Error{Code: cms.CodeConflict, Fields: conflicts,
			Message: fmt.Sprintf("both sides changed %s in the same place", strings.Join(fieldList(conflicts), ", "))}
	}
	return s.UpdateDocument(ctx, actor, id, d.Version, patchOf(merged, in.DocumentPatch))
}

func fieldList(ps cms.Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Field
	}
	return out
}

// sides flattens base, the actor's patch over base, and the stored
// document into comparable values by key (title, slug, topics, byline,
// hero, fields.NAME), normalized through JSON.
func sides(base Editable, p DocumentPatch, d Document) (b, m, t map[string]any) {
	b = flatEditable(base)
	m = maps(b)
	if p.Title != nil {
		m["title"] = normalize(strings.TrimSpace(*p.Title))
	}
	if p.Slug != nil {
		m["slug"] = normalize(*p.Slug)
	}
	if p.Topics != nil {
		topics, _ := normalizeTopics(*p.Topics)
		m["topics"] = normalize(topics)
	}
	if p.Byline != nil {
		m["byline"] = normalize(*p.Byline)
	}
	if p.Hero != nil {
		m["hero"] = normalize(*p.Hero)
	}
	for k, v := range p.Fields {
		m["fields."+k] = normalize(v)
	}
	t = flatEditable(Editable{Title: d.Title, Slug: d.Slug, Fields: d.Fields, Topics: d.Topics, Byline: d.Byline, Hero: d.Hero})
	return b, m, t
}

func flatEditable(e Editable) map[string]any {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	topics := e.Topics
	if topics == nil {
		topics = []string{}
	}
	out := map[string]any{"title": e.Title, "slug": e.Slug, "topics": normalize(topics),
		"byline": str(e.Byline), "hero": str(e.Hero)}
	for k, v := range e.Fields {
		out["fields."+k] = normalize(v)
	}
	return out
}

func mergeKeys(ms ...map[string]any) []string {
	var keys []string
	for _, m := range ms {
		for k := range m {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// textField reports whether key is a field whose text merges edit by edit
// (rich text and plain text fields; the title, slug and lists are whole
// values).
func textField(ct ContentType, key string) bool {
	name, ok := strings.CutPrefix(key, "fields.")
	if !ok {
		return false
	}
	for _, f := range ct.Fields {
		if f.Name == name {
			return f.Kind != KindTextList
		}
	}
	return false
}

// merge3 merges one value: the side that changed it wins; when both did
// alike, either; when both did differently, a text merges if their edits
// do not overlap.
func merge3(base, mine, theirs any, text bool) (any, bool) {
	switch {
	case reflect.DeepEqual(mine, base), reflect.DeepEqual(mine, theirs):
		return theirs, true
	case reflect.DeepEqual(theirs, base):
		return mine, true
	case !text:
		return nil, false
	}
	b, okB := asText(base)
	m, okM := mine.(string)
	t, okT := theirs.(string)
	if !okB || !okM || !okT {
		return nil, false
	}
	out, ok := MergeText(b, m, t)
	if !ok {
		return nil, false
	}
	return out, true
}

// patchOf turns merged values back into a patch, with the actor's note
// and checkpoint.
func patchOf(v map[string]any, mine DocumentPatch) DocumentPatch {
	str := func(key string) *string {
		s, _ := v[key].(string)
		return &s
	}
	p := DocumentPatch{Title: str("title"), Slug: str("slug"), Byline: str("byline"), Hero: str("hero"),
		Message: mine.Message, Checkpoint: mine.Checkpoint, Fields: map[string]any{}}
	topics := []string{}
	if list, ok := v["topics"].([]any); ok {
		for _, t := range list {
			topics = append(topics, fmt.Sprint(t))
		}
	}
	p.Topics = &topics
	for k, val := range v {
		if name, ok := strings.CutPrefix(k, "fields."); ok {
			p.Fields[name] = val
		}
	}
	return p
}

// textEdit replaces base[start:end] with text.
type textEdit struct {
	start, end int
	text       string
}

// MergeText merges two edits of the same base text: both sides' changes
// are kept when no word was changed by both (a word diff against base);
// it reports false when they overlap.
func MergeText(base, mine, theirs string) (string, bool) {
	em, et := textEdits(base, mine), textEdits(base, theirs)
	all := slices.Clone(em)
	for _, b := range et {
		if slices.Contains(em, b) {
			continue // the same edit on both sides
		}
		for _, a := range em {
			if overlap(a, b) {
				return "", false
			}
		}
		all = append(all, b)
	}
	slices.SortStableFunc(all, func(a, b textEdit) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return a.end - b.end // an insertion before a replacement at the same place
	})
	var out strings.Builder
	pos := 0
	for _, e := range all {
		out.WriteString(base[pos:e.start])
		out.WriteString(e.text)
		pos = e.end
	}
	out.WriteString(base[pos:])
	return out.String(), true
}

// overlap reports whether two edits touch the same words of base: their
// ranges intersect, or both insert at one place.
func overlap(a, b textEdit) bool {
	if a.start == a.end && b.start == b.end {
		return a.start == b.start
	}
	return a.start < b.end && b.start < a.end
}

// textEdits is the word diff from base to s as replacements of base's
// byte ranges.
func textEdits(base, s string) []textEdit {
	dmp := diffmatchpatch.New()
	ra, rb, words := dmp.DiffLinesToRunes(splitWords(base), splitWords(s))
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), words)
	var out []textEdit
	var cur *textEdit
	pos := 0
	for _, df := range diffs {
		t := strings.ReplaceAll(df.Text, "\x1f\n", "")
		if df.Type == diffmatchpatch.DiffEqual {
			if cur != nil {
				out = append(out, *cur)
				cur = nil
			}
			pos += len(t)
			continue
		}
		if cur == nil {
			cur = &textEdit{start: pos, end: pos}
		}
		if df.Type == diffmatchpatch.DiffDelete {
			pos += len(t)
			cur.end = pos
		} else {
			cur.text += t
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// DiffEditable compares a document's editable part as a client saw it
// with the document as it is now, as a diff of revisions does.
func DiffEditable(base Editable, d Document) RevisionDiff {
	a := Revision{Title: base.Title, Slug: base.Slug, Fields: base.Fields, Topics: base.Topics, Byline: emptyNil(base.Byline),
		Hero: emptyNil(base.Hero), Credits: d.Credits}
	if a.Fields == nil {
		a.Fields = map[string]any{}
	}
	if a.Topics == nil {
		a.Topics = []string{}
	}
	return diffRevisions(a, d.snapshot(d.HeadRevision, "", "", d.UpdatedAt))
}

func emptyNil(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}
