package management_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

type tokenJSON struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	Token      string     `json:"token"`
}

// createToken creates a token through the API and returns it with its
// secret.
func createToken(t *testing.T, c *apptest.Client, body map[string]any) tokenJSON {
	t.Helper()
	var tok tokenJSON
	c.Do("POST", "/api/v1/tokens", body).Want(http.StatusCreated).Decode(&tok)
	return tok
}

func bearerClient(env *apptest.Env, secret string) *apptest.Client {
	c := env.Anonymous()
	c.Bearer = secret
	return c
}

// rows runs a query through database/sql and returns every row as strings,
// so tests can look at what is really stored. $1… placeholders work on
// both backends.
func rows(t *testing.T, db *store.DB, query string, args ...any) [][]string {
	t.Helper()
	if db.Dialect() == store.SQLite {
		for i := len(args); i >= 1; i-- {
			query = strings.ReplaceAll(query, fmt.Sprintf("$%d", i), "?")
		}
	}
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := sqlDB.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			row[i] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		tok := createToken(t, admin, map[string]any{"name": "  deploy  "})
		if !strings.HasPrefix(tok.Token, "mh_") || len(tok.Token) < 40 {
			t.Errorf("token %q: want mh_ and a long secret", tok.Token)
		}
		if tok.ID == "" || tok.Name != "deploy" || tok.UserID != admin.UserID || strings.Join(tok.Scopes, ",") != "read,write" {
			t.Errorf("created token = %+v; want name trimmed, owner set, default scopes read,write", tok)
		}

		t.Run("listed without its secret", func(t *testing.T) {
			r := admin.Do("GET", "/api/v1/tokens", nil).Want(http.StatusOK)
			if strings.Contains(string(r.Body), tok.Token) || strings.Contains(string(r.Body), `"token"`) {
				t.Errorf("list shows the secret: %s", r.Body)
			}
			var list struct{ Data []tokenJSON }
			r.Decode(&list)
			if len(list.Data) != 1 || list.Data[0].ID != tok.ID || list.Data[0].Name != "deploy" {
				t.Errorf("list = %+v", list.Data)
			}
		})
		t.Run("stored only as a hash", func(t *testing.T) {
			stored := rows(t, env.DB, "SELECT * FROM api_tokens")
			if len(stored) != 1 {
				t.Fatalf("%d token rows, want 1", len(stored))
			}
			secretPart := strings.TrimPrefix(tok.Token, "mh_")
			for _, v := range stored[0] {
				if strings.Contains(v, secretPart) {
					t.Errorf("a column holds the secret: %q", v)
				}
			}
			sum := sha256.Sum256([]byte(tok.Token))
			hash := rows(t, env.DB, "SELECT token_hash FROM api_tokens WHERE id = $1", tok.ID)
			if hash[0][0] != hex.EncodeToString(sum[:]) {
				t.Errorf("token_hash = %q, want the SHA-256 of the secret", hash[0][0])
			}
		})

		bearer := bearerClient(env, tok.Token)
		t.Run("bearer needs no CSRF", func(t *testing.T) {
			me := bearer.Do("GET", "/api/v1/me", nil).Want(http.StatusOK).JSON()
			if user, _ := me["user"].(map[string]any); user["id"] != admin.UserID {
				t.Errorf("/me = %v", me)
			}
			second := createToken(t, bearer, map[string]any{"name": "second"})
			bearer.Do("DELETE", "/api/v1/tokens/"+second.ID, nil).Want(http.StatusNoContent)
		})
		t.Run("use is recorded", func(t *testing.T) {
			var list struct{ Data []tokenJSON }
			admin.Do("GET", "/api/v1/tokens", nil).Want(http.StatusOK).Decode(&list)
			if len(list.Data) != 1 || list.Data[0].LastUsedAt == nil {
				t.Errorf("last_used_at not set after use: %+v", list.Data)
			}
		})
		t.Run("revoked", func(t *testing.T) {
			admin.Do("DELETE", "/api/v1/tokens/"+tok.ID, nil).Want(http.StatusNoContent)
			wantProblem(t, bearer.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
			wantProblem(t, admin.Do("DELETE", "/api/v1/tokens/"+tok.ID, nil), http.StatusNotFound, "not_found")
			if n := len(rows(t, env.DB, "SELECT id FROM api_tokens")); n != 0 {
				t.Errorf("%d token rows left after revoking", n)
			}
		})
	})
}

func TestTokenScopes(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		read := bearerClient(env, createToken(t, admin, map[string]any{"name": "r", "scopes": []string{"read"}}).Token)
		write := bearerClient(env, createToken(t, admin, map[string]any{"name": "w", "scopes": []string{"write"}}).Token)
		for _, tc := range []struct {
			name         string
			client       *apptest.Client
			method, path string
			body         any
			want         int
		}{
			{"read token reads", read, "GET", "/api/v1/me", nil, http.StatusOK},
			{"read token lists users", read, "GET", "/api/v1/users", nil, http.StatusOK},
			{"read token may not create", read, "POST", "/api/v1/tokens", map[string]any{"name": "x"}, http.StatusForbidden},
			{"read token may not create users", read, "POST", "/api/v1/users",
				map[string]any{"email": "r@example.org", "name": "R", "password": "long-enough-1"}, http.StatusForbidden},
			{"read token may not sign out", read, "POST", "/api/v1/auth/logout", nil, http.StatusForbidden},
			{"write token reads", write, "GET", "/api/v1/me", nil, http.StatusOK},
			{"write token writes", write, "POST", "/api/v1/tokens", map[string]any{"name": "x"}, http.StatusCreated},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.client.Do(tc.method, tc.path, tc.body)
				if tc.want == http.StatusForbidden {
					wantProblem(t, r, tc.want, "forbidden")
				} else {
					r.Want(tc.want)
				}
			})
		}
		if n := len(rows(t, env.DB, "SELECT id FROM users WHERE email = $1", "r@example.org")); n != 0 {
			t.Error("a read token created a user")
		}
	})
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clk := newFakeClock()
		env := newEnvWithClock(t, db, clk)
		admin := env.Admin()
		expires := clk.Now().Add(time.Hour)
		tok := createToken(t, admin, map[string]any{"name": "short", "expires_at": expires.Format(time.RFC3339)})
		if tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(expires) {
			t.Errorf("expires_at = %v, want %v", tok.ExpiresAt, expires)
		}
		bearer := bearerClient(env, tok.Token)
		clk.Advance(time.Hour - time.Second)
		bearer.Do("GET", "/api/v1/me", nil).Want(http.StatusOK)
		clk.Advance(time.Second)
		wantProblem(t, bearer.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	})
}

// TestTokenExpiredInDatabase expires a token by editing its row, as
// another instance or an operator would, with the real clock.
func TestTokenExpiredInDatabase(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		tok := createToken(t, admin, map[string]any{"name": "t", "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
		bearer := bearerClient(env, tok.Token)
		bearer.Do("GET", "/api/v1/me", nil).Want(http.StatusOK)
		sqlDB, err := env.DB.SQL()
		if err != nil {
			t.Fatal(err)
		}
		query := "UPDATE api_tokens SET expires_at = $1 WHERE id = $2"
		if env.DB.Dialect() == store.SQLite {
			query = "UPDATE api_tokens SET expires_at = ? WHERE id = ?"
		}
		if _, err := sqlDB.Exec(query, time.Now().Add(-time.Minute).UTC(), tok.ID); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, bearer.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	})
}

func TestTokensBelongToTheirOwner(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		writer := env.CreateUser("writer@example.org")
		theirs := createToken(t, writer, map[string]any{"name": "writer's"})
		mine := createToken(t, admin, map[string]any{"name": "admin's"})

		// Not even an admin can see or revoke another user's token.
		wantProblem(t, admin.Do("DELETE", "/api/v1/tokens/"+theirs.ID, nil), http.StatusNotFound, "not_found")
		wantProblem(t, writer.Do("DELETE", "/api/v1/tokens/"+mine.ID, nil), http.StatusNotFound, "not_found")
		wantProblem(t, admin.Do("DELETE", "/api/v1/tokens/no-such-token", nil), http.StatusNotFound, "not_found")
		bearerClient(env, theirs.Token).Do("GET", "/api/v1/me", nil).Want(http.StatusOK)

		var list struct{ Data []tokenJSON }
		writer.Do("GET", "/api/v1/tokens", nil).Want(http.StatusOK).Decode(&list)
		if len(list.Data) != 1 || list.Data[0].ID != theirs.ID {
			t.Errorf("writer's list = %+v, want only their token", list.Data)
		}
		me := bearerClient(env, theirs.Token).Do("GET", "/api/v1/me", nil).Want(http.StatusOK).JSON()
		if user, _ := me["user"].(map[string]any); user["email"] != "writer@example.org" {
			t.Errorf("writer's token acts as %v", me["user"])
		}
		// A token cannot do more than its owner.
		wantProblem(t, bearerClient(env, theirs.Token).Do("GET", "/api/v1/users", nil), http.StatusForbidden, "forbidden")
	})
}

func TestTokenValidation(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		for _, tc := range []struct {
			name   string
			body   any
			fields []string
		}{
			{"no name", map[string]any{}, []string{"name"}},
			{"blank name", map[string]any{"name": "   "}, []string{"name"}},
			{"long name", map[string]any{"name": strings.Repeat("n", 101)}, []string{"name"}},
			{"unknown scope", map[string]any{"name": "x", "scopes": []string{"admin"}}, []string{"scopes"}},
			{"expiry in the past", map[string]any{"name": "x", "expires_at": past}, []string{"expires_at"}},
			{"several at once", map[string]any{"scopes": []string{"read", "root"}, "expires_at": past}, []string{"name", "scopes", "expires_at"}},
			{"scopes of the wrong type", map[string]any{"name": "x", "scopes": "read"}, []string{"scopes"}},
			{"expiry that is not a time", map[string]any{"name": "x", "expires_at": "tomorrow"}, []string{"expires_at"}},
			{"expiry that is a number", map[string]any{"name": "x", "expires_at": 5}, []string{"expires_at"}},
			{"unknown field", map[string]any{"name": "x", "secret": "mine"}, []string{"secret"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := wantProblem(t, admin.Do("POST", "/api/v1/tokens", tc.body), http.StatusBadRequest, "invalid")
				wantFields(t, p, tc.fields...)
			})
		}
		var list struct{ Data []tokenJSON }
		admin.Do("GET", "/api/v1/tokens", nil).Want(http.StatusOK).Decode(&list)
		if len(list.Data) != 0 {
			t.Errorf("invalid requests created %d tokens", len(list.Data))
		}
	})
}

// TestTokenMintsNoWiderToken: a caller with a token gets new tokens that
// neither outlive it nor reach further; what it omits it inherits.
func TestTokenMintsNoWiderToken(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clk := newFakeClock()
		env := newEnvWithClock(t, db, clk)
		admin := env.Admin()
		at := func(d time.Duration) string { return clk.Now().Add(d).Format(time.RFC3339) }
		parent := createToken(t, admin, map[string]any{"name": "parent", "scopes": []string{"write"}, "expires_at": at(time.Hour)})
		bearer := bearerClient(env, parent.Token)
		countTokens := func() int { return len(rows(t, env.DB, "SELECT id FROM api_tokens")) }

		t.Run("refused", func(t *testing.T) {
			before := countTokens()
			for _, tc := range []struct {
				name   string
				body   map[string]any
				fields []string
			}{
				{"a later expiry", map[string]any{"name": "later", "expires_at": at(time.Hour + time.Second)}, []string{"expires_at"}},
				{"a much later expiry", map[string]any{"name": "later", "expires_at": at(365 * 24 * time.Hour), "scopes": []string{"read"}}, []string{"expires_at"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					p := wantProblem(t, bearer.Do("POST", "/api/v1/tokens", tc.body), http.StatusForbidden, "forbidden")
					wantFields(t, p, tc.fields...)
				})
			}
			if n := countTokens(); n != before {
				t.Errorf("refused requests created %d tokens", n-before)
			}
		})
		t.Run("absent fields are inherited", func(t *testing.T) {
			child := createToken(t, bearer, map[string]any{"name": "child"})
			if child.ExpiresAt == nil || !child.ExpiresAt.Equal(*parent.ExpiresAt) || strings.Join(child.Scopes, ",") != "write" {
				t.Errorf("child = %+v; want the parent's expiry %v and scopes [write]", child, parent.ExpiresAt)
			}
		})
		t.Run("a narrower token is allowed", func(t *testing.T) {
			for _, body := range []map[string]any{
				{"name": "same expiry", "expires_at": at(time.Hour)},
				{"name": "reader", "scopes": []string{"read"}, "expires_at": at(time.Minute)},
				{"name": "both", "scopes": []string{"read", "write"}}, // write includes read
			} {
				tok := createToken(t, bearer, body)
				if tok.ExpiresAt == nil || tok.ExpiresAt.After(*parent.ExpiresAt) {
					t.Errorf("%v: expires %v, after the parent's %v", body["name"], tok.ExpiresAt, parent.ExpiresAt)
				}
			}
		})
		t.Run("a token without expiry allows any", func(t *testing.T) {
			forever := bearerClient(env, createToken(t, admin, map[string]any{"name": "forever"}).Token)
			if tok := createToken(t, forever, map[string]any{"name": "far", "expires_at": at(10 * 365 * 24 * time.Hour)}); tok.ExpiresAt == nil {
				t.Errorf("far = %+v, want its expiry", tok)
			}
			if tok := createToken(t, forever, map[string]any{"name": "none"}); tok.ExpiresAt != nil || strings.Join(tok.Scopes, ",") != "read,write" {
				t.Errorf("none = %+v, want no expiry and the parent's scopes", tok)
			}
		})
		t.Run("a session is not bound", func(t *testing.T) {
			if tok := createToken(t, admin, map[string]any{"name": "session's"}); tok.ExpiresAt != nil {
				t.Errorf("a session's token without expires_at expires at %v", tok.ExpiresAt)
			}
		})
		t.Run("the minted token expires with its parent", func(t *testing.T) {
			child := bearerClient(env, createToken(t, bearer, map[string]any{"name": "short-lived"}).Token)
			child.Do("GET", "/api/v1/me", nil).Want(http.StatusOK)
			clk.Advance(time.Hour)
			wantProblem(t, child.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
		})
	})
}

// TestTokenScopeBoundsWhatItMints checks the scope rule in the service: a
// read token never reaches POST /tokens (it may not write), so the rule is
// checked here for the scopes to come.
func TestTokenScopeBoundsWhatItMints(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		admin := env.Admin()
		reader := auth.Token{ID: "parent", UserID: admin.UserID, Scopes: []string{auth.ScopeRead}}
		_, _, err := env.App.Auth.CreateToken(ctx, admin.UserID, &reader, auth.NewToken{Name: "wider", Scopes: []string{auth.ScopeWrite}})
		var ce *cms.Error
		if !errors.As(err, &ce) || ce.Code != cms.CodeForbidden || len(ce.Fields) != 1 || ce.Fields[0].Field != "scopes" {
			t.Errorf("a read token minting a write token: %v, want forbidden on scopes", err)
		}
		tok, _, err := env.App.Auth.CreateToken(ctx, admin.UserID, &reader, auth.NewToken{Name: "inherits"})
		if err != nil || strings.Join(tok.Scopes, ",") != "read" {
			t.Errorf("a read token minting without scopes: %+v, %v; want scopes [read]", tok, err)
		}
	})
}
