package content

import (
	"errors"

	"github.com/masthead-cms/masthead/internal/cms"
)

// The checks below apply the API's rules to content that arrives some
// other way than through the API (an import of an export): each refuses
// what the writes that would have stored it refuse, with the same field
// problems. They read only their arguments.

// CheckSeries checks a stored series: slug, name, kind and texts.
func CheckSeries(sr Series) error {
	var p cms.Problems
	if checkSlug("slug", sr.Slug) != nil {
		p.Add("slug", slugRule)
	}
	applySeriesText(&p, &sr, SeriesInput{Name: &sr.Name, Kind: &sr.Kind, Description: &sr.Description, About: &sr.About})
	return p.Err()
}

// CheckContentType checks a stored content type definition.
func CheckContentType(ct ContentType) error {
	ct.Fields = append([]Field(nil), ct.Fields...) // validate fills in labels
	return ct.validate()
}

// CheckContributor checks a stored contributor: slug, name and bio.
func CheckContributor(c Contributor) error {
	var p cms.Problems
	if checkSlug("slug", c.Slug) != nil {
		p.Add("slug", slugRule)
	}
	addProblems(&p, applyContributor(&c, ContributorInput{Name: &c.Name, Bio: &c.Bio}))
	return p.Err()
}

// CheckDocument checks a stored document of content type ct: its state,
// and its editable part as an edit checks it.
func CheckDocument(d Document, ct ContentType) error {
	var p cms.Problems
	if d.Type != ct.Name {
		p.Add("type", "is not "+ct.Name)
	}
	if !validState(d.State) {
		p.Add("state", "is not a workflow state")
	}
	checkEditable(&p, ct, d.Title, d.Slug, d.Fields, d.Topics)
	return p.Err()
}

// CheckRevision checks a stored revision of a document of content type
// ct as an edit checks what it snapshots.
func CheckRevision(r Revision, ct ContentType) error {
	var p cms.Problems
	checkEditable(&p, ct, r.Title, r.Slug, r.Fields, r.Topics)
	return p.Err()
}

// CheckComment checks a stored comment's body.
func CheckComment(c Comment) error {
	return checkCommentBody(c.Body)
}

func checkEditable(p *cms.Problems, ct ContentType, title, slug string, fields map[string]any, topics []string) {
	checkTitle(p, title)
	if checkSlug("slug", slug) != nil {
		p.Add("slug", slugRule)
	}
	_, err := ct.normalizeFields(fields)
	addProblems(p, err)
	if _, msg := normalizeTopics(topics); msg != "" {
		p.Add("topics", msg)
	}
}

// addProblems adds the field problems of a validation error to p.
func addProblems(p *cms.Problems, err error) {
	var ce *cms.Error
	if errors.As(err, &ce) {
		*p = append(*p, ce.Fields...)
	}
}
