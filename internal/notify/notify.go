// Package notify tells people what waits for them (issue 19): a
// notification in the app for each workflow step that concerns them, and
// a mail through the newsletter's outbox unless they switched that kind
// off. Recipients are decided by the enforcer (who may act, who may read),
// never by role names; the actor is never told of their own act, and a
// notification shows only what its recipient may read when they read it.
package notify

import (
	"context"
	"net/url"
	"time"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

// Kind is what a notification is about.
type Kind string

// The kinds of notification; each has a mail preference.
const (
	Submitted        Kind = "submitted"
	ChangesRequested Kind = "changes_requested"
	Approved         Kind = "approved"
	Published        Kind = "published"
	Scheduled        Kind = "scheduled"
	Mentioned        Kind = "mentioned"
	Assigned         Kind = "assigned"
	Digest           Kind = "digest"
	TakenOver        Kind = "taken_over"
)

// Kinds lists every kind, in the order the preferences show them.
var Kinds = []Kind{Submitted, ChangesRequested, Approved, Published, Scheduled, Mentioned, Assigned, TakenOver, Digest}

// Notification is one message to one person.
type Notification struct {
	ID          string    `json:"id"`
	Kind        Kind      `json:"kind"`
	DocumentID  *string   `json:"document_id"`
	Title       string    `json:"title"` // the document's title, read when listed
	ActorID     string    `json:"actor_id"`
	ActorName   string    `json:"actor_name"`
	Note        string    `json:"note"`
	Read        bool      `json:"read"`
	CreatedAt   time.Time `json:"created_at"`
	RecipientID string    `json:"-"`
}

// Cursor is a position in a person's notifications, newest first.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// Store keeps notifications, preferences and the digest claims, and
// queues mail. In a document transaction it is the transaction's store.
type Store interface {
	AddNotification(ctx context.Context, n Notification) error
	// FindNotifications lists a person's notifications after c (nil: from
	// the newest), at most limit.
	FindNotifications(ctx context.Context, recipientID string, unreadOnly bool, c *Cursor, limit int) ([]Notification, error)
	// MarkRead marks ids (all of them when all) of a person read.
	MarkRead(ctx context.Context, recipientID string, ids []string, all bool, at time.Time) error
	// FindMailPrefs returns the kinds a person set; unset kinds mail.
	FindMailPrefs(ctx context.Context, userID string) (map[Kind]bool, error)
	SaveMailPrefs(ctx context.Context, userID string, prefs map[Kind]bool, ev cms.AuditEvent) error
	// ClaimDigest records that a person's digest of day is being sent;
	// false when someone (another instance) claimed it already.
	ClaimDigest(ctx context.Context, userID, day string, at time.Time) (bool, error)
	// NotifyTx runs fn in one transaction.
	NotifyTx(ctx context.Context, fn func(tx Store) error) error

	QueueMail(ctx context.Context, m newsletter.Mail) error
	FindUsers(ctx context.Context) ([]auth.User, error)
	FindUserByID(ctx context.Context, id string) (auth.User, error)
	FindDocument(ctx context.Context, id string) (content.Document, error)
	FindDocuments(ctx context.Context, f content.DocumentFilter) ([]content.Document, error)
	FindContributor(ctx context.Context, slug string) (content.Contributor, error)
}

// Authorizer is what notify asks of the enforcer.
type Authorizer interface {
	Allowed(actor cms.Actor, act string, obj authz.Object) bool
}

// Service lists and marks notifications and keeps preferences.
type Service struct {
	store   Store
	authz   Authorizer
	baseURL *url.URL
	mailOn  bool
	now     func() time.Time
}

// NewService returns the service; links in mail start at baseURL. mail
// off keeps notifications in the app only.
func NewService(store Store, az Authorizer, baseURL *url.URL, mail bool) *Service {
	return &Service{store: store, authz: az, baseURL: baseURL, mailOn: mail, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// mayRead reports whether userID may read d now.
func (s *Service) mayRead(userID string, d content.Document) bool {
	return s.authz.Allowed(cms.Actor{UserID: userID}, "read", content.DocumentObject(d))
}
