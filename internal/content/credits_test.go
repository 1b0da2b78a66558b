package content

import (
	"strings"
	"testing"
)

func TestCreditLine(t *testing.T) {
	t.Parallel()
	yong := Credit{Role: "editor", Contributor: "yong-kwon", Name: "Yong Kwon"}
	melissa := Credit{Role: "contributor", Contributor: "melissa-cho", Name: "Melissa Cho"}
	alexandra := Credit{Role: "contributor", Contributor: "alexandra-langford", Name: "Alexandra Langford"}
	jane := Credit{Role: "author", Contributor: "jane-doe", Name: "Jane Doe"}
	kim := Credit{Role: "contributor", Contributor: "kim", Name: "Kim Lee"}
	cases := []struct {
		name    string
		subject string
		credits []Credit
		want    string
	}{
		{"the example briefing", "Korea View", []Credit{yong, melissa, alexandra},
			"Korea View was edited by Yong Kwon with the help of Melissa Cho and Alexandra Langford."},
		{"none", "Korea View", nil, ""},
		{"one editor", "Korea View", []Credit{yong}, "Korea View was edited by Yong Kwon."},
		{"three helpers", "Korea View", []Credit{yong, melissa, alexandra, kim},
			"Korea View was edited by Yong Kwon with the help of Melissa Cho, Alexandra Langford, and Kim Lee."},
		{"author and editor", "The Peninsula", []Credit{jane, yong},
			"The Peninsula was written by Jane Doe and edited by Yong Kwon."},
		{"only helpers", "Korea View", []Credit{melissa},
			"Korea View was produced with the help of Melissa Cho."},
		{"unknown role", "Korea View", []Credit{yong, {Role: "fact-checker", Name: "Ann Bo"}},
			"Korea View was edited by Yong Kwon with fact checker work by Ann Bo."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := CreditLine(c.subject, c.credits); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestSlugify(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"Beijing Calibrates Its Approach to Seoul": "beijing-calibrates-its-approach-to-seoul",
		"China’s engagement vis-à-vis Washington":  "chinas-engagement-vis-a-vis-washington",
		"  2+2 meeting!! ":                         "2-2-meeting",
		"한국":                                       "",
	}
	for in, want := range cases {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
	long := Slugify("word " + strings.Repeat("abcdefghij ", 20))
	if len(long) > maxSlugLength || !slugRE.MatchString(long) {
		t.Errorf("long slug %q (%d) is invalid", long, len(long))
	}
}

func TestDiffRevisionsWordOps(t *testing.T) {
	t.Parallel()
	a := Revision{Number: 1, Title: "Beijing Calibrates", Fields: map[string]any{"summary": "China talks to Seoul."}}
	b := Revision{Number: 2, Title: "Beijing Calibrates", Fields: map[string]any{"summary": "China quietly talks to Seoul."}}
	d := diffRevisions(a, b)
	if len(d.Changes) != 1 || d.Changes[0].Field != "fields.summary" {
		t.Fatalf("changes = %+v", d.Changes)
	}
	var inserted, rebuilt string
	for _, op := range d.Changes[0].Ops {
		if op.Op == "insert" {
			inserted += op.Text
		}
		if op.Op != "delete" {
			rebuilt += op.Text
		}
	}
	if inserted != "quietly " || rebuilt != "China quietly talks to Seoul." {
		t.Errorf("inserted %q, rebuilt %q", inserted, rebuilt)
	}
}
