package search

import (
	"fmt"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/cms"
)

func show(q Query) string {
	var parts []string
	for _, g := range q.Groups {
		var alts []string
		for _, t := range g.Terms {
			alts = append(alts, showTerm(t))
		}
		parts = append(parts, strings.Join(alts, "|"))
	}
	for _, t := range q.Excluded {
		parts = append(parts, "-"+showTerm(t))
	}
	return strings.Join(parts, " ")
}

func showTerm(t Term) string {
	s := strings.Join(t.Words, "_")
	if t.Prefix {
		s += "*"
	}
	return s
}

func TestParse(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"Seoul Beijing":                   "seoul beijing",
		`"joint dialogue" china`:          "joint_dialogue china",
		"calibr*":                         "calibr*",
		"china -japan":                    "china -japan",
		"quad OR alliance india":          "quad|alliance india",
		"OR china":                        "china",
		"china OR":                        "china",
		"vis-à-vis":                       "vis_à_vis",
		`"unclosed phrase`:                "unclosed_phrase",
		"a* bc*":                          "bc*",
		"'; DROP TABLE documents; --":     "drop table documents",
		`NEAR(a b) AND "x" OR`:            "near_a b x",
		"title:seoul ^boost {x} [y]":      "title_seoul boost x y",
		"":                                "",
		"- -- ---":                        "",
		`"" * ** -"" -*`:                  "",
		"-china":                          "-china",
		"2+2 meeting":                     "2_2 meeting",
		"ÜBER Straße":                     "über straße",
		strings.Repeat("verylongword", 4): strings.Repeat("verylongword", 4)[:32],
	}
	for in, want := range cases {
		q, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if got := show(q); got != want {
			t.Errorf("Parse(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseRefusesLongQueries(t *testing.T) {
	t.Parallel()
	if _, err := Parse(strings.Repeat("a", 257)); !cms.IsCode(err, cms.CodeInvalid) {
		t.Fatalf("err = %v, want invalid", err)
	}
	if _, err := Parse(strings.Repeat("é", 256)); err != nil {
		t.Fatalf("256 characters: %v", err)
	}
}

// FuzzParse checks that any input parses into plain words only.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`"a b" c* -d OR e`, "'; --", "\x00\xff", "NEAR(", `""""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			return
		}
		for _, g := range append([]Group{{Terms: q.Excluded}}, q.Groups...) {
			for _, term := range g.Terms {
				for _, w := range term.Words {
					if w == "" || strings.ContainsAny(w, "\"'*()-:^ \x00") {
						t.Fatalf("Parse(%q) produced word %q", s, w)
					}
				}
			}
		}
		_ = fmt.Sprint(q)
	})
}
