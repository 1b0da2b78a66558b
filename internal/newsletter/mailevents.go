package newsletter

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Mail event types a provider or relay reports.
const (
	HardBounce = "hard_bounce"
	SoftBounce = "soft_bounce"
	Complaint  = "complaint"
)

// MaxMailEvents is the most events one report may carry, so that one
// request stays one short transaction.
const MaxMailEvents = 1000

// MailEvent is what a provider or relay learnt about mail to an address.
type MailEvent struct {
	Email string `json:"email"`
	Type  string `json:"type"`
	At    string `json:"at"` // RFC 3339
}

// RecordMailEvents takes a report of bounces and complaints: hard bounces
// and complaints suppress the address on every list, soft bounces only
// leave a trace (a mailbox that is full today may not be tomorrow). The
// whole report is checked before anything is kept, so that a bad one
// changes nothing; each event is audited by the address's hash, never the
// address. It returns how many addresses the report suppressed.
func (e *Editions) RecordMailEvents(ctx context.Context, actor cms.Actor, events []MailEvent) (int, error) {
	if err := checkMailEvents(events); err != nil {
		return 0, err
	}
	var suppress []MailEvent
	audit := make([]cms.AuditEvent, len(events))
	for i, ev := range events {
		hash := AddressHash(ev.Email)
		if ev.Type != SoftBounce {
			suppress = append(suppress, ev)
		}
		audit[i] = cms.AuditEvent{ActorID: actor.UserID, Action: "mail." + ev.Type, ObjectType: "address", ObjectID: hash,
			Detail: map[string]any{"at": ev.At, "suppressed": ev.Type != SoftBounce}}
	}
	return len(suppress), e.store.RecordMailEvents(ctx, suppress, audit)
}

// checkMailEvents validates a whole report and normalises its addresses,
// naming each bad event by its index.
func checkMailEvents(events []MailEvent) error {
	if len(events) == 0 || len(events) > MaxMailEvents {
		return cms.Invalid("events", fmt.Sprintf("must be a JSON array of 1 to %d events", MaxMailEvents))
	}
	var p cms.Problems
	for i := range events {
		ev := &events[i]
		field := fmt.Sprintf("[%d]", i)
		ev.Email = strings.ToLower(strings.TrimSpace(ev.Email))
		if a, err := mail.ParseAddress(ev.Email); err != nil || a.Address != ev.Email || len(ev.Email) > 254 {
			p.Add(field+".email", "must be an email address")
		}
		if ev.Type != HardBounce && ev.Type != SoftBounce && ev.Type != Complaint {
			p.Add(field+".type", "must be hard_bounce, soft_bounce or complaint")
		}
		if _, err := time.Parse(time.RFC3339, ev.At); err != nil {
			p.Add(field+".at", "must be an RFC 3339 time such as 2026-12-04T10:00:00Z")
		}
	}
	return p.Err()
}
