package content

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
)

// Redirect sends an old path to a document: delivery answers it with a
// 301 to the document's current URL while the document is live.
type Redirect struct {
	ID         string    `json:"id"`
	Path       string    `json:"path"`
	DocumentID string    `json:"document_id"`
	Source     string    `json:"source"` // import, rename, manual
	CreatedAt  time.Time `json:"created_at"`
}

// Redirect sources.
const (
	RedirectImport = "import"
	RedirectRename = "rename"
	RedirectManual = "manual"
)

const maxRedirectPath = 2000

// RedirectPath is the one form an old address is kept and looked up in:
// its path, unescaped, without a trailing slash, and WordPress's ?p= or
// ?page_id= when it has one (the rest of the query is not part of it).
// It accepts a full URL or a path.
func RedirectPath(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "//") {
		// A path that starts with two slashes, not a URL without its
		// scheme: the old site's links had them by mistake.
		raw = "/" + strings.TrimLeft(raw, "/")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	p := u.Path
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
		if p == "" {
			p = "/"
		}
	}
	q := u.Query()
	for _, key := range []string{"p", "page_id"} {
		if v := q.Get(key); v != "" && isDigits(v) {
			p = strings.TrimRight(p, "/") + "/?" + key + "=" + v
			break
		}
	}
	if p == "/" || len(p) > maxRedirectPath || strings.ContainsAny(p, "\x00\r\n") {
		return "", false
	}
	return p, true
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Redirects lists the redirects, newest first, for admins.
func (s *Service) Redirects(ctx context.Context, actor cms.Actor, limit, offset int) ([]Redirect, int, error) {
	if err := s.authz.Can(actor, "manage", authz.Redirects); err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return s.store.FindRedirects(ctx, limit, max(offset, 0))
}

// AddRedirect keeps an old path alive for a document; the same path
// given again points to the new document.
func (s *Service) AddRedirect(ctx context.Context, actor cms.Actor, path, documentID string) (Redirect, error) {
	if err := s.authz.Can(actor, "manage", authz.Redirects); err != nil {
		return Redirect{}, err
	}
	p, ok := RedirectPath(path)
	if !ok {
		return Redirect{}, cms.Invalid("path", "must be a path or URL other than the root, at most 2000 characters")
	}
	if _, err := s.store.FindDocument(ctx, documentID); cms.IsCode(err, cms.CodeNotFound) {
		return Redirect{}, cms.Invalid("document_id", "no such document")
	} else if err != nil {
		return Redirect{}, err
	}
	r := Redirect{ID: cms.NewID(), Path: p, DocumentID: documentID, Source: RedirectManual, CreatedAt: s.now()}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "redirect.create", ObjectType: "redirect", ObjectID: r.ID,
		Detail: map[string]any{"path": p, "document_id": documentID}}
	if err := s.store.PutRedirect(ctx, r); err != nil {
		return Redirect{}, err
	}
	return r, s.store.AddAudit(ctx, ev)
}

// DeleteRedirect removes a redirect.
func (s *Service) DeleteRedirect(ctx context.Context, actor cms.Actor, id string) error {
	if err := s.authz.Can(actor, "manage", authz.Redirects); err != nil {
		return err
	}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "redirect.delete", ObjectType: "redirect", ObjectID: id}
	return s.store.DeleteRedirect(ctx, id, ev)
}
