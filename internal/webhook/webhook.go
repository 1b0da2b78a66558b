// Package webhook tells other systems when live content changes. Events
// are written to an outbox in the same transaction as the workflow change
// (so nothing is sent for a change that rolled back, and nothing is lost
// for one that committed), and a worker delivers them with an HMAC-SHA256
// signature, retrying with exponential backoff and logging every attempt.
// A slow or failing receiver never slows a publish. Deliveries reach
// public addresses only, unless the worker is told to allow private ones
// (guard.go). It imports content and cms only.
package webhook

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Events a webhook can subscribe to.
const (
	EventPublished   = "document.published"
	EventUnpublished = "document.unpublished"
	EventUpdatedLive = "document.updated_live"
	// EventReleasePublished is one event for a release that went live,
	// besides each of its documents' own document.published.
	EventReleasePublished = "release.published"
)

var eventNames = []string{EventPublished, EventUnpublished, EventUpdatedLive, EventReleasePublished}

// Webhook is a subscription. The secret signs every delivery.
type Webhook struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Secret    string    `json:"-"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Message is one event waiting in the outbox for one webhook.
type Message struct {
	ID            string
	WebhookID     string
	Event         string
	Payload       []byte
	Attempts      int
	NextAttemptAt time.Time
	CreatedAt     time.Time
}

// Attempt is one logged delivery attempt.
type Attempt struct {
	ID         string    `json:"id"`
	OutboxID   string    `json:"outbox_id"`
	WebhookID  string    `json:"webhook_id"`
	Event      string    `json:"event"`
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"status_code"`
	Error      string    `json:"error"`
	DurationMS int64     `json:"duration_ms"`
	CreatedAt  time.Time `json:"created_at"`
}

// Store keeps webhooks, the outbox and the attempt log.
type Store interface {
	CreateWebhook(ctx context.Context, w Webhook, ev cms.AuditEvent) error
	FindWebhooks(ctx context.Context) ([]Webhook, error)
	FindWebhook(ctx context.Context, id string) (Webhook, error)
	DeleteWebhook(ctx context.Context, id string, ev cms.AuditEvent) error
	FindAttempts(ctx context.Context, webhookID string, limit int) ([]Attempt, error)

	// Enqueue runs in the workflow transaction.
	Enqueue(ctx context.Context, m Message) error
	// ClaimDue leases up to limit due messages until leaseUntil, so that
	// of several workers exactly one sends each message.
	ClaimDue(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Message, error)
	// Finish records an attempt and the message's new state: delivered,
	// failed for good, or retried at next.
	Finish(ctx context.Context, a Attempt, delivered, failed bool, next time.Time) error
}

// NewWebhook is the input for a subscription.
type NewWebhook struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Secret string   `json:"secret"`
}

// Service manages subscriptions.
type Service struct {
	store Store
}

// NewService returns a Service.
func NewService(store Store) *Service { return &Service{store: store} }

// Create adds a webhook. Without a secret one is generated; it is returned
// once.
func (s *Service) Create(ctx context.Context, actor cms.Actor, in NewWebhook) (Webhook, string, error) {
	var p cms.Problems
	if msg := urlProblem(in.URL); msg != "" {
		p.Add("url", msg)
	}
	if len(in.Events) == 0 {
		p.Add("events", "list at least one event")
	}
	for _, e := range in.Events {
		if !slices.Contains(eventNames, e) {
			p.Add("events", "must be among "+strings.Join(eventNames, ", "))
			break
		}
	}
	if in.Secret != "" && (len(in.Secret) < 16 || len(in.Secret) > 200) {
		p.Add("secret", "must be 16 to 200 characters")
	}
	if err := p.Err(); err != nil {
		return Webhook{}, "", err
	}
	if in.Secret == "" {
		in.Secret = "whsec_" + cms.RandomToken(24)
	}
	w := Webhook{ID: cms.NewID(), URL: in.URL, Events: slices.Compact(slices.Sorted(slices.Values(in.Events))),
		Secret: in.Secret, CreatedBy: actor.UserID, CreatedAt: time.Now().UTC()}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "webhook.create", ObjectType: "webhook", ObjectID: w.ID,
		Detail: map[string]any{"url": w.URL, "events": w.Events}}
	if err := s.store.CreateWebhook(ctx, w, ev); err != nil {
		return Webhook{}, "", err
	}
	return w, in.Secret, nil
}

// urlProblem says what is wrong with a webhook URL, or returns "" when
// nothing is. Where the host points is not checked here but at each
// delivery, on the address dialed: DNS may change after registration.
func urlProblem(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "is required"
	case len(raw) > 2000:
		return "must be at most 2000 characters"
	case err != nil:
		return "must be an absolute http(s) URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "must be an absolute URL starting with http:// or https://"
	case u.Hostname() == "":
		return "must name a host"
	case u.User != nil:
		// Credentials in a URL end up in logs and the admin UI; the
		// receiver authenticates deliveries by their signature instead.
		return "must not contain a user name or password; receivers check the signature instead"
	case strings.Contains(raw, "#"):
		return "must not contain a fragment (#…)"
	}
	return ""
}

// List returns every webhook.
func (s *Service) List(ctx context.Context) ([]Webhook, error) { return s.store.FindWebhooks(ctx) }

// Delete removes a webhook and its pending messages.
func (s *Service) Delete(ctx context.Context, actor cms.Actor, id string) error {
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "webhook.delete", ObjectType: "webhook", ObjectID: id}
	return s.store.DeleteWebhook(ctx, id, ev)
}

// Attempts lists the latest delivery attempts of a webhook.
func (s *Service) Attempts(ctx context.Context, id string) ([]Attempt, error) {
	if _, err := s.store.FindWebhook(ctx, id); err != nil {
		return nil, err
	}
	return s.store.FindAttempts(ctx, id, 200)
}
