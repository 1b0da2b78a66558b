package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Config tunes the auth service. Zero values take the defaults.
type Config struct {
	SessionTTL     time.Duration
	PasswordParams argon2id.Params
	// Sign-in attempts allowed per FailureWindow for one email from one
	// address, and from one address for all emails. Past either, that
	// address waits (429); the account still signs in from elsewhere, so
	// a guesser cannot lock its owner out.
	MaxFailuresPerAccountAddress int
	MaxFailuresPerAddress        int
	FailureWindow                time.Duration
	// Failed sign-ins for one email, from anywhere, per AlertWindow that
	// raise an alert (a warning in the log and an audit event, once per
	// window). They never lock the account.
	AlertFailuresPerAccount int
	AlertWindow             time.Duration
	Logger                  *slog.Logger
	Now                     func() time.Time
}

func (c *Config) setDefaults() {
	if c.SessionTTL == 0 {
		c.SessionTTL = 14 * 24 * time.Hour
	}
	if c.PasswordParams.Memory == 0 {
		c.PasswordParams = DefaultPasswordParams
	}
	if c.MaxFailuresPerAccountAddress == 0 {
		c.MaxFailuresPerAccountAddress = 5
	}
	if c.MaxFailuresPerAddress == 0 {
		c.MaxFailuresPerAddress = 20
	}
	if c.FailureWindow == 0 {
		c.FailureWindow = 15 * time.Minute
	}
	if c.AlertFailuresPerAccount == 0 {
		c.AlertFailuresPerAccount = 100
	}
	if c.AlertWindow == 0 {
		c.AlertWindow = 24 * time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Service is the authentication use cases.
type Service struct {
	store Store
	cfg   Config
	// dummyHash is compared against when an email is unknown, so that a
	// login takes as long whether or not the account exists. It is made
	// at the first such login, not at start: hashing takes the memory of
	// the password parameters (64 MiB), which an idle instance should not
	// hold nor count towards its GC goal.
	dummyHash func() string
}

// NewService returns a Service over store.
func NewService(store Store, cfg Config) (*Service, error) {
	cfg.setDefaults()
	s := &Service{store: store, cfg: cfg}
	s.dummyHash = sync.OnceValue(func() string {
		// CreateHash fails only when the system has no randomness, and
		// then every login fails too; an empty hash is compared as
		// wrong.
		h, _ := argon2id.CreateHash(cms.RandomToken(16), &s.cfg.PasswordParams)
		return h
	})
	return s, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// hashSecret is how session cookies and API tokens are stored: they are
// long random values, so a fast hash is enough to make a leaked row useless.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewUser is the input for creating a user.
type NewUser struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

func normalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// maxEmailLength is the longest email an account may have (RFC 5321's
// limit on a path).
const maxEmailLength = 254

func (n *NewUser) validate() error {
	var p cms.Problems
	n.Email = normalizeEmail(n.Email)
	n.Name = strings.TrimSpace(n.Name)
	if !ValidEmail(n.Email) {
		p.Add("email", "must be a valid email address")
	}
	if err := validateName(n.Name); err != nil {
		p.Add("name", err.Error())
	}
	if len(n.Password) < minPasswordLength {
		p.Add("password", fmt.Sprintf("must be at least %d characters", minPasswordLength))
	}
	return p.Err()
}

// ValidEmail reports whether email is an address an account may have:
// one plain address, already normalized, that the API's `format: email`
// also accepts wherever a client checks it. So the local part is a
// dot-atom (no quoted strings) and the domain a host name with a dot:
// `admin@localhost` is refused, `admin@masthead.localhost` (RFC 6761
// reserves .localhost) is not.
func ValidEmail(email string) bool {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || email != normalizeEmail(email) || len(email) > maxEmailLength {
		return false
	}
	local, domain, _ := strings.Cut(email, "@")
	return dotAtom(local) && hostName(domain)
}

// dotAtom reports whether s is dot-separated runs of RFC 5322 atext.
func dotAtom(s string) bool {
	for run := range strings.SplitSeq(s, ".") {
		if run == "" || strings.IndexFunc(run, func(r rune) bool {
			return r > 0x7e || !(isAlnum(r) || strings.ContainsRune("!#$%&'*+/=?^_`{|}~-", r))
		}) >= 0 {
			return false
		}
	}
	return true
}

// hostName reports whether s is a host name of two labels or more, each
// of letters, digits and inner hyphens.
func hostName(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' ||
			strings.IndexFunc(l, func(r rune) bool { return !isAlnum(r) && r != '-' }) >= 0 {
			return false
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// CheckUser applies the rules of CreateUser to a user who arrives some
// other way (an import of an export): a normalized email and a name.
func CheckUser(u User) error {
	var p cms.Problems
	if !ValidEmail(u.Email) {
		p.Add("email", "must be a valid email address")
	}
	if err := validateName(u.Name); err != nil {
		p.Add("name", err.Error())
	}
	return p.Err()
}

func validateName(name string) error {
	if name == "" {
		return fmt.Errorf("is required")
	}
	if utf8.RuneCountInString(name) > 200 {
		return fmt.Errorf("must be at most 200 characters")
	}
	return nil
}

// CreateUser adds an active user on behalf of actor. Emails are unique,
// case-insensitively.
func (s *Service) CreateUser(ctx context.Context, actor cms.Actor, n NewUser) (User, error) {
	u, ev, err := s.newUser(actor, n)
	if err != nil {
		return User{}, err
	}
	if err := s.store.CreateUser(ctx, u, ev); err != nil {
		if cms.IsCode(err, cms.CodeConflict) {
			return User{}, cms.Errorf(cms.CodeConflict, "a user with this email already exists")
		}
		return User{}, err
	}
	return u, nil
}

// newUser validates n and builds the user, its password hashed, with the
// audit event of its creation.
func (s *Service) newUser(actor cms.Actor, n NewUser) (User, cms.AuditEvent, error) {
	if err := n.validate(); err != nil {
		return User{}, cms.AuditEvent{}, err
	}
	hash, err := s.HashPassword(n.Password)
	if err != nil {
		return User{}, cms.AuditEvent{}, err
	}
	now := s.now()
	u := User{ID: cms.NewID(), Email: n.Email, Name: n.Name, PasswordHash: hash, Active: true, CreatedAt: now, UpdatedAt: now}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "user.create", ObjectType: "user", ObjectID: u.ID,
		Detail: map[string]any{"email": u.Email}}
	return u, ev, nil
}

// EnsureAdmin creates the first user when there is none. When password is
// empty a random one is generated and returned so that it can be printed
// once. created is false when users already exist — also when another
// instance, starting at the same time, created the first user a moment
// before this one could: someone else did it.
func (s *Service) EnsureAdmin(ctx context.Context, email, password string) (u User, generated string, created bool, err error) {
	// Most starts find users; counting first spares them hashing.
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return User{}, "", false, err
	}
	if password == "" {
		generated = cms.RandomToken(12)
		password = generated
	}
	u, ev, err := s.newUser(cms.System, NewUser{Email: email, Name: "Administrator", Password: password})
	if err != nil {
		return User{}, "", false, fmt.Errorf("auth: first admin: %w", err)
	}
	created, err = s.store.CreateFirstUser(ctx, u, ev)
	if err != nil {
		return User{}, "", false, fmt.Errorf("auth: first admin: %w", err)
	}
	if !created {
		return User{}, "", false, nil
	}
	return u, generated, true, nil
}

// Users lists every user.
func (s *Service) Users(ctx context.Context) ([]User, error) { return s.store.FindUsers(ctx) }

// User returns one user.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	return s.store.FindUserByID(ctx, id)
}

// UserPatch is the input for changing a user; nil fields stay.
type UserPatch struct {
	Name     *string `json:"name"`
	Active   *bool   `json:"active"`
	Password *string `json:"password"`
}

// UpdateUser changes a user's name, password or active flag. Deactivating
// a user or changing the password ends their sessions; deactivating also
// revokes their API tokens, in the same transaction, so that reactivating
// the user later revives none of them. Users are never deleted, because
// their names stay on revisions and events.
func (s *Service) UpdateUser(ctx context.Context, actor cms.Actor, id string, p UserPatch) (User, error) {
	deactivate := p.Active != nil && !*p.Active
	upd := UserUpdate{Active: p.Active, EndSessions: deactivate || p.Password != nil, RevokeTokens: deactivate}
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		if err := validateName(name); err != nil {
			return User{}, cms.Invalid("name", err.Error())
		}
		upd.Name = &name
	}
	if p.Password != nil {
		hash, err := s.HashPassword(*p.Password)
		if err != nil {
			return User{}, err
		}
		upd.PasswordHash = &hash
	}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "user.update", ObjectType: "user", ObjectID: id,
		Detail: map[string]any{"name": p.Name != nil, "active": p.Active, "password": p.Password != nil}}
	return s.store.UpdateUser(ctx, id, upd, ev)
}
