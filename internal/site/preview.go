package site

import (
	"context"
	"net/url"
	"strings"

	"github.com/masthead-cms/masthead/internal/render"
)

// PreviewPage renders a document that is not live yet — the head
// revision the newsroom's preview and preview links show — with the
// document page's own template, so that what the editor sees is what
// the site will publish. The page is marked noindex and carries a
// preview banner; the caller sends it privately (never cached).
func (s *Site) PreviewPage(ctx context.Context, d render.Document) ([]byte, error) {
	path := "/" + url.PathEscape(d.Series.Slug) + "/" + url.PathEscape(d.Slug)
	return s.renderDocument(ctx, d, path, true)
}

// PreviewPolicy is the Content-Security-Policy to send with a
// PreviewPage: the site's own, except that the newsroom's preview may
// show the page in a frame of its own origin.
func (s *Site) PreviewPolicy() string {
	return strings.Replace(s.contentSecurityPolicy(), "frame-ancestors 'none'", "frame-ancestors 'self'", 1)
}
