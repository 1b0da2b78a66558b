package auth

import (
	"context"
	"strconv"

	"github.com/masthead-cms/masthead/internal/cms"
)

// A password guess — a sign-in, or the current password when changing it
// — is counted on three throttles:
//
//   - one email from one address: past MaxFailuresPerAccountAddress that
//     address may not try that email until the window ends;
//   - one address, all emails: past MaxFailuresPerAddress the address may
//     not try any (spraying many accounts);
//   - one email from anywhere, failures only: at AlertFailuresPerAccount
//     in an AlertWindow an alert is raised, once, and nothing is locked.
//
// No throttle is per account alone, because a guesser anywhere could then
// lock the account's owner out. The first two count every attempt before
// the password is checked, in one statement per key, so that parallel
// guesses cannot slip past the limit; a right guess forgets the pair's
// count and takes its own attempt back from the address's.

func accountAddressKey(email, addr string) string { return "login:addr-email:" + addr + " " + email }
func addressKey(addr string) string               { return "login:addr:" + addr }
func accountKey(email string) string              { return "login:account:" + email }

// countGuess counts a guess at email's password from addr, and refuses it
// with 429 when either lock is reached.
func (s *Service) countGuess(ctx context.Context, email, addr string) error {
	if err := s.countAttempt(ctx, accountAddressKey(email, addr), s.cfg.MaxFailuresPerAccountAddress); err != nil {
		return err
	}
	return s.countAttempt(ctx, addressKey(addr), s.cfg.MaxFailuresPerAddress)
}

// guessRight forgets the failures of email from addr after a right guess.
func (s *Service) guessRight(ctx context.Context, email, addr string) error {
	if err := s.store.ClearHits(ctx, accountAddressKey(email, addr)); err != nil {
		return err
	}
	return s.store.ForgiveHit(ctx, addressKey(addr))
}

// guessFailed counts a wrong guess at email's password from anywhere and
// returns refusal. When the count reaches the alert threshold (it only
// grows within a window, so that happens once per window) and the account
// exists (u is not nil), a warning is logged and an audit event written.
// An unknown email is counted all the same, so that it takes as long.
func (s *Service) guessFailed(ctx context.Context, email string, u *User, refusal error) error {
	n, end, err := s.store.CountHit(ctx, accountKey(email), s.now(), s.cfg.AlertWindow)
	if err != nil {
		return err
	}
	start := end.Add(-s.cfg.AlertWindow)
	if n != s.cfg.AlertFailuresPerAccount || u == nil {
		return refusal
	}
	s.cfg.Logger.WarnContext(ctx, "auth: many failed sign-ins for one account; it is not locked",
		"user_id", u.ID, "failures", n, "since", start, "window", s.cfg.AlertWindow.String())
	ev := cms.AuditEvent{ActorID: cms.System.UserID, Action: "user.login_alert", ObjectType: "user", ObjectID: u.ID,
		Detail: map[string]any{"failures": n, "since": start, "window": s.cfg.AlertWindow.String()}}
	if err := s.store.AddAudit(ctx, ev); err != nil {
		return err
	}
	return refusal
}

// countAttempt counts an attempt for key and refuses it, with the time
// left in the window, once more than limit attempts were made.
func (s *Service) countAttempt(ctx context.Context, key string, limit int) error {
	now := s.now()
	n, end, err := s.store.CountHit(ctx, key, now, s.cfg.FailureWindow)
	if err != nil {
		return err
	}
	if n <= limit {
		return nil
	}
	wait := int(end.Sub(now).Seconds()) + 1
	return &cms.Error{
		Code:       cms.CodeTooManyRequests,
		Message:    "too many failed sign-in attempts; try again in " + strconv.Itoa(wait) + " seconds",
		RetryAfter: wait,
	}
}
