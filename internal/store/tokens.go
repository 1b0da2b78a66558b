package store

import (
	"context"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/cms"
)

// tokenRow is how a token is stored: scopes as one space-separated column.
type tokenRow struct {
	ID         string
	UserID     string
	Name       string
	TokenHash  string
	Scopes     string
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	CreatedAt  time.Time
}

func (tokenRow) TableName() string { return "api_tokens" }

func (r tokenRow) token() auth.Token {
	return auth.Token{
		ID: r.ID, UserID: r.UserID, Name: r.Name, TokenHash: r.TokenHash,
		Scopes: strings.Fields(r.Scopes), ExpiresAt: r.ExpiresAt, LastUsedAt: r.LastUsedAt, CreatedAt: r.CreatedAt,
	}
}

// CreateToken stores a token (its hash, never its secret).
func (db *DB) CreateToken(ctx context.Context, t auth.Token) error {
	row := tokenRow{
		ID: t.ID, UserID: t.UserID, Name: t.Name, TokenHash: t.TokenHash,
		Scopes: strings.Join(t.Scopes, " "), ExpiresAt: t.ExpiresAt, CreatedAt: t.CreatedAt,
	}
	return wrap(db.q(ctx).Create(&row).Error)
}

// FindTokenByHash returns the token whose secret hashes to hash.
func (db *DB) FindTokenByHash(ctx context.Context, hash string) (auth.Token, error) {
	var row tokenRow
	err := db.q(ctx).Where("token_hash = ?", hash).Take(&row).Error
	return row.token(), notFound(err, "token")
}

// FindTokens lists a user's tokens, newest first.
func (db *DB) FindTokens(ctx context.Context, userID string) ([]auth.Token, error) {
	var rows []tokenRow
	if err := db.q(ctx).Where("user_id = ?", userID).Order("created_at DESC").Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]auth.Token, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.token())
	}
	return out, nil
}

// DeleteToken revokes a token of the user; another user's token is not
// found.
func (db *DB) DeleteToken(ctx context.Context, userID, id string) error {
	res := db.q(ctx).Exec("DELETE FROM api_tokens WHERE id = ? AND user_id = ?", id, userID)
	if res.Error != nil {
		return wrap(res.Error)
	}
	if res.RowsAffected == 0 {
		return cms.NotFound("token")
	}
	return nil
}

// TouchToken records that a token was used.
func (db *DB) TouchToken(ctx context.Context, id string, at time.Time) error {
	return wrap(db.q(ctx).Exec("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", at, id).Error)
}
