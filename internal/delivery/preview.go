package delivery

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/render"
)

// PreviewStore keeps preview links.
type PreviewStore interface {
	CreatePreviewLink(ctx context.Context, l published.PreviewLink) error
	FindPreviewLink(ctx context.Context, id string) (published.PreviewLink, error)
	FindPreviewLinks(ctx context.Context, documentID string) ([]published.PreviewLink, error)
	RevokePreviewLink(ctx context.Context, documentID, id string, at time.Time) error
	TouchPreviewLink(ctx context.Context, id string, at time.Time) error
}

// DocumentReader answers whether an actor may read a document.
type DocumentReader interface {
	Document(ctx context.Context, actor cms.Actor, id string) (content.Document, error)
}

const (
	defaultPreviewTTL = 7 * 24 * time.Hour
	maxPreviewTTL     = 30 * 24 * time.Hour
)

// PreviewRequest asks for a link valid for ExpiresIn seconds.
type PreviewRequest struct {
	ExpiresIn int `json:"expires_in"`
}

// CreatePreviewLink makes a signed, expiring link to a document's head
// revision for someone who may read the document.
func (s *Service) CreatePreviewLink(ctx context.Context, actor cms.Actor, documentID string, req PreviewRequest) (published.PreviewLink, error) {
	if _, err := s.docs.Document(ctx, actor, documentID); err != nil {
		return published.PreviewLink{}, err
	}
	ttl := defaultPreviewTTL
	if req.ExpiresIn != 0 {
		ttl = time.Duration(req.ExpiresIn) * time.Second
		if ttl <= 0 || ttl > maxPreviewTTL {
			return published.PreviewLink{}, cms.Invalid("expires_in", "must be between 1 second and 30 days")
		}
	}
	now := time.Now().UTC()
	l := published.PreviewLink{ID: cms.NewID(), DocumentID: documentID, CreatedBy: actor.UserID, ExpiresAt: now.Add(ttl), CreatedAt: now}
	if err := s.previews.CreatePreviewLink(ctx, l); err != nil {
		return published.PreviewLink{}, err
	}
	l.URL = s.cfg.BaseURL.String() + "/delivery/v1/preview/" + s.previewToken(l)
	return l, nil
}

// PreviewLinks lists a document's links.
func (s *Service) PreviewLinks(ctx context.Context, actor cms.Actor, documentID string) ([]published.PreviewLink, error) {
	if _, err := s.docs.Document(ctx, actor, documentID); err != nil {
		return nil, err
	}
	return s.previews.FindPreviewLinks(ctx, documentID)
}

// RevokePreviewLink ends a link at once.
func (s *Service) RevokePreviewLink(ctx context.Context, actor cms.Actor, documentID, id string) error {
	if _, err := s.docs.Document(ctx, actor, documentID); err != nil {
		return err
	}
	return s.previews.RevokePreviewLink(ctx, documentID, id, time.Now().UTC())
}

func (s *Service) previewToken(l published.PreviewLink) string {
	payload := l.ID + "," + strconv.FormatInt(l.ExpiresAt.Unix(), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + s.sign("preview", payload)
}

// openPreviewToken checks the signature and expiry without touching the
// database, so that forged tokens cost nothing.
func (s *Service) openPreviewToken(token string, now time.Time) (string, bool) {
	enc, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || !hmac.Equal([]byte(sig), []byte(s.sign("preview", string(payload)))) {
		return "", false
	}
	id, exp, ok := strings.Cut(string(payload), ",")
	unix, err := strconv.ParseInt(exp, 10, 64)
	if !ok || err != nil || !now.Before(time.Unix(unix, 0)) {
		return "", false
	}
	return id, true
}

// preview shows a document's head revision in the delivered shape. It is
// private: never cached by anyone, never indexed.
func (s *Service) preview(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Robots-Tag", "noindex")
	ctx := c.Request().Context()
	now := time.Now().UTC()
	id, ok := s.openPreviewToken(c.Param("token"), now)
	if !ok {
		return cms.NotFound("preview")
	}
	l, err := s.previews.FindPreviewLink(ctx, id)
	if err != nil || l.RevokedAt != nil || !now.Before(l.ExpiresAt) {
		return cms.NotFound("preview")
	}
	doc, err := s.renderHead(ctx, l.DocumentID)
	if err != nil {
		return err
	}
	if err := s.previews.TouchPreviewLink(ctx, l.ID, now); err != nil {
		return err
	}
	s.cfg.Logger.Info("preview link used", "link", l.ID, "document", l.DocumentID, "remote_ip", c.RealIP())
	body, err := render.JSON(doc)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, jsonType, body)
}

// renderHead renders a document's head revision, as the preview and the
// editor show it.
func (s *Service) renderHead(ctx context.Context, documentID string) (render.Document, error) {
	d, err := s.store.FindDocument(ctx, documentID)
	if err != nil {
		return render.Document{}, err
	}
	rev, err := s.store.FindRevision(ctx, d.ID, d.HeadRevision)
	if err != nil {
		return render.Document{}, err
	}
	return s.renderRevision(ctx, s.store, d, rev)
}
