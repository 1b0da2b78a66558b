package delivery

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"html"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/feeds"
	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/render"
)

const feedSize = 50

// feedSource is what a feed is about: one series (with its children) or
// the whole site. id is the Atom feed's permanent <id>.
type feedSource struct {
	title, description, slug, id string
}

// idSpace is the name space of the Atom ids Masthead mints (UUID version
// 5, RFC 9562): an id is a name in it, so it never depends on a slug or
// on the base URL, and a reader keeps knowing an entry it has seen when
// either changes.
var idSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/masthead-cms/masthead/atom-id"))

// entryID is a document's Atom entry id, from its id alone.
func entryID(documentID string) string {
	return "urn:uuid:" + uuid.NewSHA1(idSpace, []byte("document:"+documentID)).String()
}

// seriesFeedID is a series' Atom feed id, from its id (not its slug, so a
// renamed series keeps its feed).
func seriesFeedID(seriesID string) string {
	return "urn:uuid:" + uuid.NewSHA1(idSpace, []byte("series:"+seriesID)).String()
}

// siteFeedID is the site feed's Atom id. Every install has a site feed,
// so the name is the site's own: a MAC of the site's signing key, which
// lives in the database (site_state) and so is the same on every instance
// and across restarts and base-URL changes, and which the id does not
// reveal.
func siteFeedID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("atom feed id"))
	return "urn:uuid:" + uuid.NewSHA1(idSpace, append([]byte("site:"), m.Sum(nil)...)).String()
}

func (s *Handler) siteFeed(c echo.Context) error {
	format := strings.TrimPrefix(c.Path()[strings.LastIndex(c.Path(), "."):], ".")
	return s.feed(c, feedSource{title: "All publications", slug: "", id: siteFeedID(s.cfg.Key)}, format)
}

func (s *Handler) seriesFeed(c echo.Context) error {
	file := c.Param("file")
	dot := strings.LastIndex(file, ".")
	if dot < 0 {
		return cms.NotFound("feed")
	}
	slug, format := file[:dot], file[dot+1:]
	sr, err := s.store.FindSeries(c.Request().Context(), slug)
	if err != nil {
		return err
	}
	return s.feed(c, feedSource{title: sr.Name, description: sr.Description, slug: sr.Slug, id: seriesFeedID(sr.ID)}, format)
}

func (s *Handler) feed(c echo.Context, src feedSource, format string) error {
	if format != "atom" && format != "json" {
		return cms.NotFound("feed")
	}
	return s.serve(c, "feed\x00"+src.slug+"\x00"+format, published.Shows{Series: src.slug}, func() ([]byte, string, error) {
		docs, err := s.latest(c.Request().Context(), src.slug, feedSize)
		if err != nil {
			return nil, "", err
		}
		self := s.cfg.BaseURL.String() + c.Request().URL.Path
		if format == "json" {
			body, err := jsonFeed(src, self, s.cfg.BaseURL.String(), docs)
			return body, "application/feed+json", err
		}
		body, err := atomFeed(src, self, s.cfg.BaseURL.String(), docs)
		return body, "application/atom+xml; charset=utf-8", err
	})
}

// latest decodes the newest delivered documents of a series (or all).
func (s *Handler) latest(ctx context.Context, series string, n int) ([]render.Document, error) {
	entries, _, err := s.store.FindDeliveredPage(ctx, published.Query{Series: series, Limit: n})
	if err != nil {
		return nil, err
	}
	if len(entries) > n {
		entries = entries[:n]
	}
	docs := make([]render.Document, 0, len(entries))
	for _, e := range entries {
		var d render.Document
		if err := json.Unmarshal(e.Body, &d); err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// contentHTML is a document's body for feed readers: its sections in the
// content type's order, each under its label as a heading. The summary
// is left out: the feed carries it as the entry's summary.
func contentHTML(d render.Document) string {
	var b strings.Builder
	for _, sec := range d.Sections {
		if sec.Name == "summary" || sec.HTML == "" {
			continue
		}
		b.WriteString("<h2>" + html.EscapeString(sec.Label) + "</h2>")
		b.WriteString(sec.HTML)
	}
	if d.CreditLine != "" {
		b.WriteString("<p>" + html.EscapeString(d.CreditLine) + "</p>")
	}
	return b.String()
}

func atomFeed(src feedSource, self, home string, docs []render.Document) ([]byte, error) {
	f := &feeds.Feed{
		Title:       src.title,
		Link:        &feeds.Link{Href: home},
		Description: src.description,
		Id:          src.id,
		Updated:     time.Unix(0, 0).UTC(),
	}
	for _, d := range docs {
		if d.UpdatedAt.After(f.Updated) {
			f.Updated = d.UpdatedAt
		}
		f.Items = append(f.Items, &feeds.Item{
			Id: entryID(d.ID), Title: d.Title, Link: &feeds.Link{Href: d.URL}, Description: d.Summary,
			Author: &feeds.Author{Name: d.Byline.Name}, Created: d.PublishedAt, Updated: d.UpdatedAt,
			Content: contentHTML(d),
		})
	}
	atom := (&feeds.Atom{Feed: f}).AtomFeed()
	// The library takes a feed's id from its link and leaves entries
	// without <published>; set both on its structures.
	atom.Id = src.id
	for i, d := range docs {
		atom.Entries[i].Published = d.PublishedAt.UTC().Format(time.RFC3339)
	}
	atom.Link = &feeds.AtomLink{Href: self, Rel: "self", Type: "application/atom+xml"}
	data, err := xml.MarshalIndent(atom, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), data...), nil
}

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1).
type jsonFeedDoc struct {
	Version     string         `json:"version"`
	Title       string         `json:"title"`
	HomePageURL string         `json:"home_page_url"`
	FeedURL     string         `json:"feed_url"`
	Description string         `json:"description,omitempty"`
	Items       []jsonFeedItem `json:"items"`
}

type jsonFeedItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url"`
	Title         string           `json:"title"`
	ContentHTML   string           `json:"content_html"`
	Summary       string           `json:"summary,omitempty"`
	DatePublished string           `json:"date_published"`
	DateModified  string           `json:"date_modified"`
	Authors       []jsonFeedAuthor `json:"authors"`
	Tags          []string         `json:"tags,omitempty"`
}

type jsonFeedAuthor struct {
	Name string `json:"name"`
}

func jsonFeed(src feedSource, self, home string, docs []render.Document) ([]byte, error) {
	f := jsonFeedDoc{Version: "https://jsonfeed.org/version/1.1", Title: src.title, HomePageURL: home,
		FeedURL: self, Description: src.description, Items: []jsonFeedItem{}}
	for _, d := range docs {
		f.Items = append(f.Items, jsonFeedItem{
			ID: d.ID, URL: d.URL, Title: d.Title, ContentHTML: contentHTML(d), Summary: d.Summary,
			DatePublished: d.PublishedAt.Format(time.RFC3339), DateModified: d.UpdatedAt.Format(time.RFC3339),
			Authors: []jsonFeedAuthor{{Name: d.Byline.Name}}, Tags: d.Topics,
		})
	}
	return json.Marshal(f)
}
