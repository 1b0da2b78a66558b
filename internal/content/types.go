package content

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Field kinds (SPEC §2).
const (
	KindText     = "text"
	KindRichText = "rich_text" // Markdown (CommonMark)
	KindTextList = "text_list"
	KindDate     = "date" // YYYY-MM-DD
	KindMedia    = "media"
	KindDocument = "document"
)

var fieldKinds = []string{KindText, KindRichText, KindTextList, KindDate, KindMedia, KindDocument}

// maxListItems bounds a list of texts, whatever its item length.
const maxListItems = 200

// Field is one field of a content type.
type Field struct {
	Name      string `json:"name"`
	Label     string `json:"label"`
	Kind      string `json:"kind"`
	Required  bool   `json:"required"`
	MaxLength int    `json:"max_length"`
}

// ContentType is a named list of fields, stored as data.
type ContentType struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Label     string    `json:"label"`
	Fields    []Field   `json:"fields"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var fieldNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// validate checks a content type definition.
func (ct *ContentType) validate() error {
	var p cms.Problems
	ct.Name = strings.TrimSpace(ct.Name)
	ct.Label = strings.TrimSpace(ct.Label)
	if !fieldNameRE.MatchString(ct.Name) {
		p.Add("name", "must be lower-case letters, digits and underscores, starting with a letter")
	}
	if ct.Label == "" || utf8.RuneCountInString(ct.Label) > 100 {
		p.Add("label", "is required and at most 100 characters")
	}
	if len(ct.Fields) == 0 || len(ct.Fields) > 50 {
		p.Add("fields", "must list between 1 and 50 fields")
	}
	seen := map[string]bool{}
	for i, f := range ct.Fields {
		at := fmt.Sprintf("fields[%d]", i)
		if !fieldNameRE.MatchString(f.Name) || seen[f.Name] {
			p.Add(at+".name", "must be a unique lower-case identifier")
		}
		seen[f.Name] = true
		if !oneOf(f.Kind, fieldKinds) {
			p.Add(at+".kind", fmt.Sprintf("must be one of %v", fieldKinds))
		}
		if f.MaxLength < 0 || f.MaxLength > 1_000_000 {
			p.Add(at+".max_length", "must be between 0 (no limit) and 1000000")
		}
		if strings.TrimSpace(f.Label) == "" {
			ct.Fields[i].Label = f.Name
		}
	}
	return p.Err()
}

func oneOf(s string, list []string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// field returns the named field.
func (ct ContentType) field(name string) (Field, bool) {
	for _, f := range ct.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// normalizeFields checks field values against the type and returns them in
// canonical form: strings for text kinds, []any of strings for lists.
// Missing fields are allowed here; required fields are checked at submit.
func (ct ContentType) normalizeFields(values map[string]any) (map[string]any, error) {
	var p cms.Problems
	out := make(map[string]any, len(values))
	for name, v := range values {
		at := "fields." + name
		f, ok := ct.field(name)
		if !ok {
			p.Add(at, fmt.Sprintf("is not a field of %s", ct.Name))
			continue
		}
		if v == nil {
			continue // null clears the field
		}
		nv, msg := f.normalize(v)
		if msg != "" {
			p.Add(at, msg)
			continue
		}
		out[name] = nv
	}
	return out, p.Err()
}

func (f Field) normalize(v any) (any, string) {
	switch f.Kind {
	case KindTextList:
		list, ok := v.([]any)
		if !ok {
			return nil, "must be a list of strings"
		}
		if len(list) > maxListItems {
			return nil, fmt.Sprintf("must have at most %d items", maxListItems)
		}
		out := make([]any, 0, len(list))
		for _, item := range list {
			s, ok := item.(string)
			if !ok {
				return nil, "must be a list of strings"
			}
			if msg := f.checkLength(s); msg != "" {
				return nil, "each item " + msg
			}
			out = append(out, s)
		}
		return out, ""
	case KindDate:
		s, ok := v.(string)
		if !ok {
			return nil, "must be a date (YYYY-MM-DD)"
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return nil, "must be a date (YYYY-MM-DD)"
		}
		return s, ""
	default:
		s, ok := v.(string)
		if !ok {
			return nil, "must be a string"
		}
		if !utf8.ValidString(s) {
			return nil, "must be valid UTF-8"
		}
		return s, f.checkLength(s)
	}
}

func (f Field) checkLength(s string) string {
	if f.MaxLength > 0 && utf8.RuneCountInString(s) > f.MaxLength {
		return fmt.Sprintf("must be at most %d characters", f.MaxLength)
	}
	return ""
}

// missingRequired lists the required fields without a value, for submit.
func (ct ContentType) missingRequired(values map[string]any) error {
	var p cms.Problems
	for _, f := range ct.Fields {
		if f.Required && isEmpty(values[f.Name]) {
			p.Add("fields."+f.Name, "is required before submitting")
		}
	}
	return p.Err()
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		for _, item := range x {
			if s, ok := item.(string); ok && strings.TrimSpace(s) != "" {
				return false
			}
		}
		return true
	}
	return false
}
