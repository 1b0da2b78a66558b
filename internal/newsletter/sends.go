package newsletter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// Send statuses: a send is queued until a worker freezes its audience,
// sending until no recipient is left queued, then done. A paused send
// keeps its rows for later.
const (
	SendQueued  = "queued"
	SendSending = "sending"
	SendPaused  = "paused"
	SendDone    = "done"
)

// Recipient statuses.
const (
	RcptQueued  = "queued"
	RcptSent    = "sent"
	RcptFailed  = "failed"
	RcptBounced = "bounced"
	RcptSkipped = "skipped"
)

// Send is one edition of one document to one series' list, with its
// progress.
type Send struct {
	ID         string     `json:"id"`
	DocumentID string     `json:"document_id"`
	SeriesID   string     `json:"-"`
	Series     string     `json:"series"`
	Status     string     `json:"status"`
	Reason     string     `json:"reason"`
	Recipients int        `json:"recipients"`
	Sent       int        `json:"sent"`
	Failed     int        `json:"failed"`
	Bounced    int        `json:"bounced"`
	Skipped    int        `json:"skipped"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// Recipient is one address a send mails, once.
type Recipient struct {
	ID           string    `json:"id"`
	SendID       string    `json:"-"`
	DocumentID   string    `json:"-"`
	SubscriberID string    `json:"subscriber_id"`
	Email        string    `json:"email"`
	Status       string    `json:"status"`
	Attempts     int       `json:"attempts"`
	Response     string    `json:"response"`
	MessageID    string    `json:"message_id"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// SendFilter selects sends for a listing.
type SendFilter struct {
	DocumentID, Series, Status string
}

// EditionStore keeps newsletter settings, sends and their recipients. The
// store bound to a publishing transaction implements it, so a send is
// created with the publish or not at all.
type EditionStore interface {
	FindSeries(ctx context.Context, slug string) (content.Series, error)
	FindSeriesByID(ctx context.Context, id string) (content.Series, error)
	FindSettings(ctx context.Context, seriesID string) (Settings, error)
	SaveSettings(ctx context.Context, seriesID string, s Settings, ev cms.AuditEvent) error
	// CreateSend inserts s unless (document, series) has a send already,
	// and reports whether it did.
	CreateSend(ctx context.Context, s Send) (bool, error)
}

// SendStore is what the worker and the progress API need besides.
type SendStore interface {
	EditionStore
	PrivacyStore
	// DocumentLive returns a document's series id and whether it is live.
	DocumentLive(ctx context.Context, id string) (seriesID string, live bool, err error)
	FindSend(ctx context.Context, id string) (Send, error)
	FindSends(ctx context.Context, f SendFilter, limit int) ([]Send, error)
	FindRecipients(ctx context.Context, sendID, status, after string, limit int) ([]Recipient, error)
	// StartSend moves one queued send to sending and freezes its
	// audience, in one transaction, and returns it; ok is false when no
	// send was queued.
	StartSend(ctx context.Context, now time.Time) (s Send, ok bool, err error)
	// ClaimRecipients leases up to limit queued rows of sending sends
	// whose lease has run out.
	ClaimRecipients(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Recipient, error)
	FinishRecipient(ctx context.Context, r Recipient, next time.Time) error
	// ReleaseRecipients hands back claimed rows that were not tried.
	ReleaseRecipients(ctx context.Context, ids []string, now time.Time) error
	// FinishSends marks done every sending send with no queued row left.
	FinishSends(ctx context.Context, now time.Time) error
	FindSubscriberByID(ctx context.Context, id string) (Subscriber, error)
	SetSendStatus(ctx context.Context, id string, from []string, to, reason string) (bool, error)
	IsSuppressed(ctx context.Context, email string) (bool, error)
	Suppress(ctx context.Context, email, reason string) error
	// RecordMailEvents suppresses the events' addresses (the event type
	// is the reason) and appends the audit events, in one transaction.
	RecordMailEvents(ctx context.Context, suppress []MailEvent, audit []cms.AuditEvent) error
}

// AddressHash is how a suppressed address is kept: never in clear.
func AddressHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// Authorizer is the one enforcer, as the newsletter sees it.
type Authorizer interface {
	Can(actor cms.Actor, act string, obj authz.Object) error
	Allowed(actor cms.Actor, act string, obj authz.Object) bool
}

// Editions are the newsletter's editions: settings, sends and progress.
type Editions struct {
	store SendStore
	authz Authorizer
	now   func() time.Time
}

// NewEditions returns the edition use cases.
func NewEditions(store SendStore, az Authorizer) *Editions {
	return &Editions{store: store, authz: az, now: func() time.Time { return time.Now().UTC() }}
}

// newsletterObj is what a series' publishers and admins manage.
func newsletterObj(sr content.Series) authz.Object {
	return authz.Object{Kind: "newsletter", Series: sr.Path()}
}

func (e *Editions) series(ctx context.Context, actor cms.Actor, slug string) (content.Series, error) {
	sr, err := e.store.FindSeries(ctx, slug)
	if err != nil {
		return content.Series{}, err
	}
	return sr, e.authz.Can(actor, "manage", newsletterObj(sr))
}

// Settings returns a series' newsletter settings (all off when never set).
func (e *Editions) Settings(ctx context.Context, actor cms.Actor, slug string) (Settings, error) {
	sr, err := e.series(ctx, actor, slug)
	if err != nil {
		return Settings{}, err
	}
	return e.store.FindSettings(ctx, sr.ID)
}

// SaveSettings replaces a series' newsletter settings, audited.
func (e *Editions) SaveSettings(ctx context.Context, actor cms.Actor, slug string, s Settings) (Settings, error) {
	sr, err := e.series(ctx, actor, slug)
	if err != nil {
		return Settings{}, err
	}
	if err := s.validate(); err != nil {
		return Settings{}, err
	}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "newsletter.settings", ObjectType: "series", ObjectID: sr.ID,
		Detail: map[string]any{"enabled": s.Enabled, "send_on_publish": s.SendOnPublish, "from_address": s.FromAddress,
			"include_children": s.IncludeChildren}}
	return s, e.store.SaveSettings(ctx, sr.ID, s, ev)
}

// validate checks the addresses: the sender is required once the
// newsletter is on, and every address must be a plain one.
func (s *Settings) validate() error {
	s.FromName, s.FromAddress, s.ReplyTo = strings.TrimSpace(s.FromName), strings.TrimSpace(s.FromAddress), strings.TrimSpace(s.ReplyTo)
	var fields []cms.FieldProblem
	if s.Enabled && s.FromAddress == "" {
		fields = append(fields, cms.FieldProblem{Field: "from_address", Message: "is required when the newsletter is enabled"})
	}
	for field, addr := range map[string]*string{"from_address": &s.FromAddress, "reply_to": &s.ReplyTo} {
		if *addr == "" {
			continue
		}
		a, err := mail.ParseAddress(*addr)
		if err != nil || a.Name != "" || !strings.EqualFold(a.Address, *addr) {
			fields = append(fields, cms.FieldProblem{Field: field, Message: "must be a plain email address such as news@example.org"})
			continue
		}
		*addr = strings.ToLower(a.Address)
	}
	if strings.ContainsAny(s.FromName, "\r\n") || len(s.FromName) > 200 {
		fields = append(fields, cms.FieldProblem{Field: "from_name", Message: "must be one line of at most 200 characters"})
	}
	if len(s.Footer) > 4000 {
		fields = append(fields, cms.FieldProblem{Field: "footer", Message: "must be at most 4000 characters"})
	}
	if len(fields) > 0 {
		return &cms.Error{Code: cms.CodeInvalid, Message: "invalid newsletter settings", Fields: fields}
	}
	return nil
}

// CreateSend sends a live document to a series' list by hand: 409 when
// that send exists, the document is not live or the series' newsletter
// is not enabled (it has no sender then).
func (e *Editions) CreateSend(ctx context.Context, actor cms.Actor, documentID, slug string) (Send, error) {
	if slug == "" {
		return Send{}, cms.Invalid("series", "is required")
	}
	sr, err := e.series(ctx, actor, slug)
	if err != nil {
		return Send{}, err
	}
	docSeries, live, err := e.store.DocumentLive(ctx, documentID)
	if err != nil {
		return Send{}, err
	}
	if docSeries != sr.ID && (!e.isChild(ctx, docSeries, sr.ID)) {
		return Send{}, cms.Invalid("series", "must be the document's series or its parent")
	}
	if !live {
		return Send{}, cms.Errorf(cms.CodeConflict, "the document is not live; publish it first")
	}
	set, err := e.store.FindSettings(ctx, sr.ID)
	if err != nil {
		return Send{}, err
	}
	if !set.Enabled {
		return Send{}, cms.Errorf(cms.CodeConflict, "the newsletter of %s is not enabled; enable it in its settings first", sr.Slug)
	}
	s := Send{ID: cms.NewID(), DocumentID: documentID, SeriesID: sr.ID, Series: sr.Slug, Status: SendQueued, CreatedAt: e.now()}
	created, err := e.store.CreateSend(ctx, s)
	if err != nil {
		return Send{}, err
	}
	if !created {
		return Send{}, cms.Errorf(cms.CodeConflict, "this document has been sent to %s already", sr.Slug)
	}
	return s, nil
}

func (e *Editions) isChild(ctx context.Context, childID, parentID string) bool {
	child, err := e.store.FindSeriesByID(ctx, childID)
	return err == nil && child.ParentID != nil && *child.ParentID == parentID
}

// Send returns one send with its progress.
func (e *Editions) Send(ctx context.Context, actor cms.Actor, id string) (Send, error) {
	s, err := e.store.FindSend(ctx, id)
	if err != nil {
		return Send{}, err
	}
	if _, err := e.series(ctx, actor, s.Series); err != nil {
		return Send{}, err
	}
	return s, nil
}

// Pause holds a queued or sending send; the rows not yet sent wait.
func (e *Editions) Pause(ctx context.Context, actor cms.Actor, id string) (Send, error) {
	if _, err := e.Send(ctx, actor, id); err != nil {
		return Send{}, err
	}
	ok, err := e.store.SetSendStatus(ctx, id, []string{SendQueued, SendSending}, SendPaused, "paused by hand")
	if err == nil && !ok {
		err = cms.Errorf(cms.CodeConflict, "only a queued or sending send can be paused")
	}
	if err != nil {
		return Send{}, err
	}
	return e.store.FindSend(ctx, id)
}

// Resume goes on with a paused send where it stopped.
func (e *Editions) Resume(ctx context.Context, actor cms.Actor, id string) (Send, error) {
	s, err := e.Send(ctx, actor, id)
	if err != nil {
		return Send{}, err
	}
	to := SendSending
	if s.StartedAt == nil {
		to = SendQueued
	}
	ok, err := e.store.SetSendStatus(ctx, id, []string{SendPaused}, to, "")
	if err == nil && !ok {
		err = cms.Errorf(cms.CodeConflict, "only a paused send can be resumed")
	}
	if err != nil {
		return Send{}, err
	}
	return e.store.FindSend(ctx, id)
}

// Sends lists the sends the actor may follow, newest first.
func (e *Editions) Sends(ctx context.Context, actor cms.Actor, f SendFilter) ([]Send, error) {
	if f.Status != "" && f.Status != SendQueued && f.Status != SendSending && f.Status != SendPaused && f.Status != SendDone {
		return nil, cms.Invalid("status", "must be queued, sending, paused or done")
	}
	list, err := e.store.FindSends(ctx, f, 500)
	if err != nil {
		return nil, err
	}
	out, may := make([]Send, 0, len(list)), map[string]bool{}
	for _, s := range list {
		ok, seen := may[s.Series]
		if !seen {
			sr, err := e.store.FindSeries(ctx, s.Series)
			if err != nil {
				return nil, err
			}
			ok = e.authz.Allowed(actor, "manage", newsletterObj(sr))
			may[s.Series] = ok
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// Recipients lists a send's recipients in a stable order, after the
// cursor (a recipient id), optionally by status.
func (e *Editions) Recipients(ctx context.Context, actor cms.Actor, sendID, status, cursor string, limit int) ([]Recipient, error) {
	switch status {
	case "", RcptQueued, RcptSent, RcptFailed, RcptBounced, RcptSkipped:
	default:
		return nil, cms.Invalid("status", "must be queued, sent, failed, bounced or skipped")
	}
	if _, err := e.Send(ctx, actor, sendID); err != nil {
		return nil, err
	}
	return e.store.FindRecipients(ctx, sendID, status, cursor, limit)
}
