package site

import (
	"context"
	"encoding/json"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/render"
)

// pageSize is how many documents a listing page shows.
const pageSize = 10

// listView is a page of published documents, newest first.
type listView struct {
	Items []listItem
	Total int
	Next  string // the next page's address, "" on the last
	First string // the first page's address, "" on the first
}

// listItem is one document in a listing.
type listItem struct {
	Title, URL, Summary string
	Series              seriesLink
	Byline              link
	Published           time.Time
	Topics              []string
}

// list reads one page of a listing at path; the cursor comes from the
// query string and is checked as delivery checks its own.
func (s *Site) list(c echo.Context, q published.Query, path string) (listView, error) {
	ctx := c.Request().Context()
	q.Limit = pageSize
	if raw := c.QueryParam("cursor"); raw != "" {
		pos, err := s.live.OpenCursor(raw)
		if err != nil {
			return listView{}, err
		}
		q.After = &pos
	}
	entries, total, err := s.store.FindDeliveredPage(ctx, q)
	if err != nil {
		return listView{}, err
	}
	v := listView{Total: total}
	if q.After != nil {
		v.First = path
	}
	if len(entries) > q.Limit {
		entries = entries[:q.Limit]
		last := entries[len(entries)-1]
		v.Next = path + "?cursor=" + url.QueryEscape(s.live.SealCursor(published.Position{PublishedAt: last.PublishedAt, DocumentID: last.DocumentID}))
	}
	for _, e := range entries {
		v.Items = append(v.Items, s.listItem(e))
	}
	return v, nil
}

// listItem reads an entry's digest (or, from an older build, its whole
// document, a superset of the digest).
func (s *Site) listItem(e published.Entry) listItem {
	raw := e.Digest
	if len(raw) == 0 {
		raw = e.Body
	}
	var d render.Digest
	_ = json.Unmarshal(raw, &d) // stored by the renderer; the entry's own columns back it up
	it := listItem{Title: e.Title, URL: "/" + url.PathEscape(e.SeriesSlug) + "/" + url.PathEscape(e.Slug), Summary: e.Summary,
		Series: s.seriesLink(e.SeriesSlug, d.Series.Name), Byline: link{Name: d.Byline.Name}, Published: e.PublishedAt, Topics: d.Topics}
	if d.Byline.Slug != nil {
		it.Byline.URL = "/contributors/" + url.PathEscape(*d.Byline.Slug)
	}
	return it
}

// cacheKey names a listing page by its path and cursor only, so that
// other parameters cannot multiply the cached pages.
func cacheKey(kind, name string, c echo.Context) string {
	return strings.Join([]string{kind, name, c.QueryParam("cursor")}, "\x00")
}

// homeView is home.html's .Data.
type homeView struct {
	Latest listView
	Series []seriesCard
}

// seriesCard is a series on the home page.
type seriesCard struct {
	seriesLink
	Description string
	Parent      string // the parent's slug, "" for a top-level series
}

func (s *Site) home(c echo.Context) error {
	return s.serve(c, cacheKey("home", "", c), func() ([]byte, error) {
		ctx := c.Request().Context()
		latest, err := s.list(c, published.Query{}, "/")
		if err != nil {
			return nil, err
		}
		all, err := s.store.FindAllSeries(ctx)
		if err != nil {
			return nil, err
		}
		v := homeView{Latest: latest}
		for _, sr := range all {
			card := seriesCard{seriesLink: s.seriesLink(sr.Slug, sr.Name), Description: sr.Description}
			if sr.Parent != nil {
				card.Parent = *sr.Parent
			}
			v.Series = append(v.Series, card)
		}
		p := s.newPage(ctx, "", "/", v)
		p.Description = "The latest publications."
		return s.theme.render("home.html", p)
	})
}

// seriesView is series.html's .Data.
type seriesView struct {
	Series      seriesLink
	Description string
	AboutHTML   template.HTML
	Parent      *seriesLink
	Children    []seriesLink
	List        listView
	Signup      *signup
	FeedURL     string
}

// seriesPage shows a series (a parent lists its children's documents
// too), its about-text, the sign-up and the feed.
func (s *Site) seriesPage(c echo.Context) error {
	slug := c.Param("series")
	return s.serve(c, cacheKey("series", slug, c), func() ([]byte, error) {
		ctx := c.Request().Context()
		sr, err := s.store.FindSeries(ctx, slug)
		if err != nil {
			return nil, err
		}
		self := s.seriesLink(sr.Slug, sr.Name)
		lst, err := s.list(c, published.Query{Series: sr.Slug}, self.URL)
		if err != nil {
			return nil, err
		}
		v := seriesView{Series: self, Description: sr.Description, AboutHTML: s.aboutHTML(sr), List: lst,
			Parent: s.parentOf(ctx, sr), Signup: s.signupFor(ctx, sr)}
		v.Children, err = s.children(ctx, sr.Slug)
		if err != nil {
			return nil, err
		}
		p := s.newPage(ctx, sr.Name, self.URL, v)
		p.Description, p.Signup = sr.Description, v.Signup
		p.Feeds = s.seriesFeeds(self)
		v.FeedURL = p.Feeds[0].Href
		p.Data = v
		return s.theme.render("series.html", p)
	})
}

func (s *Site) children(ctx context.Context, parent string) ([]seriesLink, error) {
	all, err := s.store.FindAllSeries(ctx)
	if err != nil {
		return nil, err
	}
	var out []seriesLink
	for _, sr := range all {
		if sr.Parent != nil && *sr.Parent == parent {
			out = append(out, s.seriesLink(sr.Slug, sr.Name))
		}
	}
	return out, nil
}

// contributorView is contributor.html's .Data.
type contributorView struct {
	Name, Bio string
	List      listView
}

// contributorPage lists a contributor's published documents. Someone
// with nothing published is not found, as in delivery, so that drafts
// do not tell who works on them.
func (s *Site) contributorPage(c echo.Context) error {
	slug := c.Param("slug")
	path := "/contributors/" + url.PathEscape(slug)
	return s.serve(c, cacheKey("contributor", slug, c), func() ([]byte, error) {
		ctx := c.Request().Context()
		person, err := s.store.FindContributor(ctx, slug)
		if err != nil {
			return nil, err
		}
		lst, err := s.list(c, published.Query{Contributor: slug}, path)
		if err != nil {
			return nil, err
		}
		if lst.Total == 0 {
			return nil, cms.NotFound("contributor")
		}
		p := s.newPage(ctx, person.Name, path, contributorView{Name: person.Name, Bio: person.Bio, List: lst})
		p.Description = "Publications by " + person.Name + "."
		return s.theme.render("contributor.html", p)
	})
}

// topicView is topic.html's .Data.
type topicView struct {
	Topic string
	List  listView
}

// topicPage lists the published documents on a topic; a topic with none
// is not found.
func (s *Site) topicPage(c echo.Context) error {
	topic := strings.ToLower(c.Param("topic"))
	path := "/topics/" + url.PathEscape(topic)
	return s.serve(c, cacheKey("topic", topic, c), func() ([]byte, error) {
		lst, err := s.list(c, published.Query{Topic: topic}, path)
		if err != nil {
			return nil, err
		}
		if lst.Total == 0 {
			return nil, cms.NotFound("topic")
		}
		p := s.newPage(c.Request().Context(), "Topic: "+topic, path, topicView{Topic: topic, List: lst})
		p.Description = "Publications on " + topic + "."
		return s.theme.render("topic.html", p)
	})
}
