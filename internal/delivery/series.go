package delivery

import (
	"context"
	"encoding/json"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/published"
)

// seriesOut is a series as delivered, with the number of published
// documents in it (its children's included).
type seriesOut struct {
	Slug        string  `json:"slug"`
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	Description string  `json:"description"`
	About       string  `json:"about"`
	Parent      *string `json:"parent"`
	Documents   int     `json:"documents"`
	FeedURL     string  `json:"feed_url"`
}

func (s *Handler) seriesList(ctx context.Context) ([]seriesOut, error) {
	all, err := s.store.FindAllSeries(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.CountDelivered(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]seriesOut, 0, len(all))
	for _, sr := range all {
		out = append(out, s.seriesOut(sr, all, counts))
	}
	return out, nil
}

// listed keeps the series a public list shows: those with something live,
// or all of them when the site says so. A series page answers either way,
// so that a new newsletter can take sign-ups before its first issue.
func (s *Handler) listed(all []seriesOut) []seriesOut {
	if s.cfg.ListEmptySeries {
		return all
	}
	out := make([]seriesOut, 0, len(all))
	for _, sr := range all {
		if sr.Documents > 0 {
			out = append(out, sr)
		}
	}
	return out
}

func (s *Handler) seriesOut(sr content.Series, all []content.Series, counts map[string]int) seriesOut {
	n := counts[sr.Slug]
	for _, child := range all {
		if child.Parent != nil && *child.Parent == sr.Slug {
			n += counts[child.Slug]
		}
	}
	return seriesOut{Slug: sr.Slug, Name: sr.Name, Kind: sr.Kind, Description: sr.Description, About: sr.About,
		Parent: sr.Parent, Documents: n, FeedURL: s.cfg.BaseURL.String() + "/delivery/v1/feeds/" + sr.Slug + ".atom"}
}

func (s *Handler) listSeries(c echo.Context) error {
	return s.serve(c, "series", published.Shows{}, func() ([]byte, string, error) {
		list, err := s.seriesList(c.Request().Context())
		if err != nil {
			return nil, "", err
		}
		body, err := json.Marshal(map[string]any{"data": s.listed(list)})
		return body, jsonType, err
	})
}

func (s *Handler) getSeries(c echo.Context) error {
	slug := c.Param("slug")
	return s.serve(c, "series\x00"+slug, published.Shows{Series: slug}, func() ([]byte, string, error) {
		list, err := s.seriesList(c.Request().Context())
		if err != nil {
			return nil, "", err
		}
		for _, sr := range list {
			if sr.Slug == slug {
				body, err := json.Marshal(sr)
				return body, jsonType, err
			}
		}
		return nil, "", cms.NotFound("series")
	})
}

// contributorOut is a contributor's public page: who they are and their
// latest published documents. Contributors with nothing published are not
// found, so that drafts do not reveal who works on them.
type contributorOut struct {
	Slug      string          `json:"slug"`
	Name      string          `json:"name"`
	Bio       string          `json:"bio"`
	Total     int             `json:"total"`
	Documents json.RawMessage `json:"documents"`
}

func (s *Handler) getContributor(c echo.Context) error {
	slug := c.Param("slug")
	return s.serve(c, "contributor\x00"+slug, published.Shows{Contributor: slug}, func() ([]byte, string, error) {
		ctx := c.Request().Context()
		person, err := s.store.FindContributor(ctx, slug)
		if err != nil {
			return nil, "", err
		}
		entries, total, err := s.store.FindDeliveredPage(ctx, published.Query{Contributor: slug, Limit: defaultLimit})
		if err != nil {
			return nil, "", err
		}
		if total == 0 {
			return nil, "", cms.NotFound("contributor")
		}
		if len(entries) > defaultLimit {
			entries = entries[:defaultLimit]
		}
		docs := pageJSON(entries, false, "", total)
		var page struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(docs, &page); err != nil {
			return nil, "", err
		}
		body, err := json.Marshal(contributorOut{Slug: person.Slug, Name: person.Name, Bio: person.Bio, Total: total, Documents: page.Data})
		return body, jsonType, err
	})
}
