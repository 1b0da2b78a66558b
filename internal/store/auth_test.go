package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// t0 has a fractional second, so that time round trips and comparisons
// are tested with more than whole seconds. PostgreSQL keeps microseconds.
var t0 = time.Date(2030, 5, 6, 7, 8, 9, 123456000, time.UTC)

func newUser(email, name string) auth.User {
	return auth.User{ID: cms.NewID(), Email: email, Name: name, PasswordHash: "$argon2id$hash-of-" + email,
		Active: true, CreatedAt: t0, UpdatedAt: t0}
}

// mustCreateUser stores a user and fails the test if that does not work.
func mustCreateUser(t *testing.T, db *store.DB, email, name string) auth.User {
	t.Helper()
	u := newUser(email, name)
	if err := db.CreateUser(context.Background(), u, cms.AuditEvent{ActorID: "system", Action: "user.create", ObjectType: "user", ObjectID: u.ID}); err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

func wantCode(t *testing.T, err error, code cms.Code) {
	t.Helper()
	if !cms.IsCode(err, code) {
		t.Errorf("err = %v, want code %q", err, code)
	}
}

func sameUser(t *testing.T, got, want auth.User) {
	t.Helper()
	if got.ID != want.ID || got.Email != want.Email || got.Name != want.Name || got.PasswordHash != want.PasswordHash ||
		got.Active != want.Active || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("user = %+v, want %+v", got, want)
	}
}

func TestUsers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if n, err := db.CountUsers(ctx); err != nil || n != 0 {
			t.Fatalf("CountUsers on a new database = %d, %v", n, err)
		}
		zed := mustCreateUser(t, db, "zed@example.org", "Zed")
		amy := mustCreateUser(t, db, "amy@example.org", "Amy")

		t.Run("find", func(t *testing.T) {
			got, err := db.FindUserByID(ctx, zed.ID)
			if err != nil {
				t.Fatal(err)
			}
			sameUser(t, got, zed)
			got, err = db.FindUserByEmail(ctx, "amy@example.org")
			if err != nil {
				t.Fatal(err)
			}
			sameUser(t, got, amy)
			_, err = db.FindUserByID(ctx, "missing")
			wantCode(t, err, cms.CodeNotFound)
			_, err = db.FindUserByEmail(ctx, "missing@example.org")
			wantCode(t, err, cms.CodeNotFound)
		})
		t.Run("list and count", func(t *testing.T) {
			users, err := db.FindUsers(ctx)
			if err != nil || len(users) != 2 || users[0].ID != amy.ID || users[1].ID != zed.ID {
				t.Errorf("FindUsers = %+v, %v; want Amy then Zed", users, err)
			}
			if n, err := db.CountUsers(ctx); err != nil || n != 2 {
				t.Errorf("CountUsers = %d, %v", n, err)
			}
		})
		t.Run("duplicate email", func(t *testing.T) {
			dup := newUser("amy@example.org", "Other Amy")
			err := db.CreateUser(ctx, dup, cms.AuditEvent{ActorID: "system", Action: "user.create", ObjectType: "user", ObjectID: dup.ID})
			wantCode(t, err, cms.CodeConflict)
			if _, err := db.FindUserByID(ctx, dup.ID); !cms.IsCode(err, cms.CodeNotFound) {
				t.Errorf("the refused user exists: %v", err)
			}
			if n := countAudit(t, db, "user.create", dup.ID); n != 0 {
				t.Errorf("a refused create left %d audit events", n)
			}
		})
		t.Run("update writes only the given fields", func(t *testing.T) {
			inactive, name := false, "Zed Z."
			ev := cms.AuditEvent{ActorID: amy.ID, Action: "user.update", ObjectType: "user", ObjectID: zed.ID}
			u, err := db.UpdateUser(ctx, zed.ID, auth.UserUpdate{Active: &inactive}, ev)
			if err != nil {
				t.Fatal(err)
			}
			if u.Active || u.Name != "Zed" || u.PasswordHash != zed.PasswordHash {
				t.Errorf("after deactivating: %+v", u)
			}
			u, err = db.UpdateUser(ctx, zed.ID, auth.UserUpdate{Name: &name}, ev)
			if err != nil {
				t.Fatal(err)
			}
			if u.Active || u.Name != name || time.Since(u.UpdatedAt).Abs() > time.Minute {
				t.Errorf("after renaming: %+v; want inactive, renamed, updated_at now", u)
			}
			if n := countAudit(t, db, "user.update", zed.ID); n != 2 {
				t.Errorf("%d update audit events, want 2", n)
			}
		})
		t.Run("update of a missing user", func(t *testing.T) {
			name := "Ghost"
			_, err := db.UpdateUser(ctx, "missing", auth.UserUpdate{Name: &name},
				cms.AuditEvent{ActorID: amy.ID, Action: "user.update", ObjectType: "user", ObjectID: "missing"})
			wantCode(t, err, cms.CodeNotFound)
			if n := countAudit(t, db, "user.update", "missing"); n != 0 {
				t.Errorf("a failed update left %d audit events", n)
			}
		})
	})
}

func countAudit(t *testing.T, db *store.DB, action, objectID string) int {
	t.Helper()
	events, err := db.FindAudit(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range events {
		if ev.Action == action && ev.ObjectID == objectID {
			n++
		}
	}
	return n
}

func TestSessions(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ann := mustCreateUser(t, db, "ann@example.org", "Ann")
		bob := mustCreateUser(t, db, "bob@example.org", "Bob")
		mk := func(id, user string, expires time.Time) auth.Session {
			s := auth.Session{ID: id, UserID: user, CSRFToken: "csrf-" + id, CreatedAt: t0, ExpiresAt: expires}
			if err := db.CreateSession(ctx, s); err != nil {
				t.Fatalf("create session %s: %v", id, err)
			}
			return s
		}
		a1 := mk("a1", ann.ID, t0.Add(time.Hour))
		mk("a2", ann.ID, t0.Add(time.Hour))
		mk("b1", bob.ID, t0.Add(time.Hour))
		mk("old", bob.ID, t0.Add(-time.Second))

		t.Run("find", func(t *testing.T) {
			got, err := db.FindSession(ctx, "a1")
			if err != nil {
				t.Fatal(err)
			}
			if got.UserID != ann.ID || got.CSRFToken != a1.CSRFToken || !got.ExpiresAt.Equal(a1.ExpiresAt) || !got.CreatedAt.Equal(t0) {
				t.Errorf("session = %+v, want %+v", got, a1)
			}
			_, err = db.FindSession(ctx, "missing")
			wantCode(t, err, cms.CodeNotFound)
		})
		t.Run("unknown user", func(t *testing.T) {
			err := db.CreateSession(ctx, auth.Session{ID: "x", UserID: "no-such-user", CSRFToken: "c", CreatedAt: t0, ExpiresAt: t0})
			if err == nil {
				t.Error("a session for a missing user was stored: foreign keys are off")
			}
		})
		t.Run("duplicate id", func(t *testing.T) {
			err := db.CreateSession(ctx, auth.Session{ID: "a1", UserID: bob.ID, CSRFToken: "c", CreatedAt: t0, ExpiresAt: t0})
			wantCode(t, err, cms.CodeConflict)
		})
		t.Run("delete expired", func(t *testing.T) {
			if err := db.DeleteExpiredSessions(ctx, t0); err != nil {
				t.Fatal(err)
			}
			_, err := db.FindSession(ctx, "old")
			wantCode(t, err, cms.CodeNotFound)
			if _, err := db.FindSession(ctx, "b1"); err != nil {
				t.Errorf("a live session was deleted: %v", err)
			}
		})
		t.Run("delete one", func(t *testing.T) {
			if err := db.DeleteSession(ctx, "a1"); err != nil {
				t.Fatal(err)
			}
			_, err := db.FindSession(ctx, "a1")
			wantCode(t, err, cms.CodeNotFound)
			if err := db.DeleteSession(ctx, "a1"); err != nil {
				t.Errorf("deleting a missing session: %v", err)
			}
		})
		t.Run("delete a user's", func(t *testing.T) {
			if err := db.DeleteUserSessions(ctx, bob.ID); err != nil {
				t.Fatal(err)
			}
			_, err := db.FindSession(ctx, "b1")
			wantCode(t, err, cms.CodeNotFound)
			if _, err := db.FindSession(ctx, "a2"); err != nil {
				t.Errorf("another user's session was deleted: %v", err)
			}
		})
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ann := mustCreateUser(t, db, "ann@example.org", "Ann")
		bob := mustCreateUser(t, db, "bob@example.org", "Bob")
		expires := t0.Add(24 * time.Hour)
		older := auth.Token{ID: "t1", UserID: ann.ID, Name: "ci", TokenHash: "hash-1", Scopes: []string{"read", "write"}, CreatedAt: t0}
		newer := auth.Token{ID: "t2", UserID: ann.ID, Name: "reader", TokenHash: "hash-2", Scopes: []string{"read"},
			ExpiresAt: &expires, CreatedAt: t0.Add(time.Second)}
		bobs := auth.Token{ID: "t3", UserID: bob.ID, Name: "bob", TokenHash: "hash-3", Scopes: []string{"write"}, CreatedAt: t0}
		for _, tok := range []auth.Token{older, newer, bobs} {
			if err := db.CreateToken(ctx, tok); err != nil {
				t.Fatalf("create token %s: %v", tok.ID, err)
			}
		}

		t.Run("find by hash", func(t *testing.T) {
			got, err := db.FindTokenByHash(ctx, "hash-2")
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != "t2" || got.UserID != ann.ID || got.Name != "reader" || len(got.Scopes) != 1 || got.Scopes[0] != "read" ||
				got.ExpiresAt == nil || !got.ExpiresAt.Equal(expires) || got.LastUsedAt != nil {
				t.Errorf("token = %+v", got)
			}
			got, err = db.FindTokenByHash(ctx, "hash-1")
			if err != nil || got.ExpiresAt != nil || len(got.Scopes) != 2 {
				t.Errorf("token = %+v, %v; want no expiry and two scopes", got, err)
			}
			_, err = db.FindTokenByHash(ctx, "nope")
			wantCode(t, err, cms.CodeNotFound)
		})
		t.Run("list a user's, newest first", func(t *testing.T) {
			list, err := db.FindTokens(ctx, ann.ID)
			if err != nil || len(list) != 2 || list[0].ID != "t2" || list[1].ID != "t1" {
				t.Errorf("FindTokens = %+v, %v", list, err)
			}
			list, err = db.FindTokens(ctx, "nobody")
			if err != nil || list == nil || len(list) != 0 {
				t.Errorf("FindTokens(nobody) = %#v, %v; want an empty, non-nil list", list, err)
			}
		})
		t.Run("duplicate hash", func(t *testing.T) {
			err := db.CreateToken(ctx, auth.Token{ID: "t4", UserID: bob.ID, Name: "dup", TokenHash: "hash-1", CreatedAt: t0})
			wantCode(t, err, cms.CodeConflict)
		})
		t.Run("touch", func(t *testing.T) {
			used := t0.Add(time.Minute)
			if err := db.TouchToken(ctx, "t1", used); err != nil {
				t.Fatal(err)
			}
			got, err := db.FindTokenByHash(ctx, "hash-1")
			if err != nil || got.LastUsedAt == nil || !got.LastUsedAt.Equal(used) {
				t.Errorf("after touch: %+v, %v", got, err)
			}
		})
		t.Run("delete", func(t *testing.T) {
			wantCode(t, db.DeleteToken(ctx, bob.ID, "t1"), cms.CodeNotFound) // not Bob's
			wantCode(t, db.DeleteToken(ctx, ann.ID, "missing"), cms.CodeNotFound)
			if _, err := db.FindTokenByHash(ctx, "hash-1"); err != nil {
				t.Fatalf("refused delete removed the token: %v", err)
			}
			if err := db.DeleteToken(ctx, ann.ID, "t1"); err != nil {
				t.Fatal(err)
			}
			_, err := db.FindTokenByHash(ctx, "hash-1")
			wantCode(t, err, cms.CodeNotFound)
		})
	})
}

// TestUpdateUserRevokesCredentials: an update ends the sessions and
// revokes the tokens it asks to, and only the user's.
func TestUpdateUserRevokesCredentials(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ann := mustCreateUser(t, db, "ann@example.org", "Ann")
		bob := mustCreateUser(t, db, "bob@example.org", "Bob")
		for _, u := range []auth.User{ann, bob} {
			if err := db.CreateSession(ctx, auth.Session{ID: "s-" + u.ID, UserID: u.ID, CSRFToken: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateToken(ctx, auth.Token{ID: "t-" + u.ID, UserID: u.ID, Name: "ci", TokenHash: "h-" + u.ID, Scopes: []string{"write"}, CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		// has reports whether the user still has their session and token.
		has := func(u auth.User) (session, token bool) {
			_, errS := db.FindSession(ctx, "s-"+u.ID)
			_, errT := db.FindTokenByHash(ctx, "h-"+u.ID)
			return errS == nil, errT == nil
		}
		ev := func(id string) cms.AuditEvent {
			return cms.AuditEvent{ActorID: "system", Action: "user.update", ObjectType: "user", ObjectID: id}
		}
		inactive := false

		t.Run("an update without the flags keeps both", func(t *testing.T) {
			if _, err := db.UpdateUser(ctx, ann.ID, auth.UserUpdate{Active: &inactive}, ev(ann.ID)); err != nil {
				t.Fatal(err)
			}
			if s, tok := has(ann); !s || !tok {
				t.Errorf("session kept %v, token kept %v; want both", s, tok)
			}
		})
		t.Run("ending sessions keeps tokens", func(t *testing.T) {
			if _, err := db.UpdateUser(ctx, ann.ID, auth.UserUpdate{EndSessions: true}, ev(ann.ID)); err != nil {
				t.Fatal(err)
			}
			if s, tok := has(ann); s || !tok {
				t.Errorf("session kept %v, token kept %v; want only the token", s, tok)
			}
		})
		t.Run("revoking tokens deletes them, only the user's", func(t *testing.T) {
			if _, err := db.UpdateUser(ctx, ann.ID, auth.UserUpdate{Active: &inactive, EndSessions: true, RevokeTokens: true}, ev(ann.ID)); err != nil {
				t.Fatal(err)
			}
			if s, tok := has(ann); s || tok {
				t.Errorf("session kept %v, token kept %v; want neither", s, tok)
			}
			if s, tok := has(bob); !s || !tok {
				t.Errorf("another user's: session kept %v, token kept %v; want both", s, tok)
			}
		})
	})
}
