package content

import (
	"context"
	"fmt"
	"strings"

	"github.com/masthead-cms/masthead/internal/cms"
)

const maxCredits = 50

// CreditInput names a contributor and their role on a document.
type CreditInput struct {
	Role        string `json:"role"`
	Contributor string `json:"contributor"`
}

// Credits returns a document's credits in order.
func (s *Service) Credits(ctx context.Context, actor cms.Actor, id string) ([]Credit, error) {
	d, err := s.visibleDocument(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return d.Credits, nil
}

// SetCredits replaces a document's credits (editors only). Credits are
// part of the revision, so this is an edit: a new head revision, and an
// approved document goes back to review.
func (s *Service) SetCredits(ctx context.Context, actor cms.Actor, id string, version int, in []CreditInput) (Document, error) {
	d, err := s.editable(ctx, actor, id, version, "credits")
	if err != nil {
		return Document{}, err
	}
	credits, err := s.resolveCredits(ctx, in)
	if err != nil {
		return Document{}, err
	}
	before := d
	d.Credits = credits
	return s.saveEdit(ctx, actor, before, d, edit{action: "credits", message: "credits changed"})
}

// resolveCredits checks the credits and names their contributors. Every
// problem names its row in words, counted from 1 as the newsroom reads
// them ("Melissa Cho is credited twice, rows 2 and 4"), so the detail of
// the refusal says what to fix without the field pointers.
func (s *Service) resolveCredits(ctx context.Context, in []CreditInput) ([]Credit, error) {
	if len(in) > maxCredits {
		return nil, cms.Invalid("credits", fmt.Sprintf("at most %d credits", maxCredits))
	}
	var p cms.Problems
	out := make([]Credit, 0, len(in))
	first := map[string]int{} // contributor slug → the row that credits them first
	for i, c := range in {
		at := fmt.Sprintf("[%d]", i)
		role := strings.TrimSpace(c.Role)
		if !slugRE.MatchString(role) || len(role) > 40 {
			p.Add(at+".role", fmt.Sprintf("row %d: the role must be a lower-case word such as author, editor, contributor or photographer", i+1))
			continue
		}
		contrib, err := s.store.FindContributor(ctx, c.Contributor)
		if cms.IsCode(err, cms.CodeNotFound) {
			p.Add(at+".contributor", fmt.Sprintf("row %d: no contributor %q", i+1, c.Contributor))
			continue
		} else if err != nil {
			return nil, err
		}
		// A person is credited once: a second row for them is a slip
		// (the same name picked twice), whatever its role.
		if row, ok := first[contrib.Slug]; ok {
			p.Add(at+".contributor", fmt.Sprintf("%s is credited twice, rows %d and %d", contrib.Name, row+1, i+1))
			continue
		}
		first[contrib.Slug] = i
		out = append(out, Credit{Role: role, Contributor: contrib.Slug, Name: contrib.Name})
	}
	if len(p) == 0 {
		return out, nil
	}
	msgs := make([]string, len(p))
	for i, f := range p {
		msgs[i] = f.Message
	}
	msg := strings.Join(msgs, "; ")
	return nil, &cms.Error{Code: cms.CodeInvalid, Message: strings.ToUpper(msg[:1]) + msg[1:], Fields: p}
}

// creditPhrases say how each role reads in a credit line. Roles not listed
// read as "with <role> work by …".
var creditPhrases = map[string]string{
	"author":       "written by",
	"editor":       "edited by",
	"contributor":  "with the help of",
	"photographer": "with photographs by",
	"illustrator":  "with illustrations by",
	"translator":   "translated by",
	"researcher":   "with research by",
}

// CreditLine renders credits as the sentence that closes a briefing:
// "Korea View was edited by Yong Kwon with the help of Melissa Cho and
// Alexandra Langford." subject is the byline (a contributor or the series
// name). Roles keep the order of their first credit; names keep theirs.
func CreditLine(subject string, credits []Credit) string {
	if len(credits) == 0 {
		return ""
	}
	var roles []string
	names := map[string][]string{}
	for _, c := range credits {
		if _, ok := names[c.Role]; !ok {
			roles = append(roles, c.Role)
		}
		names[c.Role] = append(names[c.Role], c.Name)
	}
	var main, with []string
	for _, r := range roles {
		phrase, ok := creditPhrases[r]
		if !ok {
			phrase = "with " + strings.ReplaceAll(r, "-", " ") + " work by"
		}
		part := phrase + " " + joinNames(names[r])
		if strings.HasPrefix(phrase, "with ") {
			with = append(with, part)
		} else {
			main = append(main, part)
		}
	}
	line := subject + " was "
	if len(main) == 0 {
		line += "produced"
	} else {
		line += joinNames(main)
	}
	if len(with) > 0 {
		line += " " + joinNames(with)
	}
	return line + "."
}

// joinNames joins "A", "A and B", "A, B, and C".
func joinNames(n []string) string {
	switch len(n) {
	case 0:
		return ""
	case 1:
		return n[0]
	case 2:
		return n[0] + " and " + n[1]
	}
	return strings.Join(n[:len(n)-1], ", ") + ", and " + n[len(n)-1]
}
