package wordpress

import (
	"fmt"
	"strings"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// catalog makes the series and the contributors the documents need.
func (r *run) catalog() error {
	slug := r.opt.Series
	name := strings.TrimSpace(r.sc.site.Title)
	if name == "" {
		name = "Imported site"
	}
	if slug == "" {
		if slug = content.Slugify(name); slug == "" {
			slug = "imported"
		}
	}
	if err := r.ensureSeries(slug, name); err != nil {
		return err
	}
	r.series = slug
	if r.opt.CategoriesAsSeries {
		for _, t := range r.sc.categories {
			if t.Parent != "" || t.Slug == "uncategorized" {
				continue
			}
			s := content.Slugify(t.Slug)
			if s == "" {
				s = content.Slugify(t.Name)
			}
			if s == "" {
				continue
			}
			if err := r.ensureSeries(s, t.Name); err != nil {
				return err
			}
			r.topSeries[t.Slug] = s
		}
	}
	for _, a := range r.sc.authors {
		if strings.TrimSpace(a.Login) == "" {
			continue
		}
		r.report.Authors++
		if err := r.author(a); err != nil {
			return err
		}
	}
	return nil
}

// ensureSeries creates a series unless it exists.
func (r *run) ensureSeries(slug, name string) error {
	if _, err := r.im.d.Content.Series(r.ctx, slug); err == nil {
		return nil
	} else if !cms.IsCode(err, cms.CodeNotFound) {
		return err
	}
	r.report.Series++
	if r.opt.DryRun {
		return nil
	}
	if len([]rune(name)) > 200 {
		name = string([]rune(name)[:200])
	}
	kind, desc := "blog", "Imported from "+r.source
	_, err := r.im.d.Content.CreateSeries(r.ctx, r.actor, content.SeriesInput{Slug: slug, Name: &name, Kind: &kind, Description: &desc})
	if err != nil {
		return fmt.Errorf("wordpress: series %q: %w", slug, err)
	}
	return nil
}

// author makes a wp:author a contributor, once: a second run, or a
// contributor of that name already there, is reused.
func (r *run) author(a *Author) error {
	login := strings.TrimSpace(a.Login)
	if login == "" {
		return nil
	}
	if rec, ok := r.records["author/"+login]; ok {
		if _, err := r.im.d.Content.Contributor(r.ctx, rec.TargetID); err == nil {
			r.authors[login] = rec.TargetID
			return nil
		}
	}
	name := strings.TrimSpace(a.DisplayName)
	if name == "" {
		name = strings.TrimSpace(a.FirstName + " " + a.LastName)
	}
	if name == "" {
		name = login
	}
	slug := content.Slugify(name)
	if slug == "" {
		slug = content.Slugify(login)
	}
	if slug == "" {
		slug = "author-" + content.Slugify(a.ID)
	}
	r.authors[login] = slug
	if r.opt.DryRun {
		return nil
	}
	if _, err := r.im.d.Content.Contributor(r.ctx, slug); err != nil {
		if !cms.IsCode(err, cms.CodeNotFound) {
			return err
		}
		if _, err := r.im.d.Content.CreateContributor(r.ctx, r.actor, content.ContributorInput{Slug: slug, Name: &name}); err != nil {
			return fmt.Errorf("wordpress: author %q: %w", login, err)
		}
	}
	return r.remember(Record{Source: r.source, Kind: "author", Key: login, TargetID: slug, Digest: digest(a.DisplayName)})
}

// authorOf is the contributor of a post's author, or "" (the series).
func (r *run) authorOf(it *Item) string {
	login := strings.TrimSpace(it.Creator)
	if slug, ok := r.authors[login]; ok {
		return slug
	}
	return ""
}
