package published

import (
	"context"
	"net/url"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// RedirectStore is what old paths need from persistence.
type RedirectStore interface {
	PutRedirect(ctx context.Context, r content.Redirect) error
	// FindRedirectTarget is the series and slug of the live document a
	// path redirects to (not found: none, or not live).
	FindRedirectTarget(ctx context.Context, path string) (series, slug string, err error)
	// FindLiveRedirects lists path, series and slug of every redirect to
	// a live document.
	FindLiveRedirects(ctx context.Context) ([][3]string, error)
	// FindDeliveredPath is where a live document is delivered now.
	FindDeliveredPath(ctx context.Context, documentID string) (series, slug string, err error)
}

// keepOldPath adds a redirect from where a live document was delivered to
// where it is about to be, when its slug or series changed: no link a
// reader saved breaks.
func keepOldPath(ctx context.Context, ds Store, e Entry, at time.Time) error {
	series, slug, err := ds.FindDeliveredPath(ctx, e.DocumentID)
	if cms.IsCode(err, cms.CodeNotFound) {
		return nil // first published
	}
	if err != nil || (series == e.SeriesSlug && slug == e.Slug) {
		return err
	}
	path, ok := content.RedirectPath(pathOf(series, slug))
	if !ok {
		return nil
	}
	return ds.PutRedirect(ctx, content.Redirect{ID: cms.NewID(), Path: path, DocumentID: e.DocumentID,
		Source: content.RedirectRename, CreatedAt: at.UTC()})
}

// pathOf is a document's path on the reader site.
func pathOf(series, slug string) string {
	return "/" + url.PathEscape(series) + "/" + url.PathEscape(slug)
}

// Redirect returns the current URL of the live document that an old
// address (a path, with WordPress's ?p= or ?page_id= if any) leads to.
func (s *Service) Redirect(ctx context.Context, rawPath string) (string, error) {
	path, ok := content.RedirectPath(rawPath)
	if !ok {
		return "", cms.NotFound("redirect")
	}
	series, slug, err := s.store.FindRedirectTarget(ctx, path)
	if err != nil {
		return "", err
	}
	return s.renderer.URL(series, slug), nil
}

// LiveRedirect is an old path and the URL it answers with.
type LiveRedirect struct {
	Path string `json:"path"`
	To   string `json:"to"`
}

// Redirects lists every old path that leads to a live document, for a
// front end of its own.
func (s *Service) Redirects(ctx context.Context) ([]LiveRedirect, error) {
	rows, err := s.store.FindLiveRedirects(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]LiveRedirect, len(rows))
	for i, r := range rows {
		out[i] = LiveRedirect{Path: r[0], To: s.renderer.URL(r[1], r[2])}
	}
	return out, nil
}
