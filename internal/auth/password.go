package auth

import (
	"context"
	"fmt"

	"github.com/alexedwards/argon2id"

	"github.com/masthead-cms/masthead/internal/cms"
)

// DefaultPasswordParams follow RFC 9106's second recommendation (64 MiB,
// 3 passes), with two lanes for the two cores a small server has.
var DefaultPasswordParams = argon2id.Params{
	Memory:      64 * 1024,
	Iterations:  3,
	Parallelism: 2,
	SaltLength:  16,
	KeyLength:   32,
}

// FastPasswordParams are for tests only: they keep argon2id but make each
// hash cheap, so that suites creating hundreds of users stay quick.
var FastPasswordParams = argon2id.Params{
	Memory:      1024,
	Iterations:  1,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// minPasswordLength is the shortest password we accept (NIST SP 800-63B
// asks for at least 8).
const minPasswordLength = 10

// HashPassword returns the argon2id hash of password in PHC format.
func (s *Service) HashPassword(password string) (string, error) {
	if err := checkPasswordRules("password", password); err != nil {
		return "", err
	}
	return s.hash(password)
}

// hash is HashPassword after the rules were checked.
func (s *Service) hash(password string) (string, error) {
	params := s.cfg.PasswordParams
	h, err := argon2id.CreateHash(password, &params)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return h, nil
}

// checkPasswordRules is what a new password must be, reported as a
// problem with field.
func checkPasswordRules(field, password string) error {
	if len(password) < minPasswordLength {
		return cms.Invalid(field, fmt.Sprintf("must be at least %d characters", minPasswordLength))
	}
	if len(password) > 1024 {
		return cms.Invalid(field, "must be at most 1024 characters")
	}
	return nil
}

// checkPassword reports whether password matches hash. Hashes made with
// other parameters still verify: the parameters are part of the hash.
func checkPassword(password, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

// errWrongPassword answers a wrong current password. It is a refusal
// (403), not a failed sign-in (401): the caller is signed in, and a 401
// would send a browser back to the sign-in page.
var errWrongPassword = &cms.Error{Code: cms.CodeForbidden, Message: "the current password is wrong",
	Fields: []cms.FieldProblem{{Field: "current_password", Message: "is not your current password"}}}

// ChangeOwnPassword changes the password of the actor's own account; the
// actor must give the current one. A wrong current password counts as a
// failed sign-in of the account from addr, on Login's throttles, so that
// a stolen session or token cannot be used to guess it; a throttled
// address gets 429 whatever the password.
//
// Every session of the account ends, so that a browser signed in by
// whoever knew the old password is signed out. When renew is true (the
// caller came with a browser session) a fresh session is opened and
// returned with its cookie value, so that the caller stays signed in; its
// CSRF token is new. API tokens are separate credentials and stay valid:
// they are revoked on their own.
func (s *Service) ChangeOwnPassword(ctx context.Context, actor cms.Actor, current, next, addr string, renew bool) (sess Session, cookie string, err error) {
	if current == "" {
		return Session{}, "", cms.Invalid("current_password", "is required")
	}
	if err := checkPasswordRules("new_password", next); err != nil {
		return Session{}, "", err
	}
	u, err := s.activeUser(ctx, actor.UserID)
	if err != nil {
		return Session{}, "", err
	}
	if err := s.checkOwnPassword(ctx, u, current, addr); err != nil {
		return Session{}, "", err
	}
	// Only now, with the current password proven: earlier, this answer
	// would tell a guesser when they had guessed right.
	if next == current {
		return Session{}, "", cms.Invalid("new_password", "must differ from your current password")
	}
	hash, err := s.hash(next)
	if err != nil {
		return Session{}, "", err
	}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "user.password", ObjectType: "user", ObjectID: u.ID,
		Detail: map[string]any{"via": actor.Via}}
	if _, err := s.store.UpdateUser(ctx, u.ID, UserUpdate{PasswordHash: &hash, EndSessions: true}, ev); err != nil {
		return Session{}, "", err
	}
	if !renew {
		return Session{}, "", nil
	}
	return s.openSession(ctx, u.ID)
}

// checkOwnPassword checks a signed-in person's password as Login checks
// it, on the same throttles: the guess from addr is counted first, and a
// right password forgets it.
func (s *Service) checkOwnPassword(ctx context.Context, u User, password, addr string) error {
	email := normalizeEmail(u.Email)
	if err := s.countGuess(ctx, email, addr); err != nil {
		return err
	}
	if !checkPassword(password, u.PasswordHash) {
		return s.guessFailed(ctx, email, &u, errWrongPassword)
	}
	return s.guessRight(ctx, email, addr)
}
