// Package newsletter runs the mailing lists: readers subscribe to a series
// with double opt-in (a signed confirmation link by mail), confirm, and
// unsubscribe with a signed link that never expires, which every mail to
// them also carries in its List-Unsubscribe header. Checking a link
// changes nothing (CheckConfirm, CheckUnsubscribe): mail scanners fetch
// every link in a mail, so only a deliberate second step acts (Confirm,
// Unsubscribe). Sign-ups are throttled per client address and in total,
// in the database so that the limits hold across instances, and take only
// addresses at real domains, so that the public form cannot be used to
// mail anyone at scale. Mail goes through an outbox that a worker sends
// over SMTP, so a slow mail server never slows a reader's request. An
// edition of a series' newsletter is the delivered document rendered as
// a multipart mail (edition.go, message.go); editions (sends.go, hook.go,
// editions_worker.go) mail a published document to a series' list once:
// the send is made in the publishing transaction, its audience frozen when
// it starts, and its rows leased by the workers of every instance. It
// imports cms, content, authz and render (and golang.org/x/net/idna,
// golang.org/x/time/rate and go-mail) only.
package newsletter

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// Subscriber statuses.
const (
	Pending      = "pending"
	Confirmed    = "confirmed"
	Unsubscribed = "unsubscribed"
)

// DoubleOptIn is the consent basis of an address confirmed through its
// link.
const DoubleOptIn = "double opt-in"

// Subscriber is one address on one series' list.
type Subscriber struct {
	ID             string     `json:"id"`
	Email          string     `json:"email"`
	SeriesID       string     `json:"-"`
	Series         string     `json:"series"`
	SeriesName     string     `json:"-"` // for the pages the links open
	Status         string     `json:"status"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	ConfirmedAt    *time.Time `json:"confirmed_at"`
	UnsubscribedAt *time.Time `json:"unsubscribed_at"`
	// ConsentBasis and ConsentAt are the consent record: on what basis
	// the address is on the list ("double opt-in", or what an import
	// said) and since when; empty until it is confirmed or imported.
	ConsentBasis string     `json:"consent_basis"`
	ConsentAt    *time.Time `json:"consent_at"`
	LastMailedAt *time.Time `json:"-"`
	// UnsubscribeURL is the subscriber's signed way out, for every mail the
	// newsletter tool sends them (in admin listings only).
	UnsubscribeURL string `json:"unsubscribe_url,omitempty"`
}

// Mail is one message waiting in the outbox.
type Mail struct {
	ID      string
	To      string
	Subject string
	Body    string
	// ListUnsubscribe is the recipient's unsubscribe link, for the
	// List-Unsubscribe headers (RFC 2369, RFC 8058); empty for none.
	ListUnsubscribe string
	// ListID and ListName name the list the mail is about, for the
	// List-Id header (RFC 2919): ListID is the label (the series' slug)
	// that the sender puts under its own domain; empty for none.
	ListID, ListName string
	// AutoSubmitted marks mail that the system sends on its own, such as
	// a confirmation (Auto-Submitted: auto-generated, RFC 3834), so that
	// vacation responders do not answer it.
	AutoSubmitted bool
	// HTML is the HTML alternative of Body (multipart/alternative); empty
	// for plain-text mail such as a confirmation.
	HTML string
	// FromName, FromAddress and ReplyTo replace the transactional sender
	// when set: an edition comes from its series, a confirmation from the
	// site.
	FromName, FromAddress, ReplyTo string
	// UnsubscribeMailto is a mailto: URI offered in List-Unsubscribe after
	// the link, for mail clients that only write; empty for none.
	UnsubscribeMailto string
	// MessageID, when set, is the Message-ID the sender gives the mail
	// (without angle brackets), so that an edition records it per
	// recipient; empty lets the sender mint one.
	MessageID string
	// Attempts so far, when claimed.
	Attempts int
}

// Store keeps subscribers and the mail outbox.
type Store interface {
	FindSeries(ctx context.Context, slug string) (content.Series, error)
	FindSubscriber(ctx context.Context, email, seriesID string) (Subscriber, error)
	FindSubscriberByID(ctx context.Context, id string) (Subscriber, error)
	// SaveSubscriber inserts or updates a subscriber and, when m is not
	// nil, queues the mail, in one transaction.
	SaveSubscriber(ctx context.Context, s Subscriber, m *Mail) error
	SearchSubscribers(ctx context.Context, f SubscriberFilter, limit, offset int) ([]Subscriber, int, error)
	// CountHit counts one sign-up for key in windows of the given length
	// and returns the count in the current window and when it ends.
	CountHit(ctx context.Context, key string, now time.Time, window time.Duration) (int, time.Time, error)

	// IsSuppressed reports whether an address must never be mailed.
	IsSuppressed(ctx context.Context, email string) (bool, error)
	// QueueMail puts one mail in the outbox.
	QueueMail(ctx context.Context, m Mail) error
	// FindDeliveredBody reads a live document as delivery serves it (its
	// JSON), so that an edition shows what the site shows.
	FindDeliveredBody(ctx context.Context, documentID string) ([]byte, error)
	FindContentType(ctx context.Context, name string) (content.ContentType, error)

	ClaimMail(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Mail, error)
	FinishMail(ctx context.Context, id string, sent, failed bool, attempts int, lastError string, next time.Time) error
}

// Config tunes the lists.
type Config struct {
	BaseURL *url.URL
	Key     []byte // signs confirmation and unsubscribe links
	// ResendAfter is how long a pending address waits before another
	// confirmation mail may be sent, so that the form cannot bomb an inbox.
	ResendAfter time.Duration
	ConfirmTTL  time.Duration
	// PerAddress limits the sign-ups from one client address (default 5
	// in 10 minutes); Total, those from everyone together (default 300 an
	// hour), however many addresses send them.
	PerAddress Limit
	Total      Limit
	// UnsubscribeMailto, when set, is the address that List-Unsubscribe
	// offers besides the link (mailto:address?subject=unsubscribe …):
	// whoever receives that mail must act on it.
	UnsubscribeMailto string
	// Settings reads a series' newsletter settings, for previews and test
	// sends; nil sends as the series' name with no footer.
	Settings SettingsFunc
	Now      func() time.Time
}

// Service is the mailing-list use cases.
type Service struct {
	store Store
	cfg   Config
}

// NewService returns a Service.
func NewService(store Store, cfg Config) *Service {
	if cfg.ResendAfter == 0 {
		cfg.ResendAfter = time.Hour
	}
	if cfg.ConfirmTTL == 0 {
		cfg.ConfirmTTL = 7 * 24 * time.Hour
	}
	if cfg.PerAddress == (Limit{}) {
		cfg.PerAddress = Limit{N: 5, Per: 10 * time.Minute}
	}
	if cfg.Total == (Limit{}) {
		cfg.Total = Limit{N: 300, Per: time.Hour}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{store: store, cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// SubscribeRequest is what the sign-up form sends.
type SubscribeRequest struct {
	Email  string `json:"email"`
	Series string `json:"series"`
}

// Subscribe starts the double opt-in for an address, for the client at
// address client. Its answer is the same whether the address was new,
// pending or confirmed, so that the form does not tell who is on a list.
// A request that is refused (a bad address, a series without a list, a
// client or everyone over the limit) stores and mails nothing.
func (s *Service) Subscribe(ctx context.Context, req SubscribeRequest, client string) error {
	email, err := checkEmail(req.Email)
	if err != nil {
		return err
	}
	series, err := s.store.FindSeries(ctx, req.Series)
	if cms.IsCode(err, cms.CodeNotFound) {
		return cms.Invalid("series", "no such series")
	} else if err != nil {
		return err
	}
	if series.Kind != listKind {
		return cms.Invalid("series", "has no mailing list: only newsletter series take subscribers")
	}
	if err := s.admit(ctx, client); err != nil {
		return err
	}
	// A suppressed address (bounced, complained or erased) is never
	// mailed, not even a confirmation; the answer is the same as ever.
	if suppressed, err := s.store.IsSuppressed(ctx, email); err != nil || suppressed {
		return err
	}
	now := s.now()
	sub, err := s.store.FindSubscriber(ctx, email, series.ID)
	switch {
	case cms.IsCode(err, cms.CodeNotFound):
		sub = Subscriber{ID: cms.NewID(), Email: email, SeriesID: series.ID, Series: series.Slug, Status: Pending, CreatedAt: now}
	case err != nil:
		return err
	case sub.Status == Confirmed:
		return nil // already on the list; say nothing more
	case sub.Status == Pending && sub.LastMailedAt != nil && now.Sub(*sub.LastMailedAt) < s.cfg.ResendAfter:
		return nil // a confirmation is on its way
	}
	sub.Status, sub.UpdatedAt, sub.LastMailedAt = Pending, now, &now
	err = s.store.SaveSubscriber(ctx, sub, s.confirmationMail(sub, series))
	if cms.IsCode(err, cms.CodeConflict) {
		return nil // the same address signed up twice at once; one mail went
	}
	return err
}

func (s *Service) confirmationMail(sub Subscriber, series content.Series) *Mail {
	exp := s.now().Add(s.cfg.ConfirmTTL).Unix()
	link := s.link("confirm", s.token("confirm", sub.ID, exp))
	out := s.UnsubscribeLink(sub)
	body := fmt.Sprintf("Hello,\n\nPlease confirm that you want to receive %s at this address: open this link "+
		"and press the button on the page.\n\n%s\n\n"+
		"If you did not ask for this, ignore this message and nothing will be sent.\n"+
		"To leave the list at any time: %s\n", series.Name, link, out)
	// The address is not on the list yet, but the mail carries the list's
	// way out all the same (List-Unsubscribe too): unsubscribing a pending
	// address withdraws the sign-up, and Confirm then refuses its link.
	// Whoever gets a confirmation they did not ask for, because someone
	// typed their address into a form, is the reader most likely to press
	// "report spam"; a mail client's unsubscribe button is the better
	// answer, for them and for the sender's reputation.
	return &Mail{ID: cms.NewID(), To: sub.Email, Subject: "Confirm your subscription to " + series.Name, Body: body,
		ListUnsubscribe: out, ListID: series.Slug, ListName: series.Name, AutoSubmitted: true}
}

func (s *Service) link(action, token string) string {
	return s.cfg.BaseURL.String() + "/delivery/v1/subscribers/" + action + "?token=" + url.QueryEscape(token)
}

// UnsubscribeLink is the link every mail to a subscriber carries.
func (s *Service) UnsubscribeLink(sub Subscriber) string {
	return s.link("unsubscribe", s.token("unsubscribe", sub.ID, 0))
}

// token signs purpose, id and expiry (0 = never).
func (s *Service) token(purpose, id string, exp int64) string {
	payload := id + "." + strconv.FormatInt(exp, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + s.sign(purpose, payload)
}

func (s *Service) sign(purpose, payload string) string {
	m := hmac.New(sha256.New, s.cfg.Key)
	m.Write([]byte("newsletter:" + purpose + "\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// open checks a token's signature and expiry and returns the subscriber
// id; anything wrong is not found, so tokens cannot be probed.
func (s *Service) open(purpose, token string) (string, error) {
	bad := cms.NotFound("subscription")
	enc, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", bad
	}
	payload, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || !hmac.Equal([]byte(sig), []byte(s.sign(purpose, string(payload)))) {
		return "", bad
	}
	id, expRaw, _ := strings.Cut(string(payload), ".")
	exp, err := strconv.ParseInt(expRaw, 10, 64)
	if err != nil || (exp != 0 && s.now().Unix() > exp) {
		return "", bad
	}
	return id, nil
}

// Confirm completes the double opt-in. Confirming again changes nothing.
func (s *Service) Confirm(ctx context.Context, token string) (Subscriber, error) {
	return s.setStatus(ctx, "confirm", token, Confirmed)
}

// Unsubscribe takes an address off a list. Leaving again changes nothing.
func (s *Service) Unsubscribe(ctx context.Context, token string) (Subscriber, error) {
	return s.setStatus(ctx, "unsubscribe", token, Unsubscribed)
}

// CheckConfirm answers what Confirm would act on, with the same errors,
// and changes nothing: mail scanners fetch every link in a mail, so only
// a person's deliberate request may confirm.
func (s *Service) CheckConfirm(ctx context.Context, token string) (Subscriber, error) {
	return s.linked(ctx, "confirm", token, Confirmed)
}

// CheckUnsubscribe answers what Unsubscribe would act on, with the same
// errors, and changes nothing.
func (s *Service) CheckUnsubscribe(ctx context.Context, token string) (Subscriber, error) {
	return s.linked(ctx, "unsubscribe", token, Unsubscribed)
}

// linked opens a link's token and returns its subscriber, if the link may
// move them to status.
func (s *Service) linked(ctx context.Context, purpose, token, status string) (Subscriber, error) {
	id, err := s.open(purpose, token)
	if err != nil {
		return Subscriber{}, err
	}
	sub, err := s.store.FindSubscriberByID(ctx, id)
	if err != nil {
		return Subscriber{}, err
	}
	if status == Confirmed && sub.Status == Unsubscribed {
		// An old confirmation link does not undo an unsubscribe.
		return Subscriber{}, cms.Errorf(cms.CodeConflict, "this address unsubscribed; subscribe again to get a new link")
	}
	return sub, nil
}

func (s *Service) setStatus(ctx context.Context, purpose, token, status string) (Subscriber, error) {
	sub, err := s.linked(ctx, purpose, token, status)
	if err != nil || sub.Status == status {
		return sub, err
	}
	now := s.now()
	sub.Status, sub.UpdatedAt = status, now
	if status == Confirmed {
		sub.ConfirmedAt, sub.ConsentBasis, sub.ConsentAt = &now, DoubleOptIn, &now
	} else {
		sub.UnsubscribedAt = &now
	}
	return sub, s.store.SaveSubscriber(ctx, sub, nil)
}

// Subscribers lists a series' subscribers, optionally by status, each
// with their signed way out (for admins handing a list on).
func (s *Service) Subscribers(ctx context.Context, series, status string, limit, offset int) ([]Subscriber, int, error) {
	list, total, err := s.SearchSubscribers(ctx, SubscriberFilter{Series: series, Status: status}, limit, offset)
	for i := range list {
		list[i].UnsubscribeURL = s.UnsubscribeLink(list[i])
	}
	return list, total, err
}
