package auth

import (
	"context"
	"crypto/subtle"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
)

// SessionCookie names the browser session cookie. The UI and the API set
// and read the same one, so signing in to either signs in to both.
const SessionCookie = "masthead_session"

// CSRFHeader carries the session's CSRF token on cookie-authenticated
// writes from scripts; the UI's forms send it as a hidden field instead.
const CSRFHeader = "X-CSRF-Token"

// errBadLogin is the one answer to a wrong email or a wrong password, so
// that a login never reveals whether an account exists.
var errBadLogin = cms.Errorf(cms.CodeUnauthenticated, "invalid email or password")

// Login checks credentials and opens a session. addr is the client's
// address, throttled with the account (throttle.go). cookie is the value to
// set in the browser; only its hash is stored.
func (s *Service) Login(ctx context.Context, email, password, addr string) (u User, sess Session, cookie string, err error) {
	email = normalizeEmail(email)
	if len(email) > maxEmailLength {
		// No account has such an email, and the throttles' keys would
		// not fit their index.
		return User{}, Session{}, "", errBadLogin
	}
	if err := s.countGuess(ctx, email, addr); err != nil {
		return User{}, Session{}, "", err
	}
	u, err = s.store.FindUserByEmail(ctx, email)
	switch {
	case cms.IsCode(err, cms.CodeNotFound):
		checkPassword(password, s.dummyHash()) // take as long as a real check
		return User{}, Session{}, "", s.signInFailed(ctx, email, addr, nil)
	case err != nil:
		return User{}, Session{}, "", err
	}
	if !checkPassword(password, u.PasswordHash) || !u.Active {
		return User{}, Session{}, "", s.signInFailed(ctx, email, addr, &u)
	}
	if err := s.guessRight(ctx, email, addr); err != nil {
		return User{}, Session{}, "", err
	}
	sess, cookie, err = s.openSession(ctx, u.ID)
	if err != nil {
		return User{}, Session{}, "", err
	}
	ev := cms.AuditEvent{ActorID: u.ID, Action: "user.login", ObjectType: "user", ObjectID: u.ID, Detail: map[string]any{"address": addr}}
	return u, sess, cookie, s.store.AddAudit(ctx, ev)
}

// signInFailed records a failed sign-in as an audit event (of the
// account, when there is one) and counts it on the throttles.
func (s *Service) signInFailed(ctx context.Context, email, addr string, u *User) error {
	ev := cms.AuditEvent{ActorID: cms.System.UserID, Action: "user.login_failed", ObjectType: "user",
		Detail: map[string]any{"email": email, "address": addr}}
	if u != nil {
		ev.ObjectID = u.ID
	}
	if err := s.store.AddAudit(ctx, ev); err != nil {
		return err
	}
	return s.guessFailed(ctx, email, u, errBadLogin)
}

func (s *Service) openSession(ctx context.Context, userID string) (Session, string, error) {
	cookie := cms.RandomToken(32)
	now := s.now()
	sess := Session{
		ID:        hashSecret(cookie),
		UserID:    userID,
		CSRFToken: cms.RandomToken(32),
		CreatedAt: now,
		ExpiresAt: now.Add(s.cfg.SessionTTL),
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return Session{}, "", err
	}
	return sess, cookie, nil
}

// Logout ends the session behind cookie. An unknown cookie is not an
// error: the outcome is the same.
func (s *Service) Logout(ctx context.Context, cookie string) error {
	return s.store.DeleteSession(ctx, hashSecret(cookie))
}

// SessionUser returns the active user and session behind a cookie value.
func (s *Service) SessionUser(ctx context.Context, cookie string) (User, Session, error) {
	sess, err := s.store.FindSession(ctx, hashSecret(cookie))
	if err != nil {
		return User{}, Session{}, unauthenticated(err)
	}
	if !s.now().Before(sess.ExpiresAt) {
		_ = s.store.DeleteSession(ctx, sess.ID)
		return User{}, Session{}, errNoSession
	}
	u, err := s.activeUser(ctx, sess.UserID)
	return u, sess, err
}

// CheckCSRF reports whether token is the session's CSRF token, in constant
// time.
func CheckCSRF(sess Session, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(sess.CSRFToken), []byte(token)) == 1
}

var errNoSession = cms.Errorf(cms.CodeUnauthenticated, "sign in first")

// unauthenticated turns a missing session or token into 401 and passes
// other errors through.
func unauthenticated(err error) error {
	if cms.IsCode(err, cms.CodeNotFound) {
		return errNoSession
	}
	return err
}

func (s *Service) activeUser(ctx context.Context, id string) (User, error) {
	u, err := s.store.FindUserByID(ctx, id)
	if err != nil {
		return User{}, unauthenticated(err)
	}
	if !u.Active {
		return User{}, cms.Errorf(cms.CodeUnauthenticated, "this account is deactivated")
	}
	return u, nil
}

// SessionTTL is how long a session lasts; the cookie's Max-Age follows it.
func (s *Service) SessionTTL() time.Duration { return s.cfg.SessionTTL }
