package auth

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/cms"
)

// tokenPrefix marks Masthead API tokens, so that secret scanners and people
// can recognise a leaked one.
const tokenPrefix = "mh_"

// NewToken is the input for creating an API token.
type NewToken struct {
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes"`
	ExpiresAt *cms.Time `json:"expires_at"`
}

// validate checks the input and fills in what is absent: the scopes and
// expiry of via, the caller's token, or both scopes and no expiry when the
// caller has a browser session.
func (n *NewToken) validate(now time.Time, via *Token) error {
	var p cms.Problems
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" || utf8.RuneCountInString(n.Name) > 100 {
		p.Add("name", "is required and at most 100 characters")
	}
	switch {
	case len(n.Scopes) == 0 && via != nil:
		n.Scopes = slices.Clone(via.Scopes)
	case len(n.Scopes) == 0:
		n.Scopes = []string{ScopeRead, ScopeWrite}
	}
	if n.ExpiresAt == nil && via != nil && via.ExpiresAt != nil {
		n.ExpiresAt = &cms.Time{Time: *via.ExpiresAt}
	}
	for _, sc := range n.Scopes {
		if sc != ScopeRead && sc != ScopeWrite && sc != ScopeMailEvents {
			p.Add("scopes", `must be "read", "write" or "mail-events"`)
			break
		}
	}
	if n.ExpiresAt != nil && !n.ExpiresAt.After(now) {
		p.Add("expires_at", "must be in the future")
	}
	return p.Err()
}

// CreateToken makes an API token for the user. The secret is returned
// once and never stored.
//
// via is the token the caller authenticated with, or nil for a browser
// session. A token cannot mint a token that reaches further than itself:
// absent scopes take via's, absent expiry takes via's, and a scope via
// does not grant or an expiry after via's is refused with 403.
func (s *Service) CreateToken(ctx context.Context, userID string, via *Token, n NewToken) (Token, string, error) {
	now := s.now()
	if err := n.validate(now, via); err != nil {
		return Token{}, "", err
	}
	if err := n.within(via); err != nil {
		return Token{}, "", err
	}
	secret := tokenPrefix + cms.RandomToken(24)
	t := Token{
		ID:        cms.NewID(),
		UserID:    userID,
		Name:      n.Name,
		TokenHash: hashSecret(secret),
		Scopes:    slices.Compact(slices.Sorted(slices.Values(n.Scopes))),
		CreatedAt: now,
	}
	if n.ExpiresAt != nil {
		at := n.ExpiresAt.UTC()
		t.ExpiresAt = &at
	}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return Token{}, "", err
	}
	return t, secret, s.store.AddAudit(ctx, tokenEvent("token.create", userID, t))
}

// tokenEvent is the audit event of something done to or with a token
// (never its secret).
func tokenEvent(action, actorID string, t Token) cms.AuditEvent {
	return cms.AuditEvent{ActorID: actorID, Action: action, ObjectType: "token", ObjectID: t.ID,
		Detail: map[string]any{"name": t.Name, "owner": t.UserID, "scopes": t.Scopes}}
}

// within refuses a token that would outlive via or hold a scope via does
// not grant. A via without an expiry allows any.
func (n *NewToken) within(via *Token) error {
	if via == nil {
		return nil
	}
	var fields []cms.FieldProblem
	for _, sc := range n.Scopes {
		if !via.Grants(sc) {
			fields = append(fields, cms.FieldProblem{Field: "scopes",
				Message: "may not be wider than the scopes of the token you are using (" + strings.Join(via.Scopes, ", ") + ")"})
			break
		}
	}
	if via.ExpiresAt != nil && (n.ExpiresAt == nil || n.ExpiresAt.After(*via.ExpiresAt)) {
		fields = append(fields, cms.FieldProblem{Field: "expires_at",
			Message: "may not be later than the expiry of the token you are using (" + via.ExpiresAt.Format(time.RFC3339) + ")"})
	}
	if len(fields) == 0 {
		return nil
	}
	return &cms.Error{Code: cms.CodeForbidden, Message: "a token cannot create a token that outlives it or has wider scopes", Fields: fields}
}

// Tokens lists the user's tokens (never their secrets).
func (s *Service) Tokens(ctx context.Context, userID string) ([]Token, error) {
	return s.store.FindTokens(ctx, userID)
}

// DeleteToken revokes one of the user's tokens.
func (s *Service) DeleteToken(ctx context.Context, userID, id string) error {
	if err := s.store.DeleteToken(ctx, userID, id); err != nil {
		return err
	}
	return s.store.AddAudit(ctx, tokenEvent("token.revoke", userID, Token{ID: id, UserID: userID}))
}

// TokenUser returns the active user and token behind a bearer secret, and
// records when the token was last used (at most once a minute, to keep
// reads cheap).
func (s *Service) TokenUser(ctx context.Context, secret string) (User, Token, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return User{}, Token{}, errBadToken
	}
	t, err := s.store.FindTokenByHash(ctx, hashSecret(secret))
	if cms.IsCode(err, cms.CodeNotFound) {
		return User{}, Token{}, errBadToken
	}
	if err != nil {
		return User{}, Token{}, err
	}
	now := s.now()
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return User{}, Token{}, errBadToken
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
			return User{}, Token{}, err
		}
		// The first use of a day is an audit event: who uses which token
		// shows day by day without a row per request.
		if t.LastUsedAt == nil || t.LastUsedAt.UTC().Format(time.DateOnly) != now.UTC().Format(time.DateOnly) {
			if err := s.store.AddAudit(ctx, tokenEvent("token.use", t.UserID, t)); err != nil {
				return User{}, Token{}, err
			}
		}
	}
	u, err := s.activeUser(ctx, t.UserID)
	return u, t, err
}

var errBadToken = cms.Errorf(cms.CodeUnauthenticated, "invalid or expired API token")
