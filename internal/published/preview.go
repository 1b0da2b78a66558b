package published

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/render"
)

// PreviewStore keeps preview links.
type PreviewStore interface {
	CreatePreviewLink(ctx context.Context, l PreviewLink) error
	FindPreviewLink(ctx context.Context, id string) (PreviewLink, error)
	FindPreviewLinks(ctx context.Context, documentID string) ([]PreviewLink, error)
	RevokePreviewLink(ctx context.Context, documentID, id string, at time.Time) error
	TouchPreviewLink(ctx context.Context, id string, at time.Time) error
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
func (s *Service) CreatePreviewLink(ctx context.Context, actor cms.Actor, documentID string, req PreviewRequest) (PreviewLink, error) {
	if _, err := s.docs.Document(ctx, actor, documentID); err != nil {
		return PreviewLink{}, err
	}
	ttl := defaultPreviewTTL
	if req.ExpiresIn != 0 {
		ttl = time.Duration(req.ExpiresIn) * time.Second
		if ttl <= 0 || ttl > maxPreviewTTL {
			return PreviewLink{}, cms.Invalid("expires_in", "must be between 1 second and 30 days")
		}
	}
	now := time.Now().UTC()
	l := PreviewLink{ID: cms.NewID(), DocumentID: documentID, CreatedBy: actor.UserID, ExpiresAt: now.Add(ttl), CreatedAt: now}
	if err := s.store.CreatePreviewLink(ctx, l); err != nil {
		return PreviewLink{}, err
	}
	l.URL = s.cfg.BaseURL.String() + "/delivery/v1/preview/" + s.previewToken(l)
	return l, nil
}

// PreviewLinks lists a document's links.
func (s *Service) PreviewLinks(ctx context.Context, actor cms.Actor, documentID string) ([]PreviewLink, error) {
	if _, err := s.docs.Document(ctx, actor, documentID); err != nil {
		return nil, err
	}
	return s.store.FindPreviewLinks(ctx, documentID)
}

// RevokePreviewLink ends a link at once.
func (s *Service) RevokePreviewLink(ctx context.Context, actor cms.Actor, documentID, id string) error {
	if _, err := s.docs.Document(ctx, actor, documentID); err != nil {
		return err
	}
	return s.store.RevokePreviewLink(ctx, documentID, id, time.Now().UTC())
}

func (s *Service) previewToken(l PreviewLink) string {
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

// OpenPreview is what a preview link shows: its document's head revision
// in the delivered shape. The token's signature and expiry are checked
// before the database is asked, so that forged tokens cost nothing; a
// forged, expired or revoked link is not found. Each use is counted.
//
// The document's images point to PreviewMediaPath under the token, since
// /media serves only what is live and a draft's hero is not yet.
func (s *Service) OpenPreview(ctx context.Context, token string) (PreviewLink, render.Document, error) {
	l, doc, err := s.openPreview(ctx, token)
	if err != nil {
		return PreviewLink{}, render.Document{}, err
	}
	if err := s.store.TouchPreviewLink(ctx, l.ID, time.Now().UTC()); err != nil {
		return PreviewLink{}, render.Document{}, err
	}
	doc, err = MediaAt(doc, s.cfg.BaseURL.String()+PreviewMediaPath(token), "")
	return l, doc, err
}

// PreviewMedia checks that a preview link's document shows the asset, so
// that the link serves that file and no other; a file fetched is not
// counted as a use of the link.
func (s *Service) PreviewMedia(ctx context.Context, token, assetID string) error {
	_, doc, err := s.openPreview(ctx, token)
	if err != nil {
		return err
	}
	body, err := render.JSON(doc)
	if err != nil {
		return err
	}
	if !slices.Contains(mediaShown(body), assetID) {
		return cms.NotFound("media")
	}
	return nil
}

func (s *Service) openPreview(ctx context.Context, token string) (PreviewLink, render.Document, error) {
	now := time.Now().UTC()
	id, ok := s.openPreviewToken(token, now)
	if !ok {
		return PreviewLink{}, render.Document{}, cms.NotFound("preview")
	}
	l, err := s.store.FindPreviewLink(ctx, id)
	if err != nil || l.RevokedAt != nil || !now.Before(l.ExpiresAt) {
		return PreviewLink{}, render.Document{}, cms.NotFound("preview")
	}
	doc, err := s.renderHead(ctx, l.DocumentID)
	return l, doc, err
}

// PreviewMediaPath is where a preview link serves its document's images:
// /delivery/v1/preview/{token}/media/{id}.
func PreviewMediaPath(token string) string { return "/delivery/v1/preview/" + token + "/media/" }

// MediaAt points a document's images (the hero's and those in its text)
// at prefix+id+suffix instead of [host]/media/id, which serves only what is live:
// a preview shows a draft's images through a route of its own. It
// rewrites the delivered JSON, where every address of an asset is, and
// reads it back.
func MediaAt(doc render.Document, prefix, suffix string) (render.Document, error) {
	body, err := render.JSON(doc)
	if err != nil {
		return render.Document{}, err
	}
	body = mediaPath.ReplaceAll(body, []byte(prefix+"${1}"+suffix))
	var out render.Document
	return out, json.Unmarshal(body, &out)
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
	doc, err := s.renderRevision(ctx, s.store, d, rev)
	if d.EmbargoUntil != nil && d.EmbargoUntil.After(time.Now()) {
		doc.EmbargoedUntil = d.EmbargoUntil
	}
	return doc, err
}

// SealCursor signs a listing's position so that a client cannot forge one.
func (s *Service) SealCursor(p Position) string {
	payload := strconv.FormatInt(p.PublishedAt.UnixNano(), 10) + "," + p.DocumentID
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + s.sign("cursor", payload)
}

// OpenCursor reads a position SealCursor gave out; anything else is
// invalid input.
func (s *Service) OpenCursor(raw string) (Position, error) {
	bad := cms.Invalid("cursor", "is not a cursor this API gave out")
	enc, sig, ok := strings.Cut(raw, ".")
	if !ok {
		return Position{}, bad
	}
	payload, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || !hmac.Equal([]byte(sig), []byte(s.sign("cursor", string(payload)))) {
		return Position{}, bad
	}
	nanos, id, ok := strings.Cut(string(payload), ",")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || err != nil || id == "" {
		return Position{}, bad
	}
	return Position{PublishedAt: time.Unix(0, n).UTC(), DocumentID: id}, nil
}

// sign is an HMAC-SHA256 of payload under the site's key, scoped by
// purpose so a cursor can never pass as a preview token.
func (s *Service) sign(purpose, payload string) string {
	m := hmac.New(sha256.New, s.cfg.Key)
	m.Write([]byte(purpose + "\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}
