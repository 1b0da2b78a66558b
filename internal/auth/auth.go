// Package auth owns users, passwords (argon2id), browser sessions, API
// tokens and the login throttle. It reads no request: the HTTP packages
// turn cookies and headers into calls on Service, under the names defined
// here (SessionCookie, CSRFHeader) so that they agree. It imports only cms;
// the store implements its Store interface.
package auth

import (
	"context"
	"slices"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
)

// User is a person who signs in to Masthead. Roles are not stored here:
// they are authorization assignments (package authz).
type User struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	Active       bool      `json:"active"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// UserUpdate changes some of a user's fields; nil fields stay as they are.
// EndSessions and RevokeTokens delete the user's sessions and API tokens
// in the same transaction, so that no credential outlives the change.
type UserUpdate struct {
	Name         *string
	Active       *bool
	PasswordHash *string
	EndSessions  bool
	RevokeTokens bool
}

// Session is a signed-in browser. ID is the SHA-256 of the cookie value, so
// a stolen database row cannot be replayed as a cookie.
type Session struct {
	ID        string
	UserID    string
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Token is an API token. Only its hash is stored; the secret is shown once,
// when it is created.
type Token struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	TokenHash  string     `json:"-"`
	Scopes     []string   `json:"scopes"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

// Token scopes: read allows safe methods only; write allows everything the
// owner may do; mail-events allows only reporting bounces and complaints
// (POST /api/v1/mail-events), so that the token a mail provider or relay
// holds can do nothing else.
const (
	ScopeRead       = "read"
	ScopeWrite      = "write"
	ScopeMailEvents = "mail-events"
)

// Allows reports whether the token may be used for a request that writes
// (write is true) or only reads.
func (t Token) Allows(write bool) bool {
	for _, s := range t.Scopes {
		if s == ScopeWrite || (s == ScopeRead && !write) {
			return true
		}
	}
	return false
}

// Grants reports whether the token's scopes include scope: write includes
// read, because a write token may do everything a read token may.
func (t Token) Grants(scope string) bool {
	switch scope {
	case ScopeRead:
		return t.Allows(false)
	case ScopeWrite:
		return t.Allows(true)
	}
	return slices.Contains(t.Scopes, scope)
}

// Store is what auth needs from persistence.
type Store interface {
	CreateUser(ctx context.Context, u User, ev cms.AuditEvent) error
	FindUserByID(ctx context.Context, id string) (User, error)
	FindUserByEmail(ctx context.Context, email string) (User, error)
	FindUsers(ctx context.Context) ([]User, error)
	UpdateUser(ctx context.Context, id string, upd UserUpdate, ev cms.AuditEvent) (User, error)
	CountUsers(ctx context.Context) (int64, error)
	// CreateFirstUser inserts u only while there is no user, atomically:
	// of instances racing, one creates it and the others report false.
	CreateFirstUser(ctx context.Context, u User, ev cms.AuditEvent) (bool, error)

	CreateSession(ctx context.Context, s Session) error
	FindSession(ctx context.Context, id string) (Session, error)
	DeleteSession(ctx context.Context, id string) error

	CreateToken(ctx context.Context, t Token) error
	FindTokenByHash(ctx context.Context, hash string) (Token, error)
	FindTokens(ctx context.Context, userID string) ([]Token, error)
	DeleteToken(ctx context.Context, userID, id string) error
	TouchToken(ctx context.Context, id string, at time.Time) error

	// CountHit counts one attempt for key in the current window (starting
	// a new window when the last one ended at now) and returns the count
	// and when the window ends, atomically.
	CountHit(ctx context.Context, key string, now time.Time, window time.Duration) (count int, windowEnd time.Time, err error)
	// ForgiveHit takes back one attempt of key.
	ForgiveHit(ctx context.Context, key string) error
	// ClearHits forgets every attempt of key.
	ClearHits(ctx context.Context, key string) error

	AddAudit(ctx context.Context, ev cms.AuditEvent) error
}
